package dev.seedforge.accounting;

import java.io.Serializable;

/**
 * What became of one planned request in one round: answered by a call this round paid for,
 * answered from the response cache, or failed (after its attempts, or never sent because the run
 * had stopped). The pipeline writes one per request and round; the run's account is their sum.
 *
 * @param attempts HTTP requests sent for it this round (0 when it was not sent)
 * @param inputTokens as the provider reported them (for cache hits: as stored, not billed again)
 * @param picoUsd what this round paid for it, in pico-dollars ({@link Usd})
 * @param candidates the candidates its answer parsed into (0: failed, or an answer the parser rejected);
 *     for a judge call, the candidates it gave a verdict for
 * @param cachedInputTokens of {@code inputTokens}, those the provider served from its prompt cache
 *     ({@code usage.prompt_tokens_details.cached_tokens}), billed at the cached rate
 * @param millis wall time of the call this round, attempts and waits included (0 when nothing was sent)
 * @param purpose what the call was for: generating candidates, or judging them
 */
public record CallRecord(
    String requestId, String label, int round, Source source, String failureKind, String message,
    int attempts, long inputTokens, long outputTokens, long picoUsd, int candidates, long cachedInputTokens, long millis, Purpose purpose)
    implements Serializable {

  /** What a call was for; the manifest accounts for each separately. */
  public enum Purpose {
    GENERATION,
    JUDGE
  }

  public CallRecord {
    purpose = purpose == null ? Purpose.GENERATION : purpose;
  }

  /** A generation call's record whose usage says nothing about the provider's prompt cache, its time unknown. */
  public CallRecord(String requestId, String label, int round, Source source, String failureKind, String message,
      int attempts, long inputTokens, long outputTokens, long picoUsd, int candidates) {
    this(requestId, label, round, source, failureKind, message, attempts, inputTokens, outputTokens, picoUsd, candidates, 0, 0, Purpose.GENERATION);
  }

  /** A generation call's record, its time unknown. */
  public CallRecord(String requestId, String label, int round, Source source, String failureKind, String message,
      int attempts, long inputTokens, long outputTokens, long picoUsd, int candidates, long cachedInputTokens) {
    this(requestId, label, round, source, failureKind, message, attempts, inputTokens, outputTokens, picoUsd, candidates, cachedInputTokens, 0,
        Purpose.GENERATION);
  }

  public CallRecord withPurpose(Purpose p) {
    return new CallRecord(requestId, label, round, source, failureKind, message, attempts, inputTokens, outputTokens, picoUsd, candidates,
        cachedInputTokens, millis, p);
  }


  /** Where the answer came from. */
  public enum Source {
    /** Sent by this round (answered or failed). */
    CALLED,
    /** From the response cache, paid for by an earlier run. */
    CACHED,
    /** From the response cache, paid for by an earlier round of this run. */
    REUSED,
    /** Not sent: the run had stopped (budget, circuit breaker). */
    NOT_SENT
  }

  public boolean ok() {
    return failureKind == null;
  }

  /** Answered with something the parser could use. */
  public boolean usable() {
    return ok() && candidates > 0;
  }

  /** Sent and answered by this round. */
  public boolean made() {
    return source == Source.CALLED && ok();
  }
}
