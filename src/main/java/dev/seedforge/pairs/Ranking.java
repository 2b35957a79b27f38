package dev.seedforge.pairs;

import dev.seedforge.judge.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The judge's two scorings of one prompt's answers, the second with the answers shown in reverse
 * order, and what they decide: the best answer (chosen) and the worst (rejected), or that the
 * judge contradicted itself. A ranking is consistent only when both scorings name the same best and
 * the same worst answer, with no tie for either: a judge swayed by the order it reads answers in,
 * or unable to separate them, says nothing about which answer is better.
 */
public final class Ranking {
  public static final String INCONSISTENT = "inconsistent_ranking";

  /** The decision: {@code best} and {@code worst} (0-based answer indices), or the contradiction in {@code problem}. */
  public record Decision(int best, int worst, String problem, double concordance, String summary) {
    public boolean consistent() {
      return problem == null;
    }
  }

  private Ranking() {}

  /**
   * Decides from the verdicts of the forward call (answer i shown as [i+1]) and the reversed call
   * (answer i shown as [n−i]); both must score every answer.
   */
  public static Decision decide(Map<Integer, Verdict> forward, Map<Integer, Verdict> reversed, int n) {
    double[] a = new double[n];
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = forward.get(i + 1).score();
      b[i] = reversed.get(n - i).score();
    }
    double concordance = concordance(a, b);
    String summary = String.format(Locale.ROOT, "scores in answer order: %s; reversed order: %s", scores(a), scores(b));
    String tie = tie(a, "first");
    if (tie == null) {
      tie = tie(b, "reversed");
    }
    if (tie != null) {
      return new Decision(-1, -1, tie + "; " + summary, concordance, summary);
    }
    int best = argmax(a);
    int worst = argmin(a);
    if (best != argmax(b) || worst != argmin(b)) {
      return new Decision(-1, -1, String.format(Locale.ROOT,
          "the first scoring picks answer %d best and %d worst; asked again with the answers in reverse order the judge picks %d best and %d worst; %s",
          best + 1, worst + 1, argmax(b) + 1, argmin(b) + 1, summary), concordance, summary);
    }
    return new Decision(best, worst, null, concordance, summary);
  }

  /** The share of answer pairs both scorings order the same way (ties in either count as not the same). */
  static double concordance(double[] a, double[] b) {
    int pairs = 0;
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = i + 1; j < a.length; j++) {
        pairs++;
        double x = Math.signum(a[i] - a[j]);
        if (x != 0 && x == Math.signum(b[i] - b[j])) {
          same++;
        }
      }
    }
    return pairs == 0 ? 1.0 : (double) same / pairs;
  }

  private static String tie(double[] s, String which) {
    List<Integer> top = new ArrayList<>();
    List<Integer> bottom = new ArrayList<>();
    double max = s[argmax(s)];
    double min = s[argmin(s)];
    for (int i = 0; i < s.length; i++) {
      if (s[i] == max) {
        top.add(i + 1);
      }
      if (s[i] == min) {
        bottom.add(i + 1);
      }
    }
    if (top.size() > 1) {
      return "the " + which + " scoring ties answers " + join(top) + " for best (" + fmt(max) + ")";
    }
    if (bottom.size() > 1) {
      return "the " + which + " scoring ties answers " + join(bottom) + " for worst (" + fmt(min) + ")";
    }
    return null;
  }

  private static int argmax(double[] s) {
    int k = 0;
    for (int i = 1; i < s.length; i++) {
      if (s[i] > s[k]) {
        k = i;
      }
    }
    return k;
  }

  private static int argmin(double[] s) {
    int k = 0;
    for (int i = 1; i < s.length; i++) {
      if (s[i] < s[k]) {
        k = i;
      }
    }
    return k;
  }

  private static String scores(double[] s) {
    List<String> out = new ArrayList<>();
    for (double d : s) {
      out.add(fmt(d));
    }
    return "[" + String.join(", ", out) + "]";
  }

  private static String join(List<Integer> l) {
    return String.join(" and ", l.stream().map(String::valueOf).toList());
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
