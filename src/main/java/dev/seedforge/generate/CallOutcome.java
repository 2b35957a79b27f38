package dev.seedforge.generate;

import java.io.Serializable;

/**
 * What one call ended as: a response (text, finish reason, token usage as the provider reported
 * it) or an error (kind and message). Parsing happens in a later step, away from the I/O threads.
 */
public record CallOutcome(
    GenerationRequest request,
    String text,
    String finishReason,
    long inputTokens,
    long outputTokens,
    int attempts,
    boolean cached,
    String errorKind,
    String errorMessage)
    implements Serializable {

  public static CallOutcome success(GenerationRequest r, String text, String finishReason, long in, long out, int attempts, boolean cached) {
    return new CallOutcome(r, text, finishReason, in, out, attempts, cached, null, null);
  }

  public static CallOutcome failure(GenerationRequest r, String kind, String message, int attempts) {
    return new CallOutcome(r, null, null, 0, 0, attempts, false, kind, message);
  }

  public boolean ok() {
    return errorKind == null;
  }
}
