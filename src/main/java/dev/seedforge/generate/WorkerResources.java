package dev.seedforge.generate;

import com.google.common.util.concurrent.RateLimiter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every thread of one worker (JVM) shares when calling one endpoint: the call pool and the
 * permits that keep {@code llm.concurrency} calls in flight across all bundles and DoFn instances,
 * the client-side rate limiters (Guava {@link RateLimiter}), and the pause a 429's Retry-After asks
 * for. A per-JVM cache keyed by endpoint and limits; it holds no run results.
 */
public final class WorkerResources {
  /**
   * The limiters run 2% under the configured limits: at exactly the server's rate its bucket never
   * refills, and the jitter of the network turns into 429s.
   */
  static final double HEADROOM = 0.98;

  private static final ConcurrentHashMap<String, WorkerResources> SHARED = new ConcurrentHashMap<>();

  final ExecutorService pool;
  final Semaphore permits;
  private final RateLimiter requests;
  private final RateLimiter tokens;
  private final AtomicLong pausedUntilNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong outputSeen = new AtomicLong();
  private final AtomicLong responsesSeen = new AtomicLong();
  private final int maxTokens;

  private WorkerResources(ModelSettings s) {
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            s.concurrency(),
            r -> {
              Thread t = new Thread(r, "seedforge-call-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.permits = new Semaphore(s.concurrency());
    this.requests = s.requestsPerMinute() > 0 ? RateLimiter.create(HEADROOM * s.requestsPerMinute() / 60.0) : null;
    this.tokens = s.tokensPerMinute() > 0 ? RateLimiter.create(HEADROOM * s.tokensPerMinute() / 60.0) : null;
    this.maxTokens = s.maxTokens();
  }

  static String key(ModelSettings s) {
    return String.join("|", s.provider(), String.valueOf(s.baseUrl()), s.model(), String.valueOf(s.concurrency()),
        String.valueOf(s.requestsPerMinute()), String.valueOf(s.tokensPerMinute()), String.valueOf(s.maxTokens()));
  }

  public static WorkerResources of(ModelSettings s) {
    return SHARED.computeIfAbsent(key(s), k -> new WorkerResources(s));
  }

  /**
   * Waits until one more request may be sent: a pause asked for by a 429, then the request and
   * token limits. Tokens are the prompt's plus the output expected: max_tokens until responses have
   * reported their usage, then the average output reported so far.
   */
  void beforeAttempt(int promptTokens) {
    long wait;
    while ((wait = pausedUntilNanos.get() - System.nanoTime()) > 0) {
      sleepNanos(wait);
    }
    if (requests != null) {
      requests.acquire();
    }
    if (tokens != null) {
      tokens.acquire((int) Math.min(Integer.MAX_VALUE, Math.max(1, promptTokens + expectedOutput())));
    }
  }

  long expectedOutput() {
    long seen = responsesSeen.get();
    return seen < 5 ? maxTokens : Math.min(maxTokens, Math.max(1, outputSeen.get() / seen));
  }

  void reportUsage(long outputTokens) {
    outputSeen.addAndGet(outputTokens);
    responsesSeen.incrementAndGet();
  }

  /** Holds every thread of this worker for {@code millis} (from now), as a 429's Retry-After asks. */
  void pauseFor(long millis) {
    long until = System.nanoTime() + millis * 1_000_000L;
    pausedUntilNanos.accumulateAndGet(until, Math::max);
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the rate limit", e);
    }
  }
}
