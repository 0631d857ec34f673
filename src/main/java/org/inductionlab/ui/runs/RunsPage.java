package org.inductionlab.ui.runs;

import javafx.beans.property.SimpleStringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.UnitNames;

import java.io.File;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/** Page 4: the run folders, and what can be done with each. */
public final class RunsPage extends BorderPane {

    private final RunsViewModel vm;
    private final TableView<RunEntry> table = new TableView<>();
    private java.nio.file.Path selectedPath; // kept across the list's refreshes, and across a rename

    public RunsPage(LabContext ctx, RunsViewModel vm) {
        this.vm = vm;
        getStyleClass().add("page");
        setId("runs-page");

        table.setItems(vm.runs());
        table.setId("runs-table");
        table.getColumns().add(column("Name", 190, RunEntry::name));
        table.getColumns().add(column("Preset", 100, RunEntry::preset));
        table.getColumns().add(column("Status", 85, r -> r.status().word()));
        table.getColumns().add(column("Steps", 75, r -> String.format(Locale.ROOT, "%,d", r.steps())));
        table.getColumns().add(column("Running accuracy", 145, r -> Double.isNaN(r.runningAccuracy()) ? "–"
                : String.format(Locale.ROOT, "%.1f %%", 100 * r.runningAccuracy())));
        table.getColumns().add(column("Model", 220, r -> UnitNames.model(r.hyperparameters())));
        table.getColumns().add(column("Trained on", 140, r -> r.hyperparameters().layout() + ", L="
                + r.hyperparameters().trainLength()));
        table.getColumns().add(column("Created", 140, RunEntry::createdShort));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getStyleClass().add("runs-table"); // minimum height in em (lab.css)
        // the selection survives a refresh (the list is rebuilt) and follows a renamed run to its new name
        table.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (r != null) {
                selectedPath = r.path();
                table.scrollTo(r); // in view, when it was selected from elsewhere (a rename, a refresh)
            }
            vm.select(r != null ? r : selectedPath == null ? null : vm.runs().stream()
                    .filter(x -> x.path().equals(selectedPath)).findFirst().orElse(null));
        });
        vm.runs().addListener((javafx.collections.ListChangeListener<RunEntry>) c -> reselect());
        ctx.events().subscribe(org.inductionlab.ui.event.RunEvents.Moved.class, e -> {
            if (e.path().equals(selectedPath)) {
                selectedPath = e.newPath();
                reselect();
            }
        });
        table.setPlaceholder(new Label("No runs yet: train one on the Train page, or open a run folder."));
        table.setRowFactory(tv -> {
            var row = new javafx.scene.control.TableRow<RunEntry>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) {
                    vm.openInAttention(row.getItem());
                }
            });
            return row;
        });

        Button attention = action("Attention", "Open the run's attention maps", vm::openInAttention);
        Button compare = action("Compare on plot", "Add the run to the Sweep page's plot", vm::compare);
        Button curve = action("Training curve", "Show its curve and settings on the Train page (resume a stopped run"
                + " there)", vm::openInTrain);
        Button rename = action("Rename…", "Rename the run folder", this::rename);
        Button delete = action("Delete…", "Delete the run folder", this::delete);
        delete.setId("delete-run");
        Button open = new Button("Open run folder…");
        open.setOnAction(e -> chooseFolder("Open a run folder (one with config.json)", vm::openFolder));
        Button openStudy = new Button("Open study…");
        openStudy.setId("open-study");
        Fx.tip(openStudy, "Open a study folder (made by 'induction-lab study plan'): its runs join this list and the"
                + " Sweep page plots them grouped by a setting, mean and spread across seeds");
        openStudy.setOnAction(e -> chooseFolder("Open a study folder (one with study.json)", vm::openStudy));
        Button importModel = new Button("Open model…");
        importModel.setId("import-model");
        Fx.tip(importModel, "Make a run from a .safetensors model: one exported by the lab, or a PyTorch"
                + " nn.TransformerEncoder saved with python/to_safetensors.py");
        importModel.setOnAction(e -> importModel());
        Button export = action("Export model…", "Write the run's weights and settings to a .safetensors file"
                + " (python/induction_lab_torch.py loads it in PyTorch)", this::exportModel);
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> vm.refresh());
        Button probe = action("Induction or position?", "Probe the run: re-score it with S where it was trained,"
                + " moved, in [0, 10) and anywhere, and say whether it uses induction or a positional shortcut",
                vm::probe);
        probe.setId("probe-run");
        HBox actions = new HBox(8, attention, compare, curve, probe, rename, delete);
        HBox more = new HBox(8, open, openStudy, importModel, export, refresh);
        Label message = new Label();
        message.setId("runs-message");
        message.setWrapText(true);
        message.textProperty().bind(vm.message());
        vm.error().addListener((o, was, isError) -> {
            message.getStyleClass().remove("problem");
            if (isError) {
                message.getStyleClass().add("problem");
            }
        });
        Label where = Fx.hint("Runs are stored in " + ctx.runs().directory() + ". Runs trained with the command"
                + " line (train --out DIR) open here too: put them in that folder or use Open run folder.");
        Label title = new Label("Runs");
        title.getStyleClass().add("section-title");
        Label probeResult = Fx.shownWhenSet("probe-result", "probe-result", vm.probeText());
        // the probe's table whole, to its last "anywhere" row (those decide the verdict): the run table gives
        // way down to its minimum, and below that the page scrolls
        probeResult.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        probeResult.setMaxWidth(Double.MAX_VALUE);
        Label unreadable = Fx.shownWhenSet("runs-unreadable", "problem", vm.unreadable());
        unreadable.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        message.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        where.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        javafx.scene.layout.FlowPane actionRow = new javafx.scene.layout.FlowPane(8, 6);
        actionRow.getChildren().setAll(actions.getChildren());
        javafx.scene.layout.FlowPane moreRow = new javafx.scene.layout.FlowPane(8, 6);
        moreRow.getChildren().setAll(more.getChildren());
        VBox box = new org.inductionlab.ui.control.WrappingColumn(8, title, where, table, unreadable, actionRow, moreRow, message,
                probeResult);
        box.setPadding(new Insets(0, 4, 0, 0));
        javafx.scene.layout.VBox.setVgrow(table, javafx.scene.layout.Priority.ALWAYS);
        javafx.scene.control.ScrollPane scroll = new javafx.scene.control.ScrollPane(box);
        scroll.setId("runs-scroll");
        scroll.setFitToWidth(true);
        scroll.setFitToHeight(true);
        scroll.setHbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        scroll.getStyleClass().add("page-scroll");
        setCenter(scroll);
        // a verdict just asked for is scrolled into view (at a projector's zoom it is below the fold)
        vm.probeText().addListener((o, a, text) -> {
            if (!text.isEmpty()) {
                javafx.application.Platform.runLater(() -> {
                    scroll.layout(); // the result's height first, then to the bottom
                    scroll.setVvalue(scroll.getVmax());
                });
            }
        });
        // the columns' widths follow the zoom; when they no longer fit, the table scrolls sideways
        // rather than cutting every cell to "finish…"
        title.fontProperty().addListener(o -> fitColumns(title));
        table.widthProperty().addListener(o -> fitColumns(title));
    }

    /** Asks for a folder and hands it on; nothing happens when the dialog is cancelled. */
    private void chooseFolder(String title, Consumer<java.nio.file.Path> then) {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle(title);
        File f = dc.showDialog(getScene().getWindow());
        if (f != null) {
            then.accept(f.toPath());
        }
    }

    private static TableColumn<RunEntry, String> column(String title, double width,
                                                         java.util.function.Function<RunEntry, String> value) {
        TableColumn<RunEntry, String> c = new TableColumn<>(title);
        c.setCellValueFactory(d -> new SimpleStringProperty(value.apply(d.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private Button action(String text, String tip, Consumer<RunEntry> onRun) {
        Button b = new Button(text);
        Fx.tip(b, tip);
        b.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        b.setOnAction(e -> {
            RunEntry r = table.getSelectionModel().getSelectedItem();
            if (r != null) {
                try {
                    onRun.accept(r);
                } catch (RuntimeException ex) {
                    Fx.showError(getScene().getWindow(), text.replace("…", "") + " failed", ex);
                }
            }
        });
        return b;
    }

    private void importModel() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Open a model (.safetensors)");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("safetensors models", "*.safetensors"));
        File f = fc.showOpenDialog(getScene().getWindow());
        if (f == null) {
            return;
        }
        Integer heads = null;
        if (RunsViewModel.needsHeads(f.toPath())) {
            TextInputDialog d = new TextInputDialog("8");
            d.setHeaderText(f.getName() + " does not say how many attention heads it has");
            d.setContentText("Heads (a divisor of d_model)");
            d.initOwner(getScene().getWindow());
            Optional<String> typed = d.showAndWait();
            if (typed.isEmpty()) {
                return;
            }
            try {
                heads = Integer.parseInt(typed.get().trim());
            } catch (NumberFormatException ex) {
                vm.importModel(f.toPath(), -1); // the engine's one-line error names heads and its range
                return;
            }
        }
        vm.importModel(f.toPath(), heads);
    }

    private void exportModel(RunEntry r) {
        FileChooser fc = new FileChooser();
        fc.setTitle("Export " + r.name());
        fc.setInitialFileName(r.name() + ".safetensors");
        File f = fc.showSaveDialog(getScene().getWindow());
        if (f != null) {
            vm.exportModel(r, f.toPath());
        }
    }

    private void rename(RunEntry r) {
        TextInputDialog d = new TextInputDialog(r.name());
        d.setHeaderText("Rename " + r.name());
        d.setContentText("New name");
        d.initOwner(getScene().getWindow());
        d.showAndWait().ifPresent(name -> {
            vm.rename(r, name.trim());
        });
    }

    private void fitColumns(Label sized) {
        double scale = sized.getFont().getSize() / 1.1 / 13; // the title is 1.1 em; widths below are for 13 px
        double sum = 0;
        for (TableColumn<RunEntry, ?> c : table.getColumns()) {
            double base = (double) c.getProperties().getOrDefault("base-width", c.getPrefWidth());
            c.getProperties().put("base-width", base);
            c.setPrefWidth(base * scale);
            sum += base * scale;
        }
        table.setColumnResizePolicy(sum > table.getWidth() - 20 ? TableView.UNCONSTRAINED_RESIZE_POLICY
                : TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    }

    /** The run the selection points at, once the list is rebuilt (after a refresh or a rename). */
    private void reselect() {
        if (selectedPath == null || table.getSelectionModel().getSelectedItem() != null
                && table.getSelectionModel().getSelectedItem().path().equals(selectedPath)) {
            return;
        }
        vm.runs().stream().filter(x -> x.path().equals(selectedPath)).findFirst()
                .ifPresent(x -> table.getSelectionModel().select(x));
    }

    /** The button that deletes, in {@link #deleteQuestion}. */
    public static final ButtonType DELETE = new ButtonType("Delete", javafx.scene.control.ButtonBar.ButtonData.OTHER);

    /** Asks before deleting; Enter keeps the run (the default button is Cancel, not Delete). */
    public static Alert deleteQuestion(RunEntry r) {
        Alert ask = new Alert(Alert.AlertType.CONFIRMATION, "Delete " + r.path() + " and everything in it? This cannot"
                + " be undone.", DELETE, ButtonType.CANCEL);
        ask.setHeaderText("Delete run " + r.name() + "?");
        ((javafx.scene.control.Button) ask.getDialogPane().lookupButton(DELETE)).setDefaultButton(false);
        ((javafx.scene.control.Button) ask.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        return ask;
    }

    private void delete(RunEntry r) {
        Alert ask = deleteQuestion(r);
        ask.initOwner(getScene().getWindow());
        Optional<ButtonType> answer = ask.showAndWait();
        if (answer.isPresent() && answer.get() == DELETE) {
            vm.delete(r);
        }
    }

    public TableView<RunEntry> table() {
        return table;
    }
}
