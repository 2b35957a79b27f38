package dev.seedforge.generate;

import java.io.Serializable;

/** A call that produced nothing usable after its retries: what failed, how, and how often it was tried. */
public record Failure(
    String requestId,
    String label,
    String strategy,
    String templateId,
    String model,
    String errorKind,
    String message,
    int attempts)
    implements Serializable {}
