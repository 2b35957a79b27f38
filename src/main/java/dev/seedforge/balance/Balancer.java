package dev.seedforge.balance;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.generate.Candidate;
import dev.seedforge.util.Hashes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Caps one label at its quota and splits what is kept into train, validation and test.
 *
 * <p>Selection: seeds first (they are real data); then generated records in an order that prefers
 * diversity — every near-duplicate cluster's first record before any second one, and within that,
 * round-robin over the source seeds ({@code provenance.seedIds}) so that no seed's variants crowd
 * out the others — ties broken by a draw from the pipeline seed.
 *
 * <p>Split: whole groups go to one split, so related records never straddle train and evaluation:
 * the {@link Grouping} given (the pipeline's {@link SplitGroups}), or else the near-duplicate
 * clusters (the {@code cluster} feature set by near-dup dedup; a record without one is its own
 * cluster). Groups are drawn in an order fixed by the pipeline seed, and each goes to validation,
 * else test, when it brings that split's count closer to its share of the label (stratified); a
 * group too large for either stays in train. {@code evaluation: seeds} lets only seeds into validation/test;
 * {@code seeds_in_evaluation: false} keeps them out. A cluster goes to evaluation only when every
 * member may. Train records get a rank (a seeded shuffle) that nests the learning-curve subsets.
 */
public final class Balancer {
  public static final String CLUSTER_FEATURE = "cluster";

  private Balancer() {}

  public enum Split {
    TRAIN,
    VALIDATION,
    TEST
  }

  /** {@code trainRank}: position in the label's train shuffle (0-based), -1 outside train. */
  public record Assigned(Candidate candidate, Split split, int trainRank) {}

  public record Result(List<Assigned> kept, List<Candidate> overQuota) {}

  public static Result assign(List<Candidate> candidates, int cap, double validationFraction, long seed) {
    return assign(candidates, cap, new PipelineSpec.Split(validationFraction, 0, "all", true), seed);
  }

  public static Result assign(List<Candidate> candidates, int cap, PipelineSpec.Split split, long seed) {
    return assign(candidates, cap, split, seed, Balancer::byCluster);
  }

  /** The split groups of the kept records of one label: every kept id to its group's key. */
  @FunctionalInterface
  public interface Grouping {
    Map<String, String> groupOf(List<Candidate> kept);
  }

  static Map<String, String> byCluster(List<Candidate> kept) {
    Map<String, String> out = new HashMap<>();
    kept.forEach(c -> out.put(c.id(), clusterOf(c)));
    return out;
  }

  /** As {@link #assign(List, int, PipelineSpec.Split, long)}, keeping {@code grouping}'s groups whole. */
  public static Result assign(List<Candidate> candidates, int cap, PipelineSpec.Split split, long seed, Grouping grouping) {
    List<Candidate> ordered = diverseOrder(candidates, seed);
    int n = Math.min(cap, ordered.size());
    List<Candidate> kept = new ArrayList<>(ordered.subList(0, n));
    List<Candidate> over = List.copyOf(ordered.subList(n, ordered.size()));

    int validation = evaluationCount(n, split.validation());
    int test = Math.min(evaluationCount(n, split.test()), Math.max(0, n - 1 - validation));
    Map<String, List<Candidate>> clusters = new LinkedHashMap<>();
    kept.sort(Comparator.comparing(Candidate::id));
    Map<String, String> groupOf = grouping.groupOf(kept);
    for (Candidate c : kept) {
      clusters.computeIfAbsent(groupOf.get(c.id()), k -> new ArrayList<>()).add(c);
    }
    List<String> clusterOrder = new ArrayList<>(clusters.keySet());
    clusterOrder.sort(Comparator.comparingLong((String k) -> Hashes.draw(seed, "split|" + k)).thenComparing(k -> k));
    Map<String, Split> splitOf = new HashMap<>();
    int v = 0;
    int t = 0;
    for (String k : clusterOrder) {
      List<Candidate> members = clusters.get(k);
      if (v >= validation && t >= test) {
        break;
      }
      if (!members.stream().allMatch(c -> eligibleForEvaluation(c, split))) {
        continue;
      }
      if (v + t + members.size() > n - 1) {
        continue; // never the whole label
      }
      // a group goes where it brings the count closer to its target; one that would overshoot
      // by more than it fills waits for a smaller one
      int size = members.size();
      if (v < validation && closer(v, size, validation)) {
        v += size;
        members.forEach(c -> splitOf.put(c.id(), Split.VALIDATION));
      } else if (t < test && closer(t, size, test)) {
        t += size;
        members.forEach(c -> splitOf.put(c.id(), Split.TEST));
      }
    }
    List<Candidate> train = new ArrayList<>();
    for (Candidate c : kept) {
      if (!splitOf.containsKey(c.id())) {
        train.add(c);
      }
    }
    train.sort(Comparator.comparingLong((Candidate c) -> Hashes.draw(seed, "subset|" + c.id())).thenComparing(Candidate::id));
    List<Assigned> out = new ArrayList<>(n);
    for (int i = 0; i < train.size(); i++) {
      out.add(new Assigned(train.get(i), Split.TRAIN, i));
    }
    for (Candidate c : kept) {
      Split s = splitOf.get(c.id());
      if (s != null) {
        out.add(new Assigned(c, s, -1));
      }
    }
    return new Result(out, over);
  }

  private static boolean closer(int have, int add, int target) {
    return Math.abs(have + add - target) < Math.abs(have - target);
  }

  static boolean isSeed(Candidate c) {
    return ExactDedup.isSeed(c);
  }

  static boolean eligibleForEvaluation(Candidate c, PipelineSpec.Split split) {
    if ("seeds".equals(split.evaluation())) {
      return isSeed(c);
    }
    return split.seedsInEvaluation() || !isSeed(c);
  }

  /** The near-duplicate cluster of a record: the {@code cluster} feature, or the record itself. */
  public static String clusterOf(Candidate c) {
    Double cluster = c.features().get(CLUSTER_FEATURE);
    return cluster == null ? "id:" + c.id() : "c:" + cluster.longValue();
  }

  static String sourceOf(Candidate c) {
    return c.provenance().seedIds().isEmpty() ? "" : String.join(",", c.provenance().seedIds());
  }

  /**
   * Seeds first; then tiers by how many records of the same cluster came before (distinct clusters
   * first), and within a tier round-robin over source seeds; ties by a seeded draw.
   */
  static List<Candidate> diverseOrder(List<Candidate> candidates, long seed) {
    List<Candidate> byDraw = new ArrayList<>(candidates);
    byDraw.sort(Comparator.comparingLong((Candidate c) -> Hashes.draw(seed, "pick|" + c.id())).thenComparing(Candidate::id));
    Map<String, Integer> clusterSeen = new HashMap<>();
    Map<String, Integer> clusterRepeat = new HashMap<>();
    for (Candidate c : byDraw) {
      int r = clusterSeen.merge(clusterOf(c), 1, Integer::sum) - 1;
      clusterRepeat.put(c.id(), r);
    }
    Map<String, Integer> seedRound = new HashMap<>();
    Map<String, Integer> roundOf = new HashMap<>();
    List<Candidate> byTier = new ArrayList<>(byDraw);
    byTier.sort(Comparator.comparingInt((Candidate c) -> clusterRepeat.get(c.id())));
    for (Candidate c : byTier) {
      String key = clusterRepeat.get(c.id()) + "|" + sourceOf(c);
      roundOf.put(c.id(), seedRound.merge(key, 1, Integer::sum) - 1);
    }
    byTier.sort(
        Comparator.comparing((Candidate c) -> !isSeed(c))
            .thenComparingInt(c -> clusterRepeat.get(c.id()))
            .thenComparingInt(c -> roundOf.get(c.id()))
            .thenComparingLong(c -> Hashes.draw(seed, "pick|" + c.id()))
            .thenComparing(Candidate::id));
    return byTier;
  }

  /**
   * Records of a label of {@code n} for one evaluation split: a fraction (below 1) rounded, at least
   * one when the label has two or more; or a count (1 or more) per label; never the whole label.
   */
  public static int evaluationCount(int n, double value) {
    if (value <= 0 || n < 2) {
      return 0;
    }
    int v = value >= 1 ? (int) value : (int) Math.round(n * value);
    return Math.max(1, Math.min(v, n - 1));
  }

  static int validationCount(int n, double fraction) {
    return evaluationCount(n, fraction);
  }
}
