package org.inductionlab.ui.train;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableMap;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Problem;
import org.inductionlab.engine.lab.Machine;
import org.inductionlab.engine.lab.TrainingJob;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every hyperparameter as editable text, checked by the engine's own schema (the one source of truth) on
 * each change: the problems by key, the first of them, and the model's size and cost when all is valid.
 */
final class HyperparameterForm {

    private final Map<String, StringProperty> fields = new LinkedHashMap<>();
    private final ObservableMap<String, String> problems = FXCollections.observableHashMap();
    private final ReadOnlyStringWrapper estimate = new ReadOnlyStringWrapper("");
    private final Runnable onChange;
    private HyperparameterSchema.Parsed parsed = new HyperparameterSchema.Parsed(null, java.util.List.of());
    private boolean settingAll;

    /** {@code onChange} runs after every re-check (a field typed, or a whole set loaded). */
    HyperparameterForm(Runnable onChange) {
        this.onChange = onChange;
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            StringProperty p = new SimpleStringProperty("");
            p.addListener((o, a, b) -> {
                if (!settingAll) {
                    validate();
                }
            });
            fields.put(f.key(), p);
        }
    }

    StringProperty field(String key) {
        return fields.get(key);
    }

    ObservableMap<String, String> problems() {
        return problems;
    }

    ReadOnlyStringProperty estimate() {
        return estimate.getReadOnlyProperty();
    }

    /** Fills every field at once and checks them once. */
    void setAll(Map<String, String> text) {
        settingAll = true;
        try {
            text.forEach((k, v) -> {
                StringProperty p = fields.get(k);
                if (p != null) {
                    p.set(v);
                }
            });
        } finally {
            settingAll = false;
        }
        validate();
    }

    Map<String, String> texts() {
        Map<String, String> text = new LinkedHashMap<>();
        fields.forEach((k, p) -> text.put(k, p.get()));
        return text;
    }

    /** The first problem in the engine's words ("lr: 0 is out of range …"), or null when all is valid. */
    String firstProblem() {
        return parsed.problems().isEmpty() ? null : parsed.problems().get(0).toString();
    }

    /** The values, or null while any field is invalid. */
    Hyperparameters value() {
        return parsed.ok() ? parsed.value() : null;
    }

    void validate() {
        parsed = HyperparameterSchema.parse(texts());
        Map<String, String> byKey = new LinkedHashMap<>();
        for (Problem p : parsed.problems()) {
            byKey.merge(p.key(), p.message(), (a, b) -> a + "; " + b);
        }
        problems.keySet().retainAll(byKey.keySet());
        problems.putAll(byKey);
        if (parsed.value() != null) {
            Hyperparameters hp = parsed.value();
            TrainingJob.Cost cost = TrainingJob.cost(hp);
            estimate.set(String.format(Locale.ROOT, "%,d parameters · about %s of memory per step · %.2f GFLOP per step",
                    cost.parameters(), Machine.mib(cost.bytesPerStep()), cost.flopsPerStep() / 1e9));
        } else {
            estimate.set("");
        }
        onChange.run();
    }
}
