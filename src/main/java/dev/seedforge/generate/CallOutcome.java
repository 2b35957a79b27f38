package dev.seedforge.generate;

import dev.seedforge.accounting.CallRecord;
import java.io.Serializable;

/**
 * What one call ended as: a response (text, finish reason, token usage as the provider reported
 * it) or an error (kind and message), where it came from, what it cost and how long it took
 * ({@code millis}: 0 when nothing was sent). Parsing happens in a
 * later step, away from the I/O threads.
 */
public record CallOutcome(
    GenerationRequest request,
    String text,
    String finishReason,
    long inputTokens,
    long outputTokens,
    int attempts,
    CallRecord.Source source,
    String errorKind,
    String errorMessage,
    long picoUsd,
    long cachedInputTokens,
    long millis)
    implements Serializable {

  /** An outcome whose usage says nothing about the provider's prompt cache, its time unknown. */
  public CallOutcome(GenerationRequest request, String text, String finishReason, long inputTokens, long outputTokens, int attempts,
      CallRecord.Source source, String errorKind, String errorMessage, long picoUsd) {
    this(request, text, finishReason, inputTokens, outputTokens, attempts, source, errorKind, errorMessage, picoUsd, 0, 0);
  }

  public static CallOutcome success(GenerationRequest r, String text, String finishReason, long in, long out, int attempts) {
    return new CallOutcome(r, text, finishReason, in, out, attempts, CallRecord.Source.CALLED, null, null, 0);
  }

  public static CallOutcome failure(GenerationRequest r, String kind, String message, int attempts) {
    return new CallOutcome(r, null, null, 0, 0, attempts, CallRecord.Source.CALLED, kind, message, 0);
  }

  /** Answered from the response cache: by an earlier run ({@code reused} false) or an earlier round of this one. */
  public static CallOutcome fromCache(GenerationRequest r, ResponseCache.Entry hit, boolean reused) {
    return new CallOutcome(r, hit.text(), hit.finishReason(), hit.inputTokens(), hit.outputTokens(), 0,
        reused ? CallRecord.Source.REUSED : CallRecord.Source.CACHED, null, null, 0);
  }

  /** Never sent, because the run had stopped making calls. */
  public static CallOutcome notSent(GenerationRequest r, String kind, String message) {
    return new CallOutcome(r, null, null, 0, 0, 0, CallRecord.Source.NOT_SENT, kind, "not sent: " + message, 0);
  }

  public CallOutcome withCost(long pico) {
    return new CallOutcome(request, text, finishReason, inputTokens, outputTokens, attempts, source, errorKind, errorMessage, pico,
        cachedInputTokens, millis);
  }

  /** The same outcome with the wall time the call took, all attempts and waits included. */
  public CallOutcome withMillis(long ms) {
    return new CallOutcome(request, text, finishReason, inputTokens, outputTokens, attempts, source, errorKind, errorMessage, picoUsd,
        cachedInputTokens, ms);
  }

  /** The same outcome with {@code cached} of its input tokens served from the provider's prompt cache. */
  public CallOutcome withCachedInput(long cached) {
    return new CallOutcome(request, text, finishReason, inputTokens, outputTokens, attempts, source, errorKind, errorMessage, picoUsd, cached,
        millis);
  }

  public boolean ok() {
    return errorKind == null;
  }

  public boolean cached() {
    return source == CallRecord.Source.CACHED || source == CallRecord.Source.REUSED;
  }

  /** The account line of this outcome in {@code round}, whose answer parsed into {@code candidates} candidates. */
  public CallRecord record(int round, int candidates) {
    return new CallRecord(request.id(), request.label(), round, source, errorKind, errorMessage, attempts, inputTokens, outputTokens, picoUsd,
        candidates, cachedInputTokens, millis, CallRecord.Purpose.GENERATION);
  }
}
