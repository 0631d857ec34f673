package org.inductionlab.ui.layout;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.LabContext.Page;

import java.util.EnumMap;
import java.util.Map;

/**
 * The shell: navigation on the side, the current page in the middle, the engine and the runs folder in
 * the status bar. Ctrl+1..4 switch pages; Ctrl+plus/minus/0 zoom for projectors.
 */
public final class MainWindow extends BorderPane {

    private final Map<Page, Node> pages = new EnumMap<>(Page.class);
    private final Map<Page, ToggleButton> buttons = new EnumMap<>(Page.class);
    private final StackPane content = new StackPane();
    private final ZoomControl zoom;
    private Page current;

    public MainWindow(LabContext ctx, Map<Page, Node> pageNodes) {
        getStyleClass().add("main-window");
        pages.putAll(pageNodes);
        ToggleGroup group = new ToggleGroup();
        VBox nav = new VBox(4);
        nav.getStyleClass().add("nav");
        Label title = new Label("Induction\nLab");
        title.getStyleClass().add("app-title");
        nav.getChildren().addAll(title, new Separator());
        int i = 1;
        for (Page p : Page.values()) {
            ToggleButton b = new ToggleButton(p.title);
            b.setId("nav-" + p.name().toLowerCase());
            b.setToggleGroup(group);
            b.setUserData(p);
            b.setMaxWidth(Double.MAX_VALUE);
            b.setTooltip(new Tooltip(p.title + " (Ctrl+" + i++ + ")"));
            buttons.put(p, b);
            nav.getChildren().add(b);
        }
        // the highlighted button is the page shown, however it was chosen: a click, the arrow keys (which
        // move the selection within the group), Ctrl+1..5 or another page; clicking the shown page keeps it
        group.selectedToggleProperty().addListener((o, was, now) -> {
            if (now == null) {
                group.selectToggle(was);
            } else if (now.getUserData() != current) {
                show((Page) now.getUserData());
            }
        });
        nav.setPadding(new Insets(10));
        nav.setMinWidth(Region.USE_PREF_SIZE); // its width is set in em (lab.css), so it grows with the zoom
        setLeft(nav);
        setCenter(content);
        content.setPadding(new Insets(10));

        zoom = new ZoomControl(ctx.settings(), this);
        Label engine = new Label();
        engine.setId("engine-status");
        engine.textProperty().bind(ctx.engineStatus());
        Label runsDir = new Label("runs: " + ctx.runs().directory());
        runsDir.setId("runs-dir");
        runsDir.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS); // both ends of a path say most
        // when the zoomed text is too wide, the runs folder gives way (both ends of its path stay); what the
        // engine runs on and the zoom control stay whole
        engine.setMinWidth(Region.USE_PREF_SIZE);
        runsDir.setMinWidth(0);
        HBox.setHgrow(runsDir, Priority.SOMETIMES);
        Fx.tip(engine, "");
        engine.getTooltip().textProperty().bind(engine.textProperty());
        Fx.tip(runsDir, runsDir.getText());
        zoom.setMinWidth(Region.USE_PREF_SIZE);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox status = new HBox(16, engine, new Separator(javafx.geometry.Orientation.VERTICAL), runsDir, spacer, zoom);
        status.setAlignment(Pos.CENTER_LEFT);
        status.getStyleClass().add("status-bar");
        status.setPadding(new Insets(4, 10, 4, 10));
        setBottom(status);
        ctx.setNavigator(this::show);
        show(Page.TRAIN);
    }

    public void show(Page page) {
        current = page;
        content.getChildren().setAll(pages.get(page));
        buttons.get(page).setSelected(true);
    }

    /** The side bar's highlighted page (for tests: it is always the page shown). */
    public Page highlighted() {
        return buttons.entrySet().stream().filter(e -> e.getValue().isSelected()).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    public Page current() {
        return current;
    }

    /** Page and zoom shortcuts; the pages add their own (Start, Stop). */
    public void installShortcuts(Scene scene) {
        int i = 0;
        KeyCode[] digits = {KeyCode.DIGIT1, KeyCode.DIGIT2, KeyCode.DIGIT3, KeyCode.DIGIT4, KeyCode.DIGIT5};
        for (Page p : Page.values()) {
            scene.getAccelerators().put(new KeyCodeCombination(digits[i++], KeyCombination.SHORTCUT_DOWN), () -> show(p));
        }
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.EQUALS, KeyCombination.SHORTCUT_DOWN), zoom::in);
        // Ctrl+Shift+= is what "Ctrl+plus" is on a US keyboard
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.EQUALS, KeyCombination.SHORTCUT_DOWN,
                KeyCombination.SHIFT_DOWN), zoom::in);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.PLUS, KeyCombination.SHORTCUT_DOWN), zoom::in);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.ADD, KeyCombination.SHORTCUT_DOWN), zoom::in);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.MINUS, KeyCombination.SHORTCUT_DOWN), zoom::out);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.SUBTRACT, KeyCombination.SHORTCUT_DOWN), zoom::out);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.DIGIT0, KeyCombination.SHORTCUT_DOWN), zoom::reset);
    }
}
