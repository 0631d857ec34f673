package org.inductionlab.ui.attention;

import javafx.beans.Observable;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.inductionlab.engine.lab.AttentionQuery;

import java.nio.file.Path;
import java.util.List;

/**
 * What the Attention page asks about: a generated sequence (length, layout, seed), a typed one, a line of a
 * token file, or the watched sequence as training recorded it. The fields of every source are kept, so
 * switching back finds them as they were.
 */
public final class AttentionInput {
    private final ObjectProperty<AttentionViewModel.Source> source =
            new SimpleObjectProperty<>(AttentionViewModel.Source.GENERATED);
    private final IntegerProperty length = new SimpleIntegerProperty(64);
    private final StringProperty layout = new SimpleStringProperty("");
    private final LongProperty seed = new SimpleLongProperty(AttentionQuery.DEFAULT_SEED);
    private final StringProperty typed = new SimpleStringProperty("");
    private final ObjectProperty<Path> file = new SimpleObjectProperty<>();
    private final IntegerProperty line = new SimpleIntegerProperty(1);

    public ObjectProperty<AttentionViewModel.Source> source() {
        return source;
    }

    public IntegerProperty length() {
        return length;
    }

    public StringProperty layout() {
        return layout;
    }

    public LongProperty seed() {
        return seed;
    }

    public StringProperty typed() {
        return typed;
    }

    public ObjectProperty<Path> file() {
        return file;
    }

    public IntegerProperty line() {
        return line;
    }

    /** Every field: what a map is for, so that any change clears it. */
    List<Observable> fields() {
        return List.of(source, length, layout, seed, typed, file, line);
    }

    /** The engine's description of the sequence the fields choose (not for the recording). */
    AttentionQuery.Source query() {
        return switch (source.get()) {
            case TYPED -> new AttentionQuery.Typed(typed.get());
            case FILE -> new AttentionQuery.FileLine(file.get(), line.get());
            default -> new AttentionQuery.Generated(length.get(), layout.get(), seed.get());
        };
    }
}
