package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's named parameters, in the order they were added (the checkpoint's order), and the one way to
 * copy a checkpoint's values into them, names and shapes checked.
 */
final class Parameters {
    private final Map<String, NDArray> byName = new LinkedHashMap<>();

    /** Names {@code array} and keeps it; returns it. */
    NDArray add(String name, NDArray array) {
        array.setName(name);
        byName.put(name, array);
        return array;
    }

    /** Every parameter by name, read-only. */
    Map<String, NDArray> all() {
        return Collections.unmodifiableMap(byName);
    }

    /** Marks every parameter as trained (gradients collected). */
    void requireGradients() {
        for (NDArray p : byName.values()) {
            p.setRequiresGradient(true);
        }
    }

    /** Copies {@code values} in by name; a missing name or another shape is refused. */
    void load(Map<String, NDArray> values) {
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            NDArray src = values.get(e.getKey());
            if (src == null) {
                throw new IllegalArgumentException("checkpoint has no parameter " + e.getKey());
            }
            if (!src.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " has shape " + src.getShape()
                        + ", the model needs " + e.getValue().getShape());
            }
            Autograd.assign(e.getValue(), src);
        }
    }
}
