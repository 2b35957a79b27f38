package dev.seedforge.util;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/** Work on many items spread over every core (the common fork-join pool), the results in order. */
public final class Parallel {
  private Parallel() {}

  /**
   * {@code work} on consecutive chunks of at most {@code chunk} items, in parallel, the results
   * concatenated in the items' order; one chunk runs on the calling thread alone.
   */
  public static <T, R> List<R> inChunks(List<T> items, int chunk, Function<List<T>, List<R>> work) {
    if (items.size() <= chunk) {
      return work.apply(items);
    }
    int chunks = (items.size() + chunk - 1) / chunk;
    List<List<R>> parts = IntStream.range(0, chunks).parallel()
        .mapToObj(k -> work.apply(items.subList(k * chunk, Math.min(items.size(), (k + 1) * chunk))))
        .toList();
    List<R> out = new ArrayList<>(items.size());
    parts.forEach(out::addAll);
    return out;
  }
}
