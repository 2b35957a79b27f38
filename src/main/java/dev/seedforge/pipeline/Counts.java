package dev.seedforge.pipeline;

import dev.seedforge.accounting.Tally;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The summed stage counts of one pipeline run, read from its ledger file, by counter, name and label. */
public final class Counts {
  private final Map<Ledger.Key, Long> values;

  Counts(Map<Ledger.Key, Long> values) {
    this.values = Map.copyOf(values);
  }

  public static Counts of(List<Ledger.Value> lines) {
    Map<Ledger.Key, Long> m = new LinkedHashMap<>();
    lines.forEach(v -> m.merge(v.key(), v.value(), Long::sum));
    return new Counts(m);
  }

  public static Counts read(Path file) {
    try {
      List<Ledger.Value> lines = new ArrayList<>();
      for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!l.isBlank()) {
          lines.add(Json.mapper().readValue(l, Ledger.Value.class));
        }
      }
      return of(lines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the run's counts " + file, e);
    }
  }

  /** One counter and name, in total and per label. */
  public Tally tally(Counter counter, String name) {
    long total = 0;
    TreeMap<String, Long> per = new TreeMap<>();
    for (Map.Entry<Ledger.Key, Long> e : values.entrySet()) {
      Ledger.Key k = e.getKey();
      if (k.counter() == counter && k.name().equals(name)) {
        total += e.getValue();
        if (!k.label().isEmpty()) {
          per.merge(k.label(), e.getValue(), Long::sum);
        }
      }
    }
    return new Tally(total, per);
  }

  public Tally tally(Counter counter) {
    return tally(counter, "");
  }

  /** The names counted under {@code counter}, sorted. */
  public TreeSet<String> names(Counter counter) {
    TreeSet<String> out = new TreeSet<>();
    values.keySet().stream().filter(k -> k.counter() == counter).forEach(k -> out.add(k.name()));
    return out;
  }
}
