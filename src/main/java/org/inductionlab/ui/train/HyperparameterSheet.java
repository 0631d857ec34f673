package org.inductionlab.ui.train;

import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.MapChangeListener;
import javafx.collections.ObservableMap;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import org.controlsfx.control.PropertySheet;
import org.controlsfx.property.editor.PropertyEditor;
import org.inductionlab.engine.config.HyperparameterSchema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every hyperparameter in ControlsFX's PropertySheet, grouped as the schema groups them. Each editor is
 * bound to the view model's text for its key and turns red, with the engine's message as tooltip, when
 * the engine rejects the value.
 */
public final class HyperparameterSheet {

    private HyperparameterSheet() {}

    public static PropertySheet create(TrainViewModel vm) {
        List<PropertySheet.Item> items = new ArrayList<>();
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            items.add(new FieldItem(f, vm.field(f.key()), vm.problems(), vm.editable(f.key())));
        }
        PropertySheet sheet = new PropertySheet(FXCollections.observableArrayList(items));
        sheet.setMode(PropertySheet.Mode.CATEGORY);
        sheet.setModeSwitcherVisible(false);
        sheet.setSearchBoxVisible(false); // ours (search) finds keys and help too, and shows every match
        List<String> order = java.util.Arrays.stream(HyperparameterSchema.Group.values()).map(g -> g.title).toList();
        sheet.setCategoryComparator(Comparator.comparingInt(order::indexOf));
        sheet.setId("hyperparameters");
        vm.problems().addListener((MapChangeListener<String, String>) c -> markGroups(sheet, vm));
        // the groups are rebuilt with the skin, and whenever the mode or the items change (clearing the search);
        // the new accordion gets its skin, and so its titled panes, only in the next pulse's CSS pass: mark them
        // after that pulse's layout, not in a runLater that can come first (the mark vanished on a real screen)
        Runnable later = () -> afterNextLayout(sheet, () -> markGroups(sheet, vm));
        sheet.skinProperty().addListener((o, a, b) -> later.run());
        sheet.modeProperty().addListener((o, a, b) -> later.run());
        sheet.getItems().addListener((javafx.collections.ListChangeListener<PropertySheet.Item>) c -> later.run());
        return sheet;
    }

    /**
     * A search box for the sheet: matches a field's label, its key (the name errors use, e.g. "lr") or its
     * help, and while it holds text the sheet lists the matches flat, so none hides in a collapsed group.
     */
    public static TextField search(PropertySheet sheet, List<PropertySheet.Item> all) {
        TextField box = new TextField();
        box.setId("hyperparameter-search");
        box.setPromptText("Search by name or key (e.g. lr)");
        box.textProperty().addListener((o, a, text) -> {
            String q = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
            if (q.isEmpty()) {
                sheet.getItems().setAll(all);
                sheet.setMode(PropertySheet.Mode.CATEGORY);
                return;
            }
            sheet.setMode(PropertySheet.Mode.NAME);
            sheet.getItems().setAll(all.stream().filter(i -> matches((FieldItem) i, q)).toList());
        });
        return box;
    }

    static boolean matches(FieldItem item, String query) {
        HyperparameterSchema.Field f = item.field;
        return f.key().contains(query.replace(' ', '_')) || f.label().toLowerCase(java.util.Locale.ROOT).contains(query)
                || f.help().toLowerCase(java.util.Locale.ROOT).contains(query);
    }

    /** Runs {@code r} once, after the next pulse has laid the node's scene out (or later, if not in a scene). */
    private static void afterNextLayout(Node node, Runnable r) {
        javafx.scene.Scene scene = node.getScene();
        if (scene == null) {
            javafx.application.Platform.runLater(r);
            return;
        }
        boolean[] done = {false};
        Runnable[] self = new Runnable[1];
        self[0] = () -> {
            if (!done[0]) {
                done[0] = true;
                r.run();
                javafx.application.Platform.runLater(() -> scene.removePostLayoutPulseListener(self[0]));
            }
        };
        scene.addPostLayoutPulseListener(self[0]);
        javafx.application.Platform.requestNextPulse();
    }

    /** A red dot on each group (collapsed or not) that holds a field with a problem. */
    private static void markGroups(PropertySheet sheet, TrainViewModel vm) {
        java.util.Set<String> bad = new java.util.HashSet<>();
        vm.problems().keySet().forEach(k -> bad.add(HyperparameterSchema.field(k).group().title));
        for (Node n : sheet.lookupAll(".titled-pane")) {
            if (n instanceof javafx.scene.control.TitledPane tp) {
                boolean problem = bad.contains(tp.getText());
                tp.getStyleClass().remove("has-problem");
                tp.setGraphic(null);
                if (problem) {
                    tp.getStyleClass().add("has-problem");
                    javafx.scene.control.Label dot = new javafx.scene.control.Label("●");
                    dot.getStyleClass().add("problem");
                    tp.setGraphic(dot);
                }
            }
        }
    }

    /** One field as a sheet row. */
    public static final class FieldItem implements PropertySheet.Item {
        final HyperparameterSchema.Field field;
        final StringProperty text;
        final ObservableMap<String, String> problems;
        final ObservableValue<Boolean> editable;

        FieldItem(HyperparameterSchema.Field field, StringProperty text, ObservableMap<String, String> problems,
                  ObservableValue<Boolean> editable) {
            this.field = field;
            this.text = text;
            this.problems = problems;
            this.editable = editable;
        }

        @Override
        public boolean isEditable() {
            return editable.getValue();
        }

        @Override
        public Class<?> getType() {
            return String.class;
        }

        @Override
        public String getCategory() {
            return field.group().title;
        }

        @Override
        public String getName() {
            return field.label();
        }

        @Override
        public String getDescription() {
            return field.key() + " — " + field.help() + " Allowed: " + field.allowed() + ".";
        }

        @Override
        public Object getValue() {
            return text.get();
        }

        @Override
        public void setValue(Object value) {
            text.set(value == null ? "" : value.toString());
        }

        @Override
        public Optional<ObservableValue<?>> getObservableValue() {
            return Optional.of(text);
        }

        @Override
        public Optional<Class<? extends PropertyEditor<?>>> getPropertyEditorClass() {
            return Optional.of(FieldEditor.class);
        }
    }

    /** A text field, or a list for fixed choices, bound to the item and marked when invalid. */
    public static final class FieldEditor implements PropertyEditor<Object> {
        private final FieldItem item;
        private final Control control;

        public FieldEditor(PropertySheet.Item sheetItem) {
            this.item = (FieldItem) sheetItem;
            HyperparameterSchema.Field f = item.field;
            if (f.kind() == HyperparameterSchema.Kind.CHOICE) {
                ComboBox<String> box = new ComboBox<>(FXCollections.observableArrayList(f.choices()));
                box.valueProperty().bindBidirectional(item.text);
                control = box;
            } else if (f.kind() == HyperparameterSchema.Kind.LAYOUT || f.kind() == HyperparameterSchema.Kind.PER_LAYER
                    || f.kind() == HyperparameterSchema.Kind.INTERVENTIONS
                    || f.kind() == HyperparameterSchema.Kind.LENGTH_FACTORS) {
                ComboBox<String> box = new ComboBox<>(FXCollections.observableArrayList(f.choices()));
                box.setEditable(true);
                box.valueProperty().bindBidirectional(item.text);
                // commit typing as it happens, not only on Enter
                box.getEditor().textProperty().addListener((o, a, b) -> {
                    if (!b.equals(item.text.get())) {
                        item.text.set(b);
                    }
                });
                control = box;
            } else {
                TextField field = new TextField();
                field.textProperty().bindBidirectional(item.text);
                control = field;
            }
            control.setId("field-" + f.key());
            control.setMaxWidth(Double.MAX_VALUE);
            // a small preferred width (it still fills its column): when zoomed, the fields give way, not the labels
            if (control instanceof TextField t) {
                t.setPrefColumnCount(4);
            } else {
                control.setPrefWidth(60);
            }
            // greyed when the architecture does not read it, or a shown run's weights fix it (Resume). Set, not
            // bound: the sheet sets it from isEditable() when it builds the row. The listener lives as long as
            // the control (the sheet makes new editors whenever it regroups).
            control.setDisable(!item.isEditable());
            javafx.beans.value.ChangeListener<Boolean> follow = (o, was, now) -> control.setDisable(!now);
            control.getProperties().put("editable-listener", follow);
            item.editable.addListener(new javafx.beans.value.WeakChangeListener<>(follow));
            item.problems.addListener((MapChangeListener<String, String>) c -> {
                if (c.getKey().equals(f.key())) {
                    mark();
                }
            });
            mark();
        }

        private void mark() {
            String problem = item.problems.get(item.field.key());
            if (problem == null) {
                control.getStyleClass().remove("invalid");
                control.setTooltip(new Tooltip(item.getDescription()));
            } else {
                if (!control.getStyleClass().contains("invalid")) {
                    control.getStyleClass().add("invalid");
                }
                control.setTooltip(new Tooltip(item.field.key() + ": " + problem));
            }
        }

        @Override
        public Node getEditor() {
            return control;
        }

        @Override
        public Object getValue() {
            return item.text.get();
        }

        @Override
        public void setValue(Object value) {
            String v = value == null ? "" : value.toString();
            if (!v.equals(item.text.get())) {
                item.text.set(v);
            }
        }
    }

}
