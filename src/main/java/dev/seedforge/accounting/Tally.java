package dev.seedforge.accounting;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/** A figure in total and per label, as the manifest shows it: {@code {"total": n, "per_label": {...}}}. */
public record Tally(long total, @JsonProperty("per_label") @JsonInclude(JsonInclude.Include.NON_EMPTY) SortedMap<String, Long> perLabel) {
  public static final Tally ZERO = new Tally(0, Collections.emptySortedMap());

  public Tally {
    perLabel = Collections.unmodifiableSortedMap(new TreeMap<>(perLabel));
  }

  /** The sum of {@code value} over the records that pass {@code filter}, in total and per label. */
  public static Tally of(Collection<CallRecord> records, Predicate<CallRecord> filter, ToLongFunction<CallRecord> value) {
    long total = 0;
    TreeMap<String, Long> per = new TreeMap<>();
    for (CallRecord r : records) {
      if (filter.test(r)) {
        long v = value.applyAsLong(r);
        total += v;
        if (r.label() != null && !r.label().isEmpty()) {
          per.merge(r.label(), v, Long::sum);
        }
      }
    }
    return new Tally(total, per);
  }

  /** How many records pass {@code filter}. */
  public static Tally count(Collection<CallRecord> records, Predicate<CallRecord> filter) {
    return of(records, filter, r -> 1);
  }

  public Tally plus(Tally o) {
    TreeMap<String, Long> per = new TreeMap<>(perLabel);
    o.perLabel.forEach((k, v) -> per.merge(k, v, Long::sum));
    return new Tally(total + o.total, per);
  }

  public Tally minus(Tally o) {
    TreeMap<String, Long> per = new TreeMap<>(perLabel);
    o.perLabel.forEach((k, v) -> per.merge(k, -v, Long::sum));
    return new Tally(total - o.total, per);
  }

  public long of(String label) {
    return perLabel.getOrDefault(label, 0L);
  }
}
