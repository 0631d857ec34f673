package org.inductionlab.engine;

import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.platform.DeviceUnavailableException;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.train.Trainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DeviceTest {

    @Test
    void askingForAMissingGpuIsAClearErrorNeverASilentCpuRun() {
        EngineRuntime.start(0);
        assumeTrue(EngineRuntime.gpuCount() == 0, "this machine has a GPU");
        var e = assertThrows(DeviceUnavailableException.class, () -> EngineRuntime.device(DeviceChoice.GPU));
        assertTrue(e.getMessage().startsWith("device: gpu asked for, but DJL sees no CUDA GPU"), e.getMessage());
        assertThrows(DeviceUnavailableException.class,
                () -> new Trainer(TestConfigs.tiny("device=gpu"), null, null, null).run(false));
        assertFalse(EngineRuntime.device(DeviceChoice.AUTO).isGpu(), "auto falls back to the CPU");
    }
}
