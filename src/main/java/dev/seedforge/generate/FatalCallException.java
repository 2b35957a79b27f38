package dev.seedforge.generate;

/**
 * An error that no retry can fix (bad key, unknown model): the run stops at once with a message
 * telling the user what to change.
 */
public final class FatalCallException extends RuntimeException {
  public FatalCallException(String message) {
    super(message);
  }
}
