package dev.seedforge.generate;

import dev.seedforge.util.Secrets;

/**
 * An error that no retry can fix (bad key, unknown model): the run stops at once with a message
 * telling the user what to change. The message has every key redacted ({@link Secrets}).
 */
public final class FatalCallException extends RuntimeException {
  public FatalCallException(String message) {
    super(Secrets.redact(message));
  }
}
