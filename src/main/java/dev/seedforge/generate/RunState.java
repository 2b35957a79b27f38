package dev.seedforge.generate;

import dev.seedforge.config.PipelineSpec;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one run has spent and seen on this worker: the budget (reserved before each call, settled
 * with the usage the provider reports, so it is never exceeded), the circuit breaker (error rate over
 * the last calls), and live figures for the progress line. Per run id, per JVM.
 */
public final class RunState {
  private static final ConcurrentHashMap<String, RunState> RUNS = new ConcurrentHashMap<>();

  /** Calls in the circuit breaker's sliding window, and the error rate that opens it. */
  public static final int WINDOW = 20;
  public static final double ERROR_RATE = 0.5;

  private final PipelineSpec.Budget budget;
  private final PipelineSpec.Price price;
  private final AtomicReference<String> stopKind = new AtomicReference<>();
  private volatile String stopMessage;

  // spent (settled) and reserved (in flight)
  private long callsSpent; // guarded by this
  private long tokensSpent;
  private double costSpent;
  private long tokensReserved;
  private double costReserved;
  private final Deque<Boolean> window = new ArrayDeque<>(); // guarded by window

  // progress
  public final AtomicLong planned = new AtomicLong();
  public final AtomicLong done = new AtomicLong();
  public final AtomicLong cached = new AtomicLong();
  public final AtomicLong failed = new AtomicLong();
  public final AtomicLong accepted = new AtomicLong();
  public final AtomicLong tokensIn = new AtomicLong();
  public final AtomicLong tokensOut = new AtomicLong();
  public final AtomicLong costMicros = new AtomicLong();

  RunState(PipelineSpec.Budget budget, PipelineSpec.Price price) {
    this.budget = budget == null ? PipelineSpec.Budget.none() : budget;
    this.price = price;
  }

  public static RunState of(ModelSettings s) {
    return RUNS.computeIfAbsent(s.runId(), k -> new RunState(s.budget(), s.price()));
  }

  /** The run's state if any call happened on this JVM, else null. */
  public static RunState find(String runId) {
    return RUNS.get(runId);
  }

  public static void forget(String runId) {
    RUNS.remove(runId);
  }

  private volatile FatalCallException fatal;

  /** After a call that no retry can fix (bad key, unknown model) no other call is sent. */
  public void fatal(FatalCallException e) {
    if (fatal == null) {
      fatal = e;
    }
  }

  public FatalCallException fatal() {
    return fatal;
  }

  /** Null while calls may be made; else budget_exhausted or circuit_open. */
  public String stopKind() {
    return stopKind.get();
  }

  public String stopMessage() {
    return stopMessage;
  }

  private void stop(String kind, String message) {
    if (stopKind.compareAndSet(null, kind)) {
      stopMessage = message;
    }
  }

  /**
   * Reserves one call of at most {@code estTokens} tokens (prompt + max_tokens) and its cost. False
   * (and the run stops making calls) when that could go over a budget.
   */
  public synchronized boolean tryReserve(long promptTokens, long maxOutput) {
    if (stopKind.get() != null) {
      return false;
    }
    long est = promptTokens + maxOutput;
    double estCost = Prices.cost(price, promptTokens, maxOutput);
    String over = null;
    if (budget.maxCalls() > 0 && callsSpent + 1 > budget.maxCalls()) {
      over = "llm.budget.max_calls " + budget.maxCalls() + " reached";
    } else if (budget.maxTokens() > 0 && tokensSpent + tokensReserved + est > budget.maxTokens()) {
      over = "llm.budget.max_tokens " + budget.maxTokens() + " reached (" + tokensSpent + " spent, " + tokensReserved
          + " in flight, the next call may take up to " + est + ")";
    } else if (budget.maxCostUsd() > 0 && costSpent + costReserved + estCost > budget.maxCostUsd()) {
      over = String.format(java.util.Locale.ROOT, "llm.budget.max_cost_usd %.4f reached ($%.4f spent, $%.4f in flight, the next call may cost up to $%.4f)",
          budget.maxCostUsd(), costSpent, costReserved, estCost);
    }
    if (over != null) {
      stop("budget_exhausted", over);
      return false;
    }
    callsSpent++;
    tokensReserved += est;
    costReserved += estCost;
    return true;
  }

  /** Replaces a reservation by what the call really used (0, 0 when it failed without usage). */
  public synchronized void settle(long promptTokens, long maxOutput, long inTokens, long outTokens) {
    tokensReserved -= promptTokens + maxOutput;
    costReserved -= Prices.cost(price, promptTokens, maxOutput);
    tokensSpent += inTokens + outTokens;
    costSpent += Prices.cost(price, inTokens, outTokens);
  }

  /** Records a call's result in the circuit breaker's window; opens it when errors dominate. */
  public void record(boolean ok, String kind) {
    synchronized (window) {
      window.addLast(ok);
      while (window.size() > WINDOW) {
        window.removeFirst();
      }
      if (window.size() == WINDOW) {
        long errors = window.stream().filter(b -> !b).count();
        if (errors > WINDOW * ERROR_RATE) {
          stop("circuit_open", errors + " of the last " + WINDOW + " calls failed (last: " + kind
              + "); stopped making calls; check the endpoint and re-run (responses received so far are cached)");
        }
      }
    }
  }

  public synchronized String spentSummary() {
    return String.format(java.util.Locale.ROOT, "%d calls, %d tokens, $%.4f", callsSpent, tokensSpent, costSpent);
  }
}
