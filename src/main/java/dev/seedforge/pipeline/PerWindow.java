package dev.seedforge.pipeline;

import java.util.function.Supplier;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * A value a DoFn derives from a side input, computed once per window and DoFn instance and kept
 * in a transient field. The DirectRunner rebuilds a map or multimap side input from its elements
 * on every {@code sideInput} call, which, called per element, cost more than the work it fed.
 */
public final class PerWindow<T> {
  private BoundedWindow window;
  private T value;

  public T get(BoundedWindow current, Supplier<T> compute) {
    if (value == null || !current.equals(window)) {
      value = compute.get();
      window = current;
    }
    return value;
  }
}
