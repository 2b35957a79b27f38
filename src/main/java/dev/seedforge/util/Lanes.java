package dev.seedforge.util;

import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * CPU-bound work split into pieces, run on at most {@code lanes} threads at once for every caller
 * of the JVM together: the calling thread runs pieces of its own work, and {@code lanes - 1}
 * helper threads join in, taking the pieces one at a time.
 *
 * <p>Why not a parallel stream: on a 2-core machine the common pool has one worker. When several
 * threads (the DirectRunner's, each with a bundle) run parallel streams at once, that worker steals
 * a quarter of one stream's pieces at a time and runs them alone, while that stream's own thread
 * waits for them, and the other callers spin in the pool's queues looking for work to help with: a
 * profile of the generation benchmark's gate had one core embedding the last bundle for 20 seconds
 * while the other spun. Here a caller waits only for its own pieces (asleep, not spinning), a helper
 * moves on to the next caller's work as soon as one has no piece left, and a fair permit per piece
 * keeps the callers' work going forward at the same pace.
 */
public final class Lanes {
  private final int lanes;
  private final Semaphore running;
  private final ExecutorService helpers;

  /** {@code lanes} pieces at once at most, on the callers and {@code lanes - 1} daemon threads named {@code name-N}. */
  public Lanes(String name, int lanes) {
    Preconditions.checkArgument(lanes >= 1, "lanes must be at least 1, got %s", lanes);
    this.lanes = lanes;
    this.running = new Semaphore(lanes, true);
    this.helpers = lanes == 1 ? null
        : Executors.newFixedThreadPool(lanes - 1, new ThreadFactoryBuilder().setNameFormat(name + "-%d").setDaemon(true).build());
  }

  /** One lane per core. */
  public static Lanes perCore(String name) {
    return new Lanes(name, Runtime.getRuntime().availableProcessors());
  }

  public int lanes() {
    return lanes;
  }

  /**
   * Runs {@code work} on every piece and returns when all are done; a piece that throws stops the
   * pieces not started yet, and the first exception is thrown here as it was thrown there.
   */
  public <T> void forEach(List<T> pieces, Consumer<? super T> work) {
    forEach(pieces, work, lanes);
  }

  /**
   * {@link #forEach(List, Consumer)} on at most {@code width} of the lanes (the caller and {@code
   * width - 1} helpers): for work that should leave the other cores to whatever else runs.
   */
  public <T> void forEach(List<T> pieces, Consumer<? super T> work, int width) {
    Preconditions.checkArgument(width >= 1, "width must be at least 1, got %s", width);
    if (pieces.isEmpty()) {
      return;
    }
    Job<T> job = new Job<>(pieces, work);
    int help = Math.min(pieces.size() - 1, Math.min(width, lanes) - 1);
    for (int i = 0; i < help; i++) {
      helpers.execute(job::drain);
    }
    job.drain();
    job.await();
  }

  private final class Job<T> {
    private final List<T> pieces;
    private final Consumer<? super T> work;
    private final AtomicInteger next = new AtomicInteger();
    private final CountDownLatch done;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Job(List<T> pieces, Consumer<? super T> work) {
      this.pieces = pieces;
      this.work = work;
      this.done = new CountDownLatch(pieces.size());
    }

    /** Runs pieces not taken yet until none is left; a helper that comes late finds none and leaves. */
    void drain() {
      for (int i = next.getAndIncrement(); i < pieces.size(); i = next.getAndIncrement()) {
        running.acquireUninterruptibly();
        try {
          if (failure.get() == null) {
            work.accept(pieces.get(i));
          }
        } catch (RuntimeException | Error e) {
          failure.compareAndSet(null, e);
        } finally {
          running.release();
          done.countDown();
        }
      }
    }

    /** Waits for the pieces other threads took (their data is the caller's); an interrupt is kept for later. */
    void await() {
      boolean interrupted = false;
      while (true) {
        try {
          done.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      Throwable t = failure.get();
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t instanceof Error e) {
        throw e;
      }
    }
  }
}
