package dev.seedforge.generate;

import dev.seedforge.seed.Seed;
import dev.seedforge.util.Hashes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Self-Instruct's feedback loop in the prompts of later rounds: of a call's few-shot examples,
 * {@code share} (rounded) are tasks of the label the run has already accepted, the rest seeds, in
 * an order drawn from the pipeline seed. The paper shows 6 seeds and 2 generated tasks.
 */
public final class FewShotMix implements Serializable {
  private final Map<String, List<Seed>> generated;
  private final double share;
  private final long seed;

  /** {@code generated}: the accepted tasks as seed-like examples, any label order. */
  public FewShotMix(List<Seed> generated, double share, long seed) {
    Map<String, List<Seed>> byLabel = new LinkedHashMap<>();
    for (Seed s : generated) {
      byLabel.computeIfAbsent(RequestPlanner.labelKey(s.label()), k -> new ArrayList<>()).add(s);
    }
    this.generated = byLabel;
    this.share = share;
    this.seed = seed;
  }

  /** How many of {@code fewShot} examples are generated tasks, when the label has enough of them. */
  public int generatedCount(int fewShot) {
    return (int) Math.round(share * fewShot);
  }

  /**
   * The few-shot examples of one call: the first seeds of {@code seedsInOrder} and the label's
   * accepted tasks drawn for {@code key}, {@code fewShot} in all.
   */
  public List<Seed> examples(String labelKey, String key, List<Seed> seedsInOrder, int fewShot) {
    List<Seed> pool = new ArrayList<>(generated.getOrDefault(labelKey, List.of()));
    int k = Math.min(pool.size(), generatedCount(fewShot));
    pool.sort(Comparator.comparingLong((Seed s) -> Hashes.draw(seed, "fewshot-generated|" + key + "|" + s.id())).thenComparing(Seed::id));
    List<Seed> out = new ArrayList<>(seedsInOrder.subList(0, Math.min(fewShot - k, seedsInOrder.size())));
    out.addAll(pool.subList(0, k));
    out.sort(Comparator.comparingLong((Seed s) -> Hashes.draw(seed, "fewshot-order|" + key + "|" + s.id())).thenComparing(Seed::id));
    return out;
  }
}
