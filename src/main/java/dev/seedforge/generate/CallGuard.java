package dev.seedforge.generate;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one worker's call threads share within a run to stop sending quickly: the circuit
 * breaker (error rate over the last calls) and the first fatal error (bad key, unknown model).
 * Per run id, per JVM; a stop is also written to the run's ledger, so every worker and the
 * driver see it there.
 */
final class CallGuard {
  private static final ConcurrentHashMap<String, CallGuard> GUARDS = new ConcurrentHashMap<>();

  /** Calls in the circuit breaker's sliding window, and the error rate that opens it. */
  static final int WINDOW = 20;
  static final double ERROR_RATE = 0.5;

  private final Deque<Boolean> window = new ArrayDeque<>(); // guarded by window
  private volatile FatalCallException fatal;

  static CallGuard of(String runId) {
    return GUARDS.computeIfAbsent(runId, k -> new CallGuard());
  }

  /** After a call that no retry can fix, no other call is sent. */
  void fatal(FatalCallException e) {
    if (fatal == null) {
      fatal = e;
    }
  }

  FatalCallException fatal() {
    return fatal;
  }

  /**
   * Records a call's result in the breaker's window; returns the reason when this call opened it
   * (more than half of the last {@value #WINDOW} calls failed), else null.
   */
  String record(boolean ok, String kind) {
    synchronized (window) {
      window.addLast(ok);
      while (window.size() > WINDOW) {
        window.removeFirst();
      }
      if (window.size() == WINDOW) {
        long errors = window.stream().filter(b -> !b).count();
        if (errors > WINDOW * ERROR_RATE) {
          window.clear();
          return errors + " of the last " + WINDOW + " calls failed (last: " + kind
              + "); stopped making calls; check the endpoint and re-run (responses received so far are cached)";
        }
      }
      return null;
    }
  }
}
