package dev.seedforge.balance;

import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.generate.Candidate;
import dev.seedforge.util.Hashes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Caps one label at its quota and splits what is kept into train and validation. Seeds are kept
 * first (they are real data); the rest are drawn in an order fixed by the pipeline seed. The
 * validation share is taken per label, so the split is stratified.
 */
public final class Balancer {
  private Balancer() {}

  public enum Split {
    TRAIN,
    VALIDATION
  }

  public record Assigned(Candidate candidate, Split split) {}

  public record Result(List<Assigned> kept, List<Candidate> overQuota) {}

  public static Result assign(List<Candidate> candidates, int cap, double validationFraction, long seed) {
    List<Candidate> ordered = new ArrayList<>(candidates);
    ordered.sort(
        Comparator.comparing((Candidate c) -> !ExactDedup.SEED_GENERATOR.equals(c.provenance().generator()))
            .thenComparingLong(c -> Hashes.draw(seed, "pick|" + c.id()))
            .thenComparing(Candidate::id));
    int n = Math.min(cap, ordered.size());
    List<Candidate> kept = new ArrayList<>(ordered.subList(0, n));
    List<Candidate> over = List.copyOf(ordered.subList(n, ordered.size()));
    kept.sort(Comparator.comparingLong((Candidate c) -> Hashes.draw(seed, "split|" + c.id())).thenComparing(Candidate::id));
    int validation = validationCount(n, validationFraction);
    List<Assigned> out = new ArrayList<>(n);
    for (int i = 0; i < kept.size(); i++) {
      out.add(new Assigned(kept.get(i), i < validation ? Split.VALIDATION : Split.TRAIN));
    }
    return new Result(out, over);
  }

  /** Rounded share, but never all of a label, and at least one when the label has two or more. */
  static int validationCount(int n, double fraction) {
    if (fraction <= 0 || n < 2) {
      return 0;
    }
    int v = (int) Math.round(n * fraction);
    return Math.max(1, Math.min(v, n - 1));
  }
}
