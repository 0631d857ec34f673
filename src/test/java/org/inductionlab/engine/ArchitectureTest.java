package org.inductionlab.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers as rules (JabRef's MainArchitectureTest does the same with ArchUnit): the engine knows
 * nothing of JavaFX or of its front ends and prints nothing; the front ends reach libtorch only through
 * the engine; the window's pages talk through the event bus, not by holding each other.
 */
class ArchitectureTest {

    private static JavaClasses classes;

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
    void pagesDoNotHoldEachOther() {
        slices().matching("org.inductionlab.ui.(train|sweep|attention|runs)..").should().notDependOnEachOther()
                .check(classes);
    }

    @Test
    void theEngineDoesNotPrint() {
        noClasses().that().resideInAPackage("org.inductionlab.engine..").should(ACCESS_STANDARD_STREAMS)
                .check(classes);
    }
}
