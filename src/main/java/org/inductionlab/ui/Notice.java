package org.inductionlab.ui;

/** Something worth a notification: a title, one line of text, and whether it is an error (shown red). */
public record Notice(String title, String text, boolean error) {}
