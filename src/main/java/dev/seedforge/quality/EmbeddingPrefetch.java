package dev.seedforge.quality;

import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Embeds the texts the gate will judge while the step that makes them is still running (the model
 * calls, which mostly wait on the provider; the offline generator, which keeps one core busy), so
 * the idle CPU does the gate's heaviest work early.
 *
 * <p>On the DirectRunner a step's outputs reach the next step only when its bundle ends, and a call
 * bundle ends with its slowest call: without this, the gate starts embedding only after the calls,
 * and the run takes the calls' time plus the embeddings' time. The call step offers each response's
 * items as it arrives, the offline generator each seed's variants ({@link #offer}); one daemon thread per model embeds them in batches through
 * the same encoder, whose vectors the gate then finds in memory (or, when the gate reaches a text
 * first, the prefetch waits for the gate's vector rather than computing it again). It runs on half
 * the cores at most (one of two), so the producing step keeps the others. The vectors are
 * bit for bit the ones the gate would compute ({@link SentenceEncoder}), so no verdict changes.
 *
 * <p>Only while calls are running ({@link #open}): once every call step has ended, texts still
 * queued are dropped, since the gate then embeds what its cheaper filters keep and the prefetch
 * would only add the texts they reject. Best effort: a full queue drops offers, and a failure is
 * left for the gate to meet and report. {@code -Dseedforge.prefetch=off} (or the environment's
 * {@code SEEDFORGE_PREFETCH=off}) turns it off.
 */
public final class EmbeddingPrefetch {
  /** Texts waiting at most; beyond, offers are dropped (the gate embeds them itself). */
  static final int MAX_QUEUED = 100_000;

  /**
   * Texts per encoder call: a few of its batches, and few enough that a gate waiting for the
   * batch in progress when the producing step ends does not wait long.
   */
  static final int BATCH = 128;

  private static final Map<String, EmbeddingPrefetch> BY_MODEL = new ConcurrentHashMap<>();

  private final String model;
  private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
  private final AtomicInteger producers = new AtomicInteger();
  private final AtomicLong embedded = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  private EmbeddingPrefetch(String model) {
    this.model = model;
    Thread t = new Thread(this::loop, "seedforge-prefetch-" + model);
    t.setDaemon(true);
    t.start();
  }

  /** The prefetch of {@code model} ({@link dev.seedforge.config.PipelineSpec.Relevance#EMBEDDING_MODELS}), one per JVM. */
  public static EmbeddingPrefetch of(String model) {
    // the model loads on the prefetch's thread when it first embeds, so a call step never waits for it
    com.google.common.base.Preconditions.checkArgument(dev.seedforge.config.PipelineSpec.Relevance.EMBEDDING_MODELS.contains(model),
        "unknown embedding model %s", model);
    return BY_MODEL.computeIfAbsent(model, EmbeddingPrefetch::new);
  }

  /** Whether prefetching is on: it is unless {@code seedforge.prefetch} or {@code SEEDFORGE_PREFETCH} says off. */
  public static boolean enabled() {
    return !"off".equalsIgnoreCase(dev.seedforge.util.LocalSettings.value("seedforge.prefetch", "SEEDFORGE_PREFETCH"));
  }

  /** A producing step starts: offers are embedded until every step that opened has closed. */
  public AutoCloseable open() {
    producers.incrementAndGet();
    AtomicInteger once = new AtomicInteger();
    return () -> {
      if (once.getAndIncrement() == 0) {
        producers.decrementAndGet();
      }
    };
  }

  /** Queues the judged texts ({@link Texts#of}) of items with these fields. */
  public void offer(List<Map<String, String>> items, TaskType task) {
    for (Map<String, String> fields : items) {
      String text = Texts.of(fields, task);
      if (!text.isBlank() && !queue.offer(text)) {
        dropped.incrementAndGet();
      }
    }
  }

  /** {@link #embedded} and {@link #dropped} of every model's prefetch in this JVM, summed (without loading any model). */
  public static long[] totals() {
    long[] t = new long[2];
    BY_MODEL.values().forEach(p -> {
      t[0] += p.embedded();
      t[1] += p.dropped();
    });
    return t;
  }

  /** Texts this prefetch has handed to the encoder since the JVM started. */
  public long embedded() {
    return embedded.get();
  }

  /** Texts dropped: queued when the calls had ended, or offered to a full queue. */
  public long dropped() {
    return dropped.get();
  }

  private void loop() {
    List<String> batch = new ArrayList<>(BATCH);
    while (true) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, BATCH - 1);
        if (producers.get() == 0) {
          dropped.addAndGet(batch.size());
        } else {
          SentenceEncoder.of(model).embedAllInBackground(batch);
          embedded.addAndGet(batch.size());
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // the gate embeds these texts itself and reports what fails there
      } finally {
        batch.clear();
      }
    }
  }
}
