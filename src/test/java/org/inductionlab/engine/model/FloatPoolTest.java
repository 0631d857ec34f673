package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.platform.EngineRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How the kernels move arrays in and out of libtorch: the values, in order, whatever the strides. */
class FloatPoolTest {

    @BeforeAll
    static void engine() {
        EngineRuntime.start(0);
    }

    @Test
    void readGivesTheValuesInOrderEvenOfAStridedArray() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(24f).reshape(2, 3, 4);
            assertArrayEquals(x.toFloatArray(), FloatPool.read(x));
            NDArray strided = x.transpose(0, 2, 1); // not contiguous: read must follow its logical order
            assertArrayEquals(strided.toFloatArray(), FloatPool.read(strided));
            float[] into = new float[24];
            assertSame(into, FloatPool.read(strided, into));
            assertArrayEquals(strided.toFloatArray(), into);
            var e = assertThrows(IllegalArgumentException.class, () -> FloatPool.read(x.toType(DataType.FLOAT16, false)));
            assertEquals("a kernel reads float32, not float16", e.getMessage());
        }
    }

    @Test
    void arrayHoldsTheValuesInTheShapeGiven() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] values = new float[30];
            for (int i = 0; i < values.length; i++) {
                values[i] = i * 0.5f - 3;
            }
            NDArray a = FloatPool.array(m, values, new Shape(5, 6));
            assertEquals(new Shape(5, 6), a.getShape());
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertArrayEquals(values, a.toFloatArray());
            assertArrayEquals(values, FloatPool.read(a.add(0)), "a tensor libtorch computes with");
        }
    }
}
