package org.inductionlab.ui;

import javafx.application.Platform;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.stage.Window;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small JavaFX helpers shared by the pages. */
public final class Fx {
    private Fx() {}

    /** Runs on the FX thread: now if already there, else later. */
    public static void run(Runnable r) {
        if (Platform.isFxApplicationThread()) {
            r.run();
        } else {
            Platform.runLater(r);
        }
    }

    /** Runs {@code r} once {@code node} is in a showing window (TilesFX lays out only then). */
    public static void whenShowing(Node node, Runnable r) {
        ObservableValue<Boolean> showing = node.sceneProperty().flatMap(Scene::windowProperty)
                .flatMap(Window::showingProperty).orElse(false);
        if (showing.getValue()) {
            r.run();
            return;
        }
        showing.addListener(new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends Boolean> o, Boolean was, Boolean now) {
                if (now) {
                    o.removeListener(this);
                    r.run();
                }
            }
        });
    }

    /** A PNG of the node as it is drawn now. */
    public static void writePng(Node node, Path file) throws IOException {
        WritableImage image = node.snapshot(null, null);
        writePng(image, file);
    }

    public static void writePng(WritableImage image, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
    }

    /** An error for the user, in the window: one line they can act on, the details folded away. */
    public static void showError(Window owner, String what, Throwable e) {
        run(() -> {
            Alert alert = new Alert(Alert.AlertType.ERROR, message(e), ButtonType.OK);
            alert.setHeaderText(what);
            if (owner != null && owner.isShowing()) {
                alert.initOwner(owner);
            }
            alert.show();
        });
    }

    public static String message(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.ExecutionException || t instanceof java.lang.reflect.InvocationTargetException
                || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    /**
     * A wrapping label in {@code styleClass} that shows {@code text} and takes no room while it is empty
     * (a problem under a form, a result under a table).
     */
    public static Label shownWhenSet(String id, String styleClass, javafx.beans.value.ObservableStringValue text) {
        Label l = new Label();
        l.setId(id);
        l.getStyleClass().add(styleClass);
        l.setWrapText(true);
        l.textProperty().bind(text);
        l.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(text));
        l.managedProperty().bind(l.visibleProperty());
        return l;
    }

    public static Label hint(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("hint");
        l.setWrapText(true);
        l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // wrap onto more lines rather than cut
        return l;
    }

    public static <T extends javafx.scene.control.Control> T tip(T control, String text) {
        control.setTooltip(new Tooltip(text));
        return control;
    }
}
