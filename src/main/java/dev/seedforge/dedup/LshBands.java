package dev.seedforge.dedup;

import java.io.Serializable;

/**
 * How a MinHash signature is cut into {@code bands} of {@code rows}: two records become a candidate
 * pair when all rows of at least one band agree, which happens with probability
 * {@code 1 - (1 - J^rows)^bands} for Jaccard similarity J (the "S-curve").
 *
 * <p>{@link #forThreshold} picks, among the pairs that fit in {@code numHashes} positions and
 * compare a pair exactly at the threshold with probability at least {@link #MIN_RECALL_AT_THRESHOLD}
 * (pairs above it even more often), the one with the smallest false-positive area (pairs below the
 * threshold compared and then discarded by the exact check, i.e. wasted work).
 */
public record LshBands(int bands, int rows) implements Serializable {
  public static final double MIN_RECALL_AT_THRESHOLD = 0.97;

  public LshBands {
    if (bands < 1 || rows < 1) {
      throw new IllegalArgumentException("bands and rows must be positive");
    }
  }

  /** The probability that a pair with Jaccard similarity {@code j} is compared. */
  public double candidateProbability(double j) {
    return 1 - Math.pow(1 - Math.pow(j, rows), bands);
  }

  public static LshBands forThreshold(double threshold, int numHashes) {
    if (threshold <= 0 || threshold > 1) {
      throw new IllegalArgumentException("threshold must be within (0, 1]: " + threshold);
    }
    LshBands best = null;
    double bestCost = Double.MAX_VALUE;
    for (int b = 1; b <= numHashes; b++) {
      for (int r = 1; r * b <= numHashes; r++) {
        LshBands p = new LshBands(b, r);
        if (p.candidateProbability(threshold) < MIN_RECALL_AT_THRESHOLD) {
          continue;
        }
        double cost = integrate(p, 0, threshold, false);
        if (cost < bestCost - 1e-12) {
          bestCost = cost;
          best = p;
        }
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no LSH banding of " + numHashes + " hashes reaches threshold " + threshold);
    }
    return best;
  }

  private static double integrate(LshBands p, double from, double to, boolean missed) {
    int steps = 200;
    double h = (to - from) / steps;
    double sum = 0;
    for (int i = 0; i < steps; i++) {
      double x = from + (i + 0.5) * h;
      double pc = p.candidateProbability(x);
      sum += (missed ? 1 - pc : pc) * h;
    }
    return sum;
  }
}
