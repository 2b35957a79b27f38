package dev.seedforge.generate;

import dev.seedforge.accounting.RunContext;
import dev.seedforge.accounting.SpendLedger;
import dev.seedforge.accounting.Usd;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * One worker's way of turning a request into an outcome: the response cache first, then the
 * run's ledger (a reservation against the budget, or the reason the run stopped), then the call
 * itself under the worker's shared concurrency and rate limits, then the settlement with the usage
 * the provider reported. Requests that are not sent become failures of kind budget_exhausted or
 * circuit_open with 0 attempts: they cost nothing.
 */
public final class Calls {
  private final ModelSettings settings;
  private final RunContext run;
  private final LangChainCaller caller;
  private final WorkerResources shared;
  private final CallGuard guard;
  private final SpendLedger ledger;
  private final ResponseCache cache;
  private final TokenCounter tokens;
  /** USD per million prompt tokens served from the provider's prompt cache; null: priced as any input token. */
  private final Double cachedRate;
  /** Told of every outcome as soon as it exists (see {@link #onOutcome}); never null. */
  private volatile java.util.function.Consumer<CallOutcome> listener = o -> {};

  public Calls(ModelSettings settings, RunContext run, LangChainCaller caller) {
    this.settings = settings;
    this.run = run;
    this.caller = caller;
    this.shared = WorkerResources.of(settings);
    this.guard = CallGuard.of(run.runId());
    this.ledger = run.ledger();
    this.cache = settings.cachePath() == null ? null : ResponseCache.open(settings.cachePath());
    this.tokens = TokenCounter.forModel(settings.model());
    this.cachedRate = Prices.table().cachedRateFor(settings.model(), settings.price());
  }

  /** The outcome of a submitted call; a runtime exception the call ended with is rethrown as it is. */
  public static CallOutcome join(Future<CallOutcome> f) throws Exception {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /**
   * Tells {@code l} of every outcome on the thread that produced it, as soon as it exists (before
   * the caller collects it): for work that can start early, such as the gate's embeddings. What
   * {@code l} throws is ignored; the outcome and its accounting do not depend on it.
   */
  public Calls onOutcome(java.util.function.Consumer<CallOutcome> l) {
    this.listener = l;
    return this;
  }

  private CallOutcome told(CallOutcome o) {
    try {
      listener.accept(o);
    } catch (RuntimeException e) {
      // a listener's trouble is its own
    }
    return o;
  }

  /** Waits for a free call slot on this worker, then starts the call on the shared pool. */
  public Future<CallOutcome> submit(GenerationRequest request) throws InterruptedException {
    if (cache != null) {
      ResponseCache.Entry hit = cache.get(request.id());
      // --refresh-cache calls again once per run: an answer this run paid for is reused in later rounds
      boolean reused = hit != null && run.runId().equals(hit.paidByRun());
      if (hit != null && (reused || !settings.refreshCache())) {
        ledger.cacheHit(run.runId());
        return CompletableFuture.completedFuture(told(CallOutcome.fromCache(request, hit, reused)));
      }
    }
    shared.permits.acquire();
    try {
      return shared.pool.submit(
          () -> {
            CallOutcome o;
            try {
              o = send(request);
            } finally {
              shared.permits.release();
            }
            return told(o);
          });
    } catch (RuntimeException e) {
      shared.permits.release();
      throw e;
    }
  }

  CallOutcome send(GenerationRequest request) {
    FatalCallException fatal = guard.fatal();
    if (fatal != null) {
      throw new FatalCallException(fatal.getMessage());
    }
    if (cache == null) {
      return sendClaimed(request);
    }
    ResponseCache.Entry answered = awaitClaim(request);
    if (answered != null) {
      ledger.cacheHit(run.runId());
      return CallOutcome.fromCache(request, answered, run.runId().equals(answered.paidByRun()));
    }
    try {
      return sendClaimed(request);
    } finally {
      cache.release(request.id(), run.runId());
    }
  }

  /**
   * Claims the request in the cache; while another run that shares the cache is sending it, waits
   * for that run's answer instead of paying for it twice. Returns the answer when one arrived, or
   * null when the request is now this run's to send.
   */
  private ResponseCache.Entry awaitClaim(GenerationRequest request) {
    long stale = staleClaimMillis();
    while (true) {
      ResponseCache.Claim c = cache.claim(request.id(), run.runId(), stale, !settings.refreshCache());
      if (c == ResponseCache.Claim.CLAIMED) {
        return null;
      }
      if (c == ResponseCache.Claim.ANSWERED) {
        return cache.get(request.id());
      }
      try {
        Thread.sleep(CLAIM_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for another run's call", e);
      }
    }
  }

  static final long CLAIM_POLL_MILLIS = 200;

  /** Longer than one call with all its retries can take: a claim older than this was left by a killed run. */
  long staleClaimMillis() {
    return settings.timeoutSeconds() * 1000L * settings.maxAttempts() + 120_000L;
  }

  private CallOutcome sendClaimed(GenerationRequest request) {
    int prompt = tokens.promptTokens(request.messages());
    int maxOut = request.params().maxTokens();
    SpendLedger.Reservation reservation = ledger.reserve(run.runId(), settings.budget(), request.id(), run.round(), request.label(),
        prompt + maxOut, Usd.picoCost(settings.price(), prompt, maxOut));
    if (!reservation.granted()) {
      return CallOutcome.notSent(request, reservation.stopKind(), reservation.refusal());
    }
    CallOutcome out;
    long started = System.nanoTime();
    try {
      out = caller.call(request, new LangChainCaller.Gate() {
        @Override
        public void beforeAttempt() {
          shared.beforeAttempt(prompt);
        }

        @Override
        public void pause(long millis) {
          shared.pauseFor(millis);
        }

        @Override
        public LangChainCaller.Refusal refuseRetry() {
          SpendLedger.Reservation retry = ledger.reserveRetry(run.runId(), settings.budget(), reservation.callId());
          return retry.granted() ? null : new LangChainCaller.Refusal(retry.stopKind(), retry.refusal());
        }
      });
    } catch (FatalCallException e) {
      ledger.settle(run.runId(), reservation.callId(), "fatal", 1, 0, 0, 0);
      guard.fatal(e);
      throw e;
    } catch (RuntimeException e) {
      ledger.settle(run.runId(), reservation.callId(), "error", 1, 0, 0, 0);
      throw e;
    }
    out = out.withCost(Usd.picoCost(settings.price(), out.inputTokens(), out.cachedInputTokens(), cachedRate, out.outputTokens())).withMillis((System.nanoTime() - started) / 1_000_000);
    if (out.ok()) {
      shared.reportUsage(out.outputTokens());
      if (cache != null) {
        // stored before it is settled: a kill in between leaves it paid and counted at its worst case
        cache.put(request.id(), request.params().model(),
            new ResponseCache.Entry(out.text(), out.finishReason(), out.inputTokens(), out.outputTokens(), run.runId()));
      }
    }
    ledger.settle(run.runId(), reservation.callId(), out.errorKind(), out.attempts(), out.inputTokens(), out.outputTokens(), out.picoUsd());
    String opened = guard.record(out.ok(), out.errorKind());
    if (opened != null) {
      ledger.stop(run.runId(), SpendLedger.CIRCUIT_OPEN, opened);
    }
    return out;
  }
}
