package dev.seedforge.quality;

import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Degenerate loops, the typical failure of sampling at a low temperature or a long max_tokens:
 *
 * <ul>
 *   <li>{@code repeated_ngrams}: the share of word n-grams (n = {@code n}) that repeat an earlier
 *       one, after normalisation; judged from {@code n + 5} words ("thank you thank you thank
 *       you …" scores near 1, ordinary prose 0).
 *   <li>{@code repeated_lines}: the share of non-blank lines that repeat an earlier line; judged
 *       from 3 lines.
 * </ul>
 *
 * An instruction that asks for code, a table, a grid or structured data ({@link InstructionAsks})
 * raises the maximum to {@link #RELAXED_MAX}: such answers repeat cells, keywords and row shapes by
 * design, while a loop (one sentence over and over) still repeats nearly all its n-grams.
 *
 * <p>Score: the share; threshold: the maximum.
 */
public final class RepetitionFilter implements Filter {
  private static final long serialVersionUID = 1L;
  public static final String NGRAMS = "repeated_ngrams";
  public static final String LINES = "repeated_lines";
  private static final java.util.regex.Pattern LINE_BREAK = java.util.regex.Pattern.compile("\\R");
  /** The maximum share for a requested structure. */
  public static final double RELAXED_MAX = 0.7;
  static final java.util.Set<InstructionAsks.Ask> RELAXED_BY = java.util.EnumSet.of(
      InstructionAsks.Ask.CODE, InstructionAsks.Ask.TABLE, InstructionAsks.Ask.GRID, InstructionAsks.Ask.STRUCTURED_DATA);

  private final boolean lines;
  private final int n;
  private final double max;
  private final TaskType task;

  private RepetitionFilter(boolean lines, int n, double max, TaskType task) {
    this.lines = lines;
    this.n = n;
    this.max = max;
    this.task = task;
  }

  public static RepetitionFilter ngrams(int n, double max, TaskType task) {
    return new RepetitionFilter(false, n, max, task);
  }

  public static RepetitionFilter lines(double max, TaskType task) {
    return new RepetitionFilter(true, 0, max, task);
  }

  @Override
  public String name() {
    return lines ? LINES : NGRAMS;
  }

  @Override
  public Verdict check(Candidate candidate) {
    return check(new CandidateText(candidate, task));
  }

  @Override
  public Verdict check(CandidateText text) {
    double share = lines ? lineRepeats(text.output()) : ngramRepeatsOfNormalized(text.normalizedOutput(), n);
    boolean relaxed = text.asks().any(RELAXED_BY) && RELAXED_MAX > max;
    return verdict(share, relaxed ? RELAXED_MAX : max, relaxed ? " for requested " + String.join(", ", text.asks().names()) : "");
  }

  public Verdict judge(String text) {
    return verdict(lines ? lineRepeats(text) : ngramRepeats(text, n), max, "");
  }

  private Verdict verdict(double share, double max, String why) {
    if (!Double.isNaN(share) && share > max) {
      String what = lines ? "lines" : n + "-grams";
      return Verdict.reject(String.format(Locale.ROOT, "%.0f%% of the %s repeat earlier ones (max %.0f%%%s)", 100 * share, what, 100 * max, why), share, max);
    }
    return Verdict.KEEP;
  }

  static double ngramRepeats(String text, int n) {
    return ngramRepeatsOfNormalized(TextNormalizer.normalize(text), n);
  }

  private static double ngramRepeatsOfNormalized(String norm, int n) {
    if (norm.isEmpty()) {
      return Double.NaN;
    }
    WordWindows w = WordWindows.of(norm);
    if (w.size() < n + 5) {
      return Double.NaN;
    }
    Set<String> seen = new HashSet<>();
    int grams = w.size() - n + 1;
    int repeats = 0;
    for (int i = 0; i < grams; i++) {
      String g = w.window(i, n);
      if (!seen.add(g)) {
        repeats++;
      }
    }
    return (double) repeats / grams;
  }

  static double lineRepeats(String text) {
    Set<String> seen = new HashSet<>();
    int total = 0;
    int repeats = 0;
    for (String line : LINE_BREAK.split(text)) {
      String norm = TextNormalizer.normalize(line);
      if (norm.isEmpty()) {
        continue;
      }
      total++;
      if (!seen.add(norm)) {
        repeats++;
      }
    }
    return total < 3 ? Double.NaN : (double) repeats / total;
  }

  @Override
  public String toString() {
    return name() + "[≤" + max + "]";
  }
}
