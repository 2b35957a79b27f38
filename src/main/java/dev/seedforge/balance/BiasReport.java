package dev.seedforge.balance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.util.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manifest's {@code bias} section, from the final records: label distribution before and after
 * balancing, length per label (word tokens; a label whose mean differs from the overall mean by more
 * than 50% is flagged), shortcut tokens (a word whose presence predicts one label with precision
 * ≥ 0.95 and that appears in ≥ 5% of that label — a model can learn the word instead of the task),
 * the near-duplicate rate when dedup reports one, and distinct-1 / distinct-2 of generated records
 * against the seeds (lexical diversity: unique n-grams over all n-grams).
 */
public final class BiasReport {
  public static final double LENGTH_FLAG = 0.5;
  public static final double SHORTCUT_PRECISION = 0.95;
  public static final double SHORTCUT_SUPPORT = 0.05;
  /** Fewer records than this with a word are never called a shortcut (chance, not signal). */
  public static final int SHORTCUT_MIN_COUNT = 3;
  public static final int SHORTCUTS_PER_LABEL = 10;
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");

  private BiasReport() {}

  /** One final record: its label (may be null), input text, and whether it is a seed. */
  public record Row(String label, String text, boolean seed) {}

  public static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  public static ObjectNode compute(List<Row> rows, Map<String, Long> beforeBalance, Double nearDupRate) {
    ObjectNode out = Json.mapper().createObjectNode();
    Map<String, List<Row>> byLabel = new TreeMap<>();
    for (Row r : rows) {
      if (r.label() != null) {
        byLabel.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r);
      }
    }
    ObjectNode dist = out.putObject("label_distribution");
    ObjectNode before = dist.putObject("before_balance");
    new TreeMap<>(beforeBalance).forEach(before::put);
    ObjectNode after = dist.putObject("after_balance");
    byLabel.forEach((l, list) -> after.put(l, list.size()));

    List<Integer> all = new ArrayList<>();
    Map<String, List<Integer>> lengths = new TreeMap<>();
    for (Row r : rows) {
      int n = words(r.text()).size();
      all.add(n);
      if (r.label() != null) {
        lengths.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(n);
      }
    }
    double overall = mean(all);
    ObjectNode len = out.putObject("length_tokens");
    len.put("unit", "word tokens");
    len.put("overall_mean", round(overall));
    len.put("overall_median", median(all));
    ObjectNode perLabel = len.putObject("per_label");
    ArrayNode flagged = len.putArray("flagged");
    lengths.forEach((l, list) -> {
      ObjectNode n = perLabel.putObject(l);
      double m = mean(list);
      n.put("mean", round(m));
      n.put("median", median(list));
      if (overall > 0 && Math.abs(m - overall) / overall > LENGTH_FLAG) {
        flagged.add(l);
      }
    });

    out.set("shortcut_tokens", shortcuts(byLabel));
    if (nearDupRate == null) {
      out.put("near_duplicate_rate", "unknown");
    } else {
      out.put("near_duplicate_rate", round(nearDupRate));
    }
    ObjectNode diversity = out.putObject("diversity");
    List<Row> generated = rows.stream().filter(r -> !r.seed()).toList();
    List<Row> seeds = rows.stream().filter(Row::seed).toList();
    diversity.set("generated", distinct(generated));
    diversity.set("seeds", distinct(seeds));
    return out;
  }

  static ObjectNode shortcuts(Map<String, List<Row>> byLabel) {
    Map<String, Map<String, Integer>> presence = new HashMap<>(); // word -> label -> records
    byLabel.forEach((l, list) -> {
      for (Row r : list) {
        for (String w : new HashSet<>(words(r.text()))) {
          presence.computeIfAbsent(w, k -> new HashMap<>()).merge(l, 1, Integer::sum);
        }
      }
    });
    Map<String, List<ObjectNode>> found = new TreeMap<>();
    presence.forEach((w, counts) -> {
      int total = counts.values().stream().mapToInt(Integer::intValue).sum();
      Map.Entry<String, Integer> best = counts.entrySet().stream()
          .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).orElseThrow();
      int inLabel = best.getValue();
      int labelSize = byLabel.get(best.getKey()).size();
      double precision = inLabel / (double) total;
      double support = inLabel / (double) labelSize;
      if (byLabel.size() > 1 && inLabel >= SHORTCUT_MIN_COUNT && precision >= SHORTCUT_PRECISION && support >= SHORTCUT_SUPPORT) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("token", w);
        n.put("precision", round(precision));
        n.put("support", round(support));
        n.put("records", inLabel);
        found.computeIfAbsent(best.getKey(), k -> new ArrayList<>()).add(n);
      }
    });
    ObjectNode out = Json.mapper().createObjectNode();
    found.forEach((l, list) -> {
      list.sort(Comparator.comparingInt((ObjectNode n) -> -n.path("records").asInt()).thenComparing(n -> n.path("token").asText()));
      ArrayNode a = out.putArray(l);
      list.stream().limit(SHORTCUTS_PER_LABEL).forEach(a::add);
    });
    return out;
  }

  static ObjectNode distinct(List<Row> rows) {
    Set<String> uni = new HashSet<>();
    Set<String> bi = new HashSet<>();
    long nUni = 0;
    long nBi = 0;
    for (Row r : rows) {
      List<String> w = words(r.text());
      for (int i = 0; i < w.size(); i++) {
        uni.add(w.get(i));
        nUni++;
        if (i + 1 < w.size()) {
          bi.add(w.get(i) + " " + w.get(i + 1));
          nBi++;
        }
      }
    }
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("records", rows.size());
    n.put("distinct_1", nUni == 0 ? 0 : round(uni.size() / (double) nUni));
    n.put("distinct_2", nBi == 0 ? 0 : round(bi.size() / (double) nBi));
    return n;
  }

  static double mean(List<Integer> l) {
    return l.isEmpty() ? 0 : l.stream().mapToInt(Integer::intValue).average().orElse(0);
  }

  static double median(List<Integer> l) {
    if (l.isEmpty()) {
      return 0;
    }
    int[] a = l.stream().mapToInt(Integer::intValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2.0;
  }

  static double round(double d) {
    return Math.round(d * 10_000) / 10_000.0;
  }
}
