package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/** What every model does with its named parameters: copy a checkpoint's values in, names and shapes checked. */
final class Parameters {
    private Parameters() {}

    /** Copies {@code values} into {@code parameters} by name; a missing name or another shape is refused. */
    static void load(Map<String, NDArray> parameters, Map<String, NDArray> values) {
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
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
