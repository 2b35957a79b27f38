package dev.seedforge.generate;

import java.util.concurrent.Future;

/**
 * One worker's way of turning a request into an outcome: the response cache first, then the run's
 * stop conditions (budget, circuit breaker), then the call itself under the worker's shared
 * concurrency and rate limits. Requests that are not sent because the run stopped become failures
 * of kind budget_exhausted or circuit_open, with 0 attempts: they cost nothing.
 */
final class Calls {
  private final ModelSettings settings;
  private final LangChainCaller caller;
  private final WorkerResources shared;
  private final RunState run;
  private final ResponseCache cache;
  private final TokenCounter tokens;

  Calls(ModelSettings settings, LangChainCaller caller) {
    this.settings = settings;
    this.caller = caller;
    this.shared = WorkerResources.of(settings);
    this.run = RunState.of(settings);
    this.cache = settings.cachePath() == null ? null : ResponseCache.open(settings.cachePath());
    this.tokens = TokenCounter.forModel(settings.model());
  }

  /** Waits for a free call slot on this worker, then starts the call on the shared pool. */
  Future<CallOutcome> submit(GenerationRequest request) throws InterruptedException {
    if (cache != null && !settings.refreshCache()) {
      ResponseCache.Entry hit = cache.get(request.id());
      if (hit != null) {
        run.cached.incrementAndGet();
        run.done.incrementAndGet();
        return java.util.concurrent.CompletableFuture.completedFuture(
            CallOutcome.success(request, hit.text(), hit.finishReason(), hit.inputTokens(), hit.outputTokens(), 0, true));
      }
    }
    shared.permits.acquire();
    try {
      return shared.pool.submit(
          () -> {
            try {
              return call(request);
            } finally {
              shared.permits.release();
            }
          });
    } catch (RuntimeException e) {
      shared.permits.release();
      throw e;
    }
  }

  CallOutcome call(GenerationRequest request) {
    CallOutcome out = send(request);
    run.done.incrementAndGet();
    if (out.ok()) {
      run.tokensIn.addAndGet(out.inputTokens());
      run.tokensOut.addAndGet(out.outputTokens());
      run.costMicros.addAndGet(Math.round(Prices.cost(settings.price(), out.inputTokens(), out.outputTokens()) * 1e6));
    } else {
      run.failed.incrementAndGet();
    }
    return out;
  }

  private CallOutcome send(GenerationRequest request) {
    FatalCallException fatal = run.fatal();
    if (fatal != null) {
      throw new FatalCallException(fatal.getMessage());
    }
    String stopped = run.stopKind();
    if (stopped != null) {
      return CallOutcome.failure(request, stopped, "not sent: " + run.stopMessage(), 0);
    }
    int prompt = tokens.promptTokens(request.messages());
    int maxOut = request.params().maxTokens();
    if (!run.tryReserve(prompt, maxOut)) {
      return CallOutcome.failure(request, run.stopKind(), "not sent: " + run.stopMessage(), 0);
    }
    CallOutcome out;
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
      });
    } catch (FatalCallException e) {
      run.settle(prompt, maxOut, 0, 0);
      run.fatal(e);
      throw e;
    } catch (RuntimeException e) {
      run.settle(prompt, maxOut, 0, 0);
      throw e;
    }
    run.settle(prompt, maxOut, out.inputTokens(), out.outputTokens());
    run.record(out.ok(), out.errorKind());
    if (out.ok()) {
      shared.reportUsage(out.outputTokens());
      if (cache != null) {
        cache.put(request.id(), request.params().model(), new ResponseCache.Entry(out.text(), out.finishReason(), out.inputTokens(), out.outputTokens()));
      }
    }
    return out;
  }
}
