package dev.seedforge.evolve;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Self-Instruct's novelty rule over a round's pool: tasks are taken in the order they joined the
 * pool (seeds, then by round, then by id within a round), and a task whose instruction has a
 * ROUGE-L of {@code bound} or more with any task taken before it is {@code not_novel}; the others
 * join the pool. Seeds are never rejected, and neither are evolved tasks: rewriting a task deeper
 * keeps most of its words on purpose, and Evol-Instruct's own rules judge what a rewrite adds;
 * both still join the pool that later tasks must differ from.
 */
public final class Novelty {
  public static final String FILTER = "not_novel";

  private Novelty() {}

  /** One task of the pool: what the rule needs to order and compare it. */
  public record Row(String id, String label, String instruction, boolean seed, int round, boolean evolved) implements Serializable {}

  /** A rejected task: the closest earlier task and its ROUGE-L. */
  public record Verdict(String closestId, double score) implements Serializable {
    public String reason(double bound) {
      return String.format(Locale.ROOT, "instruction has ROUGE-L %.2f with %s, at or over %.2f: a task too close to it is already in the pool",
          score, closestId, bound);
    }
  }

  static final Comparator<Row> POOL_ORDER =
      Comparator.comparing((Row r) -> !r.seed()).thenComparingInt(Row::round).thenComparing(Row::id);

  /** The tasks that are not novel, by id. */
  public static Map<String, Verdict> judge(List<Row> rows, double bound, long seed) {
    List<Row> ordered = new ArrayList<>(rows);
    ordered.sort(POOL_ORDER);
    NoveltyIndex index = new NoveltyIndex(seed);
    Map<String, Verdict> out = new TreeMap<>();
    for (Row r : ordered) {
      if (r.seed() || r.evolved()) {
        index.add(r.id(), r.instruction());
        continue;
      }
      NoveltyIndex.Closest c = index.checkAndAdd(r.id(), r.instruction(), bound);
      if (c.id() != null && c.score() >= bound) {
        out.put(r.id(), new Verdict(c.id(), c.score()));
      }
    }
    return out;
  }
}
