package org.inductionlab.ui.layout;

import javafx.collections.FXCollections;
import javafx.scene.Parent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.util.StringConverter;
import org.inductionlab.ui.LabSettings;

import java.util.List;

/** Text size for the whole window (laptop to projector), remembered between launches. */
final class ZoomControl extends HBox {

    static final List<Double> LEVELS = List.of(0.85, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0);
    static final double BASE_FONT_PX = 13;

    private final ComboBox<Double> box = new ComboBox<>(FXCollections.observableArrayList(LEVELS));
    private final LabSettings settings;
    private final Parent root;

    ZoomControl(LabSettings settings, Parent root) {
        super(6);
        this.settings = settings;
        this.root = root;
        box.setId("zoom");
        box.setConverter(new StringConverter<>() {
            @Override
            public String toString(Double d) {
                return d == null ? "" : Math.round(d * 100) + " %";
            }

            @Override
            public Double fromString(String s) {
                return Double.parseDouble(s.replace("%", "").trim()) / 100;
            }
        });
        box.setTooltip(new Tooltip("Text size (Ctrl+plus, Ctrl+minus, Ctrl+0)"));
        box.valueProperty().addListener((o, a, b) -> apply(b));
        Label label = new Label("Zoom");
        label.setMinWidth(Region.USE_PREF_SIZE);
        box.setMinWidth(Region.USE_PREF_SIZE);
        setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        getChildren().addAll(label, box);
        double saved = settings.getDouble("zoom", 1.0);
        box.setValue(LEVELS.contains(saved) ? saved : 1.0);
        apply(box.getValue());
    }

    private void apply(Double level) {
        if (level == null) {
            return;
        }
        root.setStyle(String.format(java.util.Locale.ROOT, "-fx-font-size: %.1fpx;", BASE_FONT_PX * level));
        settings.put("zoom", level);
        settings.save();
    }

    void in() {
        int i = LEVELS.indexOf(box.getValue());
        box.setValue(LEVELS.get(Math.min(LEVELS.size() - 1, i + 1)));
    }

    void out() {
        int i = LEVELS.indexOf(box.getValue());
        box.setValue(LEVELS.get(Math.max(0, i - 1)));
    }

    void reset() {
        box.setValue(1.0);
    }
}
