package org.inductionlab.engine;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.inductionlab.Main;
import org.inductionlab.engine.config.Architecture;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.config.Problem;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.eval.MambaCarriers;
import org.inductionlab.engine.eval.MambaMemory;
import org.inductionlab.engine.exchange.ModelFileException;
import org.inductionlab.engine.model.MambaKind;
import org.inductionlab.engine.model.ModelKind;
import org.inductionlab.engine.model.PositionLimitException;
import org.inductionlab.engine.model.Precision;
import org.inductionlab.engine.model.TransformerKind;
import org.inductionlab.engine.platform.DeviceUnavailableException;
import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.run.HeadScoreRow;
import org.inductionlab.engine.run.MetricsRow;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.TokenFile;
import org.inductionlab.engine.task.TriggerLayout;
import org.inductionlab.engine.text.Durations;
import org.inductionlab.engine.train.TrainingControl;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingOutcome;
import org.inductionlab.engine.train.TrainingProgress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers as rules (JabRef's MainArchitectureTest does the same with ArchUnit): the engine knows
 * nothing of JavaFX or of its front ends and prints nothing; the front ends reach the engine through
 * {@code engine.lab} and the value types named below, and libtorch not at all; the engine's packages are
 * layered with no cycles; the window's pages talk through the event bus, not by holding each other.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    /**
     * The engine types a front end may hold besides {@code engine.lab}: what the lab's workflows take and
     * give back (settings, layouts, results, progress, the errors a front end words), and two stateless
     * helpers (words for a duration, a file written whole or not at all). Each one named; a class nested in
     * one of them comes with it.
     */
    static final List<Class<?>> VALUE_TYPES = List.of(
            // settings, and the problems with them
            Hyperparameters.class, HyperparameterSchema.class, Preset.class, Architecture.class, DeviceChoice.class,
            Precision.class, TriggerLayout.class, Problem.class, org.inductionlab.engine.config.TaskKind.class,
            // results
            AttentionMap.class, HeadScores.class, org.inductionlab.engine.eval.DetectHead.class, MambaMemory.class,
            MambaCarriers.class, SweepPoint.class, MetricsRow.class,
            HeadScoreRow.class, org.inductionlab.engine.run.GeneralisationRow.class, RunStatus.class,
            LengthSweep.Plan.class, LengthSweep.Estimate.class,
            LengthSweep.PrecisionCheck.class, org.inductionlab.engine.eval.SweepShards.class,
            // hearing and steering a job
            LengthSweep.Listener.class, TrainingListener.class, TrainingProgress.class, TrainingOutcome.class,
            TrainingControl.class,
            // bad input and unavailable devices, which each front end words itself
            InvalidConfigException.class, RunFolderException.class, TokenFile.TokenFileException.class,
            ModelFileException.class, PositionLimitException.class, DeviceUnavailableException.class,
            // stateless helpers
            Durations.class, AtomicFiles.class);

    /** The engine's packages from the top down: each may use only those below it. */
    static final List<String> ENGINE_LAYERS = List.of("lab", "train", "eval", "exchange", "run", "model", "platform",
            "config", "task", "text");

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.inductionlab");
    }

    @Test
    void theEngineImportsNoJavaFxAndNoFrontEnd() {
        noClasses().that().resideInAPackage("org.inductionlab.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "eu.hansolo..",
                        "org.inductionlab.ui..", "org.inductionlab.cli..", "picocli..")
                .check(classes);
    }

    @Test
    void theFrontEndsDoNotTouchDjl() {
        noClasses().that().resideInAnyPackage("org.inductionlab.ui..", "org.inductionlab.cli..")
                .should().dependOnClassesThat().resideInAPackage("ai.djl..")
                .check(classes);
    }

    @Test
    void theFrontEndsUseTheEngineThroughTheLabAndTheNamedValueTypesOnly() {
        DescribedPredicate<JavaClass> beyondTheLab = resideInAPackage("org.inductionlab.engine..")
                .and(DescribedPredicate.not(resideInAPackage("org.inductionlab.engine.lab..")))
                .and(DescribedPredicate.not(belongToAnyOf(VALUE_TYPES.toArray(new Class<?>[0]))))
                .as("engine classes outside engine.lab and the named value types");
        noClasses().that().resideInAnyPackage("org.inductionlab.ui..", "org.inductionlab.cli..")
                .should().dependOnClassesThat(beyondTheLab)
                .check(classes);
    }

    @Test
    void theEnginesPackagesHaveNoCycles() {
        slices().matching("org.inductionlab.engine.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theEnginesPackagesAreLayered() {
        Architectures.LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String layer : ENGINE_LAYERS) {
            layers = layers.layer(layer).definedBy("org.inductionlab.engine." + layer + "..");
        }
        for (int i = 1; i < ENGINE_LAYERS.size(); i++) {
            layers = layers.whereLayer(ENGINE_LAYERS.get(i))
                    .mayOnlyBeAccessedByLayers(ENGINE_LAYERS.subList(0, i).toArray(new String[0]));
        }
        layers.check(classes);
        assertEveryEnginePackageIsALayer();
    }

    /** A new engine package joins the order above, or this test says where it is missing. */
    private static void assertEveryEnginePackageIsALayer() {
        List<String> missing = classes.stream().map(JavaClass::getPackageName)
                .filter(p -> p.startsWith("org.inductionlab.engine."))
                .map(p -> p.substring("org.inductionlab.engine.".length()).split("\\.")[0])
                .distinct().filter(p -> !ENGINE_LAYERS.contains(p)).toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), missing, "engine packages not in ENGINE_LAYERS");
    }

    @Test
    void noCommandDependsOnMain() {
        noClasses().that().resideInAPackage("org.inductionlab.cli..").should().dependOnClassesThat()
                .belongToAnyOf(Main.class).check(classes);
    }

    @Test
    void pagesDoNotHoldEachOther() {
        slices().matching("org.inductionlab.ui.(train|sweep|attention|runs)..").should().notDependOnEachOther()
                .check(classes);
    }

    /**
     * The model seam holds: only the registration names an architecture — {@code ModelKind.of} (its switch), the
     * kinds, the enum itself with its key lists, and the record's default. Everyone else asks the kind
     * ({@code ModelKind.of(hp)}, {@code UnitNames}) or the constant's own answers, so a new architecture is its
     * model file plus one registration. An enum switch reads the constant's {@code ordinal()}; that counts.
     */
    @Test
    void onlyTheRegistrationNamesAnArchitecture() {
        List<String> registration = List.of(Architecture.class.getName(), ModelKind.class.getName(),
                TransformerKind.class.getName(), MambaKind.class.getName(),
                Hyperparameters.class.getName()); // its defaults: the course's Transformer
        DescribedPredicate<JavaClass> outside = DescribedPredicate.describe("outside the registration " + registration,
                c -> registration.stream().noneMatch(r -> c.getName().equals(r) || c.getName().startsWith(r + "$")));
        var rule = noClasses().that(outside).should().callMethod(Architecture.class, "ordinal");
        for (Architecture a : Architecture.values()) {
            rule = rule.orShould().accessField(Architecture.class, a.name());
        }
        rule.check(classes);
    }

    @Test
    void theEngineDoesNotPrint() {
        noClasses().that().resideInAPackage("org.inductionlab.engine..").should(ACCESS_STANDARD_STREAMS)
                .check(classes);
    }
}
