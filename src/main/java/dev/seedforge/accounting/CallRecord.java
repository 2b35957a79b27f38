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
 * @param candidates the candidates its answer parsed into (0: failed, or an answer the parser rejected)
 * @param cachedInputTokens of {@code inputTokens}, those the provider served from its prompt cache
 *     ({@code usage.prompt_tokens_details.cached_tokens}), billed at the cached rate
 */
public record CallRecord(
    String requestId, String label, int round, Source source, String failureKind, String message,
    int attempts, long inputTokens, long outputTokens, long picoUsd, int candidates, long cachedInputTokens) implements Serializable {

  /** A record whose usage says nothing about the provider's prompt cache. */
  public CallRecord(String requestId, String label, int round, Source source, String failureKind, String message,
      int attempts, long inputTokens, long outputTokens, long picoUsd, int candidates) {
    this(requestId, label, round, source, failureKind, message, attempts, inputTokens, outputTokens, picoUsd, candidates, 0);
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
