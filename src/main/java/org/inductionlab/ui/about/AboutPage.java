package org.inductionlab.ui.about;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;

/**
 * "About this experiment": what the task is, the two ways to solve it, what a run, a sweep and a heatmap
 * show, and what to try first. Large type, so a teacher can put it on a projector; shown on first launch.
 */
public final class AboutPage extends BorderPane {

    public AboutPage() {
        getStyleClass().addAll("page", "about-page");
        setId("about-page");
        VBox text = new VBox(14,
                title("About this experiment"),
                paragraph("The task", "Each sequence is random tokens 0–15 with a special token S. Somewhere S is"
                        + " followed by a memory token M; at the very end S appears again, and the model must predict"
                        + " M. Only that last prediction is scored. Chance is 1 in 16."),
                paragraph("Two ways to solve it", "By induction: find the earlier S and copy the token after it —"
                        + " this works wherever S is. By position: if S always sits at position 5 during training"
                        + " (the course's layout), reading position 6 is enough — and fails as soon as S moves."),
                paragraph("A run", "Train page: one model trained with one set of hyperparameters. Its settings,"
                        + " checkpoint and training curve live in a run folder; the jump in accuracy is marked as"
                        + " the phase change."),
                paragraph("A sweep", "Sweep page: a run's accuracy at lengths far beyond the one it was trained on,"
                        + " with 95 % error bars, beside the Mamba paper's Table 11."),
                paragraph("A heatmap", "Attention page: where each attention head looks. Orange dots mark induction"
                        + " cells (the token after an earlier copy of the current token), magenta the task's target"
                        + " (the final S looking at the token after the first S)."),
                paragraph("Try first", "1. Runs → demo-position → Compare on plot; set Layout to 'anywhere' and Run"
                        + " sweep: it collapses to chance.  2. Do the same with demo-induction: at its own length, 32,"
                        + " it is right 99.6 % of the time with S anywhere, but only 59 % at 64, 34 % at 128 and"
                        + " chance (about 6 %) by 2^12 — it finds S wherever S sat in training, not at positions it"
                        + " never saw.  3. Open both in Attention and find the head that looks at the token after"
                        + " the first S.  4. In Attention choose 'Training steps' on demo-induction-256 and press"
                        + " Play: watch that head form.  5. demo-mamba is Mamba, no attention at all: compare its"
                        + " sweep with the Transformer's, and in Attention see what carries M instead: the channels"
                        + " whose Δ jumps just after M."));
        text.setPadding(new Insets(10, 24, 10, 10));
        text.setMaxWidth(900);
        ScrollPane scroll = new ScrollPane(text);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("about-scroll");
        setCenter(scroll);
    }

    private static Label title(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("about-title");
        return l;
    }

    private static VBox paragraph(String heading, String body) {
        Label h = new Label(heading);
        h.getStyleClass().add("about-heading");
        Label b = new Label(body);
        b.getStyleClass().add("about-text");
        b.setWrapText(true);
        return new VBox(4, h, b);
    }
}
