package dev.seedforge.balance;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Learning-curve subsets of the training set ({@code subsets: [0.1, 0.25, 100]}), nested and
 * stratified. Every train record has a rank r in its label's seeded shuffle (n records); its place
 * in one global order is the sort by (r + 0.5) / n, ties broken by label name, which interleaves the
 * labels in proportion. A subset of size s is the first s records of that order, so every subset is
 * contained in every larger one and holds each label within one record of its share. The place is
 * computed from the per-label train counts alone, so no worker needs the whole set.
 */
public final class Subsets {
  private Subsets() {}

  /** The split name (and file stem) of a subset: train-0.25 for a fraction, train-100 for a count. */
  public static String name(double value) {
    return "train-" + (value >= 1 ? String.valueOf((long) value) : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString());
  }

  /** Records in a subset: a fraction of the train set (rounded), or a count, at most the train set. */
  public static long size(double value, long trainTotal) {
    long s = value >= 1 ? (long) value : Math.round(value * trainTotal);
    return Math.max(0, Math.min(s, trainTotal));
  }

  /** The 0-based place of the record of {@code label} with {@code rank} in the stratified order. */
  public static long position(String label, long rank, Map<String, Long> trainCounts) {
    long n = trainCounts.get(label);
    long place = rank;
    for (Map.Entry<String, Long> e : trainCounts.entrySet()) {
      String other = e.getKey();
      long m = e.getValue();
      if (other.equals(label) || m <= 0) {
        continue;
      }
      // records r' of the other label with (2r'+1)/(2m) < (2r+1)/(2n), i.e. odd o=2r'+1 with o*n < x
      long x = (2 * rank + 1) * m;
      long q = (x - 1) / n;
      long below = Math.min(m, (q + 1) / 2);
      place += below;
      boolean tie = x % n == 0 && ((x / n) % 2 == 1) && (x / n) <= 2 * m - 1;
      if (tie && other.compareTo(label) < 0) {
        place += 1;
      }
    }
    return place;
  }
}
