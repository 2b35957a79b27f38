package dev.seedforge.generate;

/** Sends one planned request and says what it ended as. Implementations are thread-safe. */
public interface ModelCaller {
  /**
   * @return a success or a failure outcome; never null
   * @throws FatalCallException when no further call can succeed (authentication, unknown model)
   */
  CallOutcome call(GenerationRequest request);
}
