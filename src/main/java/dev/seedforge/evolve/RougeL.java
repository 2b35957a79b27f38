package dev.seedforge.evolve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-L as the Self-Instruct paper uses it to keep only novel instructions: the F-measure of the
 * longest common subsequence of two texts' word tokens (lower case, runs of letters and digits;
 * no stemming), {@code 2·LCS / (|a| + |b|)}.
 */
public final class RougeL {
  private RougeL() {}

  /** The tokens ROUGE-L compares: lower-case runs of letters and digits. */
  public static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    String s = text.toLowerCase(Locale.ROOT);
    int start = -1;
    for (int i = 0; i <= s.length(); i++) {
      boolean word = i < s.length() && Character.isLetterOrDigit(s.charAt(i));
      if (word && start < 0) {
        start = i;
      } else if (!word && start >= 0) {
        out.add(s.substring(start, i));
        start = -1;
      }
    }
    return out;
  }

  /** Token ids shared by every text of one index, so that the LCS compares ints. */
  public static final class Vocabulary {
    private final Map<String, Integer> ids = new HashMap<>();

    public int[] encode(String text) {
      List<String> t = tokens(text);
      int[] out = new int[t.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ids.computeIfAbsent(t.get(i), k -> ids.size());
      }
      return out;
    }
  }

  public static double score(String a, String b) {
    Vocabulary v = new Vocabulary();
    return score(v.encode(a), v.encode(b));
  }

  /** ROUGE-L F-measure of two encoded texts; 0 when either is empty. */
  public static double score(int[] a, int[] b) {
    if (a.length == 0 || b.length == 0) {
      return 0;
    }
    return 2.0 * lcs(a, b) / (a.length + b.length);
  }

  /** Length of the longest common subsequence, in two rows of the dynamic programme. */
  static int lcs(int[] a, int[] b) {
    int[] prev = new int[b.length + 1];
    int[] cur = new int[b.length + 1];
    for (int x : a) {
      for (int j = 1; j <= b.length; j++) {
        cur[j] = x == b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length];
  }
}
