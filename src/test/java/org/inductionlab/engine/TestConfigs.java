package org.inductionlab.engine;

import org.inductionlab.engine.config.Hyperparameters;

import java.util.LinkedHashMap;
import java.util.Map;

/** Tiny configurations that train in seconds on a CI machine's CPU. */
public final class TestConfigs {
    private TestConfigs() {}

    /** A 2-layer, d=16, 2-head model on sequences of 24 tokens, CPU, deterministic (no dropout). */
    public static Hyperparameters tiny(String... overrides) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("train_length", "24");
        v.put("d_model", "16");
        v.put("heads", "2");
        v.put("norm", "pre");
        v.put("dropout", "0");
        v.put("batch_size", "16");
        v.put("lr", "3e-3");
        v.put("max_steps", "40");
        v.put("window", "20");
        v.put("checkpoint_every", "10");
        v.put("log_every", "5");
        v.put("device", "cpu");
        v.put("seed", "7");
        for (String o : overrides) {
            int eq = o.indexOf('=');
            v.put(o.substring(0, eq), o.substring(eq + 1));
        }
        return Hyperparameters.defaults().with(v).validated();
    }
}
