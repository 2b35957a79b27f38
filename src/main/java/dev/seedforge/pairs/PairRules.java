package dev.seedforge.pairs;

import dev.seedforge.dedup.TextNormalizer;
import java.util.Locale;
import java.util.Optional;

/**
 * The rules a pair must pass whatever its answers say: its two answers must differ, and by more
 * than a word or two. Answers are compared in {@link TextNormalizer} form (case, punctuation and
 * spacing ignored), so a pair that differs only in those is identical.
 */
public final class PairRules implements java.io.Serializable {
  public static final String IDENTICAL = "identical_pair";
  public static final String NEAR_IDENTICAL = "near_identical_pair";

  private final double maxSimilarity;

  public PairRules(double maxSimilarity) {
    this.maxSimilarity = maxSimilarity;
  }

  /** Why a pair breaks a rule: the rule's name, the reason, the similarity measured and the bound. */
  public record Broken(String rule, String reason, double score, double threshold) {}

  /** The first rule the answers break, or empty. */
  public Optional<Broken> check(String chosen, String rejected) {
    String[] a = words(chosen);
    String[] b = words(rejected);
    if (String.join(" ", a).equals(String.join(" ", b))) {
      return Optional.of(new Broken(IDENTICAL, "the chosen and the rejected answer are the same text (case, punctuation and spacing ignored)", 1.0, 1.0));
    }
    double similarity = similarity(a, b);
    if (similarity >= maxSimilarity) {
      return Optional.of(new Broken(NEAR_IDENTICAL, String.format(Locale.ROOT,
          "the answers differ in %d of %d words: word edit similarity %.3f, at or above pairs.max_similarity %.3f",
          distance(a, b), Math.max(a.length, b.length), similarity, maxSimilarity), similarity, maxSimilarity));
    }
    return Optional.empty();
  }

  /** 1 − (word-level edit distance ÷ the longer answer's words): 1 for the same words, 0 for nothing in common in place. */
  public static double similarity(String x, String y) {
    return similarity(words(x), words(y));
  }

  private static double similarity(String[] a, String[] b) {
    int longer = Math.max(a.length, b.length);
    return longer == 0 ? 1.0 : 1.0 - (double) distance(a, b) / longer;
  }

  private static String[] words(String text) {
    String n = TextNormalizer.normalize(text == null ? "" : text);
    return n.isEmpty() ? new String[0] : n.split(" ");
  }

  /** Levenshtein distance over words (insert, delete, replace one word), two rows. */
  static int distance(String[] a, String[] b) {
    int[] prev = new int[b.length + 1];
    int[] cur = new int[b.length + 1];
    for (int j = 0; j <= b.length; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length; i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length; j++) {
        int replace = prev[j - 1] + (a[i - 1].equals(b[j - 1]) ? 0 : 1);
        cur[j] = Math.min(replace, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length];
  }
}
