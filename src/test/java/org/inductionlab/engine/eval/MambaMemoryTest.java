package org.inductionlab.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.MambaModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The memory probe reads each channel's Δ where the task puts M and on the noise after it. */
class MambaMemoryTest {

    @BeforeAll
    static void engine() {
        EngineRuntime.start(0);
    }

    @Test
    void aChannelWhoseΔIgnoresTheTokenHasTheHalfLifeOfItsBias() {
        Hyperparameters hp = TestConfigs.tiny("architecture=mamba", "d_model=16", "d_state=4", "a_min=0.5", "a_max=3",
                "dt_min=1e-4", "dt_max=1e-2");
        try (NDManager m = NDManager.newBaseManager(); MambaModel model = new MambaModel(hp, m)) {
            // with the Δ projection's weights zeroed, Δ = softplus(bias) at every token: no selection at all
            Map<String, NDArray> values = new HashMap<>(model.parameters());
            float[][] bias = new float[hp.layers()][];
            for (int l = 0; l < hp.layers(); l++) {
                String w = "layers." + l + ".dt_proj.weight";
                values.put(w, m.zeros(model.parameters().get(w).getShape()));
                bias[l] = model.parameters().get("layers." + l + ".dt_proj.bias").toFloatArray();
            }
            model.load(values);
            MambaMemory mem = MambaMemory.measure(model, 64, 5, 4, 1);
            assertEquals(hp.layers() * hp.expand() * hp.dModel(), mem.channels().size());
            for (MambaMemory.Channel c : mem.channels()) {
                double delta = Math.log1p(Math.exp(bias[c.layer()][c.channel()]));
                assertEquals(delta, c.deltaAtWrite(), 1e-4 * delta, "Δ at the write");
                assertEquals(delta, c.deltaOnNoise(), 1e-4 * delta, "Δ on the noise");
                assertEquals(0.5, c.slowestRate(), 1e-5, "|A|min is a_min");
                assertEquals(Math.log(2) / (delta * 0.5), c.halfLife(), 1e-3 * c.halfLife());
                assertEquals(0.5, c.keptAfter(c.halfLife()), 1e-9);
            }
            assertTrue(mem.carriers(MambaMemory.WRITES_AT).isEmpty(), "a channel that does not select writes nothing");
        }
    }

    @Test
    void theTrainedDemoWritesMInTheConvolutionWindowAndMostWritersForgetItBy2To14() throws Exception {
        try (var run = org.inductionlab.engine.lab.LoadedRun.open(
                java.nio.file.Path.of("resources/demo-runs/demo-mamba"), null)) {
            MambaMemory mem = MambaMemory.measure((MambaModel) run.model(), 1024, 8, 4, 1);
            var carriers = mem.carriers(MambaMemory.WRITES_AT);
            // the write is read over the convolution window: at M itself only one or two channels pass the rule
            assertTrue(carriers.size() >= 20, "many channels write M within the window: " + carriers.size());
            assertTrue(carriers.stream().anyMatch(c -> c.writeAt() > 0), "some write after M, while the window holds it");
            // what its sweep shows: it holds to 2^11 and fails by 2^14 (docs/benchmarks.md): most writers forget by then
            long longLived = carriers.stream().filter(c -> c.halfLife() > (1 << 14)).count();
            assertTrue(longLived * 4 < carriers.size(), longLived + " of " + carriers.size() + " keep M past 2^14");
        }
    }
}
