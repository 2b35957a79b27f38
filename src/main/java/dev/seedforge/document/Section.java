package dev.seedforge.document;

/**
 * A stretch of a document's extracted text that chunks never cross: a PDF page, or the text under
 * one Markdown or HTML heading. {@code offset} is where it starts in the document's text.
 */
record Section(String text, Integer page, String heading, int offset) {}
