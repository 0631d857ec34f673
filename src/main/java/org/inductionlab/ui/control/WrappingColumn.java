package org.inductionlab.ui.control;

import javafx.scene.Node;
import javafx.scene.layout.VBox;

/**
 * A column for a {@link javafx.scene.control.ScrollPane} that fits it to its height. The scroll pane asks its
 * content's minimum height with no width, and a label that wraps answers that as one line; at a projector's zoom
 * a column of wrapped labels is then laid out shorter than its text, and the last lines are cut instead of
 * scrolled to. Asked without a width, this column answers for the width it has.
 */
public class WrappingColumn extends VBox {

    public WrappingColumn(double spacing, Node... children) {
        super(spacing, children);
    }

    @Override
    protected double computeMinHeight(double width) {
        return super.computeMinHeight(width < 0 && getWidth() > 0 ? getWidth() : width);
    }
}
