package org.inductionlab.engine;

import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Norm;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.config.Problem;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HyperparametersTest {

    @Test
    void defaultsAreTheCourseRecipeAndValid() {
        Hyperparameters d = Hyperparameters.defaults();
        assertTrue(d.problems().isEmpty(), d.problems().toString());
        assertEquals(Preset.load("course").apply(), d, "the course preset spells out the defaults");
        assertEquals(Norm.POST, d.norm());
        assertEquals(25L * 8192, d.maxSteps());
    }

    @Test
    void textRoundTrips() {
        Hyperparameters hp = Preset.load("fast").apply();
        HyperparameterSchema.Parsed parsed = HyperparameterSchema.parse(hp.toText());
        assertTrue(parsed.ok());
        assertEquals(hp, parsed.value());
    }

    @Test
    void badValuesNameTheFieldAndTheAllowedRange() {
        assertProblem("heads", "7 does not divide d_model 64", Map.of("heads", "7"));
        assertProblem("lr", "0 is out of range (allowed: 1.0e-7..1)", Map.of("lr", "0"));
        assertProblem("lr", "-0.001 is out of range", Map.of("lr", "-1e-3"));
        assertProblem("vocab", "1 is out of range (allowed: 2..1024)", Map.of("vocab", "1"));
        assertProblem("layers", "13 is out of range (allowed: 1..12)", Map.of("layers", "13"));
        assertProblem("d_model", "'sixty' is not allowed (allowed: 8..1024)", Map.of("d_model", "sixty"));
        assertProblem("norm", "'middle' is not allowed (allowed: pre | post)", Map.of("norm", "middle"));
        assertProblem("layout", "'sideways' is not allowed", Map.of("layout", "sideways"));
        assertProblem("layout", "fixed:300 needs length >= 304", Map.of("layout", "fixed:300"));
        assertProblem("bogus", "unknown key", Map.of("bogus", "1"));
        assertProblem("max_positions", "shorter than train_length", Map.of("positional", "learned", "max_positions", "100"));
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() {
        HyperparameterSchema.Parsed p = HyperparameterSchema.parse(Map.of("lr", "0", "vocab", "1"));
        assertFalse(p.ok());
        assertEquals(2, p.problems().size());
    }

    @Test
    void wholeNumbersAcceptScientificNotationButNotFractions() {
        assertEquals(200_000L, Hyperparameters.defaults().with("max_steps", "2e5").maxSteps());
        assertThrows(InvalidConfigException.class, () -> Hyperparameters.defaults().with("batch_size", "2.5"));
    }

    @Test
    void presetsAreValidAndUnknownOnesAreRefused() {
        for (Preset p : Preset.builtIn()) {
            assertTrue(p.apply().problems().isEmpty(), p.name());
        }
        var e = assertThrows(InvalidConfigException.class, () -> Preset.load("nope"));
        assertEquals("preset", e.problems().get(0).key());
    }

    private static void assertProblem(String key, String fragment, Map<String, String> values) {
        HyperparameterSchema.Parsed p = HyperparameterSchema.parse(values);
        assertFalse(p.ok(), "expected a problem with " + values);
        List<Problem> problems = p.problems();
        assertTrue(problems.stream().anyMatch(x -> x.key().equals(key) && x.message().contains(fragment)),
                "expected '" + key + ": ..." + fragment + "...' in " + problems);
    }
}
