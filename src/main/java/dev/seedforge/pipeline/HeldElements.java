package dev.seedforge.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * A bundle's elements that a DoFn holds until there are enough to work on together (in batches,
 * or on every core), each with its timestamp and window, at most {@code limit} of them: a runner
 * whose bundle is a whole partition (Flink's batch mode) never has the partition held.
 *
 * <p>Held elements go out from {@code @FinishBundle} in their own windows, or earlier, from the
 * element that fills the hold, when every held element shares that element's window and
 * timestamp: a {@code @ProcessElement} receiver outputs in its element's window and not before its
 * element's timestamp.
 */
public final class HeldElements<T> {
  /** One held element. */
  public record Held<T>(T element, Instant timestamp, BoundedWindow window) {}

  private final int limit;
  private List<Held<T>> held = new ArrayList<>();
  private BoundedWindow window;
  private Instant timestamp;
  private boolean mixed;

  public HeldElements(int limit) {
    this.limit = limit;
  }

  /**
   * Holds {@code element}; true when the hold is full and every held element has this element's
   * window and timestamp, so they may be {@link #drain drained} and go out through its receiver.
   */
  public boolean add(T element, Instant ts, BoundedWindow w) {
    if (held.isEmpty()) {
      window = w;
      timestamp = ts;
      mixed = false;
    } else if (!w.equals(window) || !ts.equals(timestamp)) {
      mixed = true;
    }
    held.add(new Held<>(element, ts, w));
    return held.size() >= limit && !mixed;
  }

  /** The held elements in the order they came; the hold is empty afterwards. */
  public List<Held<T>> drain() {
    List<Held<T>> out = held;
    held = new ArrayList<>();
    return out;
  }

  public boolean isEmpty() {
    return held.isEmpty();
  }
}
