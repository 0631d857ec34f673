package org.inductionlab.ui;

import javafx.application.Application;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Entry point for the window, called by Main (which must not be a JavaFX Application itself). */
public final class LabLauncher {
    // A strong reference, or the level is lost when the logger is collected.
    private static final Logger JAVAFX_LOG = Logger.getLogger("javafx");

    private LabLauncher() {}

    public static void launch(String[] args) {
        // JavaFX on the class path warns once that it is "unsupported"; it works, and users need not see it.
        JAVAFX_LOG.setLevel(Level.SEVERE);
        Application.launch(LabApp.class, args);
    }
}
