package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rejects model refusals and AI boilerplate ("As an AI language model", "I cannot fulfill", "Sure!
 * Here are ...") anywhere in the judged text. Matching ignores case, runs of whitespace, commas
 * and the kind of quote or apostrophe, and only matches whole words ({@code "sure! here are"} does
 * not match inside {@code "unsure! here are"}).
 *
 * <p>The default phrases are chosen not to fire on ordinary customer messages: "I'm sorry to bother
 * you", "I can't log in", "I'm sorry, but I can't find my invoice" and "Sure! Here is my order
 * number" are all kept, which is why there is no bare "I'm sorry, but I can't" or "Sure! Here".
 * Score 1, no threshold; the reason names the phrase.
 */
public final class PhraseFilter implements Filter {
  public static final String NAME = "refusal_boilerplate";
  private static final long serialVersionUID = 1L;

  public static final List<String> DEFAULT_PHRASES =
      List.of(
          // talking about itself as an AI
          "as an ai language model",
          "as a language model",
          "as a large language model",
          "as an ai model",
          "as an ai assistant",
          "as an artificial intelligence",
          "i am an ai language model",
          "i'm just an ai",
          "i'm an ai language model",
          "trained by openai",
          "i don't have personal opinions",
          "i do not have personal opinions",
          "i don't have personal experiences",
          "i do not have personal experiences",
          "my knowledge cutoff",
          "as of my last knowledge update",
          "i do not have access to real-time",
          "i don't have access to real-time",
          "i don't have the ability to browse",
          // refusals
          "i cannot fulfill",
          "i can't fulfill",
          "i'm unable to fulfill",
          "i can't assist with",
          "i cannot assist with",
          "i'm not able to assist with",
          "i'm sorry, but i can't assist",
          "i'm sorry, but i cannot assist",
          "i'm sorry, but i can't help with that",
          "i'm sorry, but i cannot help with that",
          "i'm sorry, but i can't provide",
          "i'm sorry, but i cannot provide",
          "i cannot comply with",
          "i must decline",
          "it's not appropriate for me to",
          "goes against my programming",
          // chatter around generated examples
          "here are some examples",
          "here are a few examples",
          "here are some more examples",
          "below are some examples",
          "sure! here are",
          "sure! here's an example",
          "certainly! here",
          "i hope this helps");

  private final List<String> phrases;
  private final List<String> keys;
  private final TaskType task;

  public PhraseFilter(List<String> extraPhrases, TaskType task) {
    Map<String, String> byKey = new LinkedHashMap<>();
    for (String p : DEFAULT_PHRASES) {
      byKey.putIfAbsent(normalize(p), p);
    }
    if (extraPhrases != null) {
      for (String p : extraPhrases) {
        if (p != null && !normalize(p).isEmpty()) {
          byKey.putIfAbsent(normalize(p), p.strip());
        }
      }
    }
    this.phrases = List.copyOf(byKey.values());
    this.keys = List.copyOf(byKey.keySet());
    this.task = task;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The phrases in use: the defaults, then the extra ones (duplicates dropped). */
  public List<String> phrases() {
    return phrases;
  }

  @Override
  public Verdict check(Candidate candidate) {
    return check(new CandidateText(candidate, task));
  }

  @Override
  public Verdict check(CandidateText text) {
    String hit = firstMatch(text.text());
    return hit == null ? Verdict.KEEP : Verdict.reject("contains \"" + hit + "\"", 1.0, null);
  }

  /** The first phrase found in {@code text}, as configured, or null. */
  public String firstMatch(String text) {
    String t = normalize(text);
    if (t.isEmpty()) {
      return null;
    }
    Index index = index();
    int first = Integer.MAX_VALUE;
    // one pass over the text's words: only the phrases that start with a word are tried there
    for (int i = 0; i < t.length(); i++) {
      if (!isWordChar(t.charAt(i)) || (i > 0 && isWordChar(t.charAt(i - 1)))) {
        continue;
      }
      int end = i;
      while (end < t.length() && isWordChar(t.charAt(end))) {
        end++;
      }
      int[] starting = index.byFirstWord().get(t.substring(i, end));
      if (starting != null) {
        for (int k : starting) {
          if (k < first && matchesAt(t, keys.get(k), i)) {
            first = k;
          }
        }
      }
      i = end - 1;
    }
    for (int k : index.others()) {
      if (k < first && containsWords(t, keys.get(k))) {
        first = k;
      }
    }
    return first == Integer.MAX_VALUE ? null : phrases.get(first);
  }

  /**
   * The phrases by their first word (the letters and digits they start with), in the order
   * configured, and those that start with another character, which are looked for one by one.
   */
  private record Index(Map<String, int[]> byFirstWord, int[] others) {}

  private transient volatile Index index;

  private Index index() {
    Index i = index;
    if (i == null) {
      Map<String, List<Integer>> byWord = new java.util.HashMap<>();
      List<Integer> others = new java.util.ArrayList<>();
      for (int k = 0; k < keys.size(); k++) {
        String key = keys.get(k);
        int end = 0;
        while (end < key.length() && isWordChar(key.charAt(end))) {
          end++;
        }
        if (end == 0) {
          others.add(k);
        } else {
          byWord.computeIfAbsent(key.substring(0, end), w -> new java.util.ArrayList<>()).add(k);
        }
      }
      Map<String, int[]> byFirstWord = new java.util.HashMap<>();
      byWord.forEach((w, ks) -> byFirstWord.put(w, ks.stream().mapToInt(Integer::intValue).toArray()));
      i = new Index(byFirstWord, others.stream().mapToInt(Integer::intValue).toArray());
      index = i;
    }
    return i;
  }

  /** True when {@code phrase}, which starts with a word, stands at word start {@code i} of {@code text} as whole words. */
  private static boolean matchesAt(String text, String phrase, int i) {
    if (!text.startsWith(phrase, i)) {
      return false;
    }
    int end = i + phrase.length();
    return end == text.length() || !isWordChar(text.charAt(end)) || !isWordChar(phrase.charAt(phrase.length() - 1));
  }

  /**
   * Lower case; curly and other look-alike quotes and apostrophes made straight; commas dropped;
   * runs of whitespace made one space; trimmed.
   */
  static String normalize(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u02BC', '\u0060', '\u00B4' -> c = '\'';
        case '\u201C', '\u201D', '\u201E', '\u201F', '\u2033', '\u00AB', '\u00BB' -> c = '"';
        case ',', '\uFF0C' -> {
          continue;
        }
        default -> {}
      }
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        space = true;
        continue;
      }
      if (space && b.length() > 0) {
        b.append(' ');
      }
      space = false;
      b.append(c);
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }

  private static boolean containsWords(String text, String phrase) {
    if (phrase.isEmpty()) {
      return false;
    }
    int from = 0;
    while (true) {
      int i = text.indexOf(phrase, from);
      if (i < 0) {
        return false;
      }
      int end = i + phrase.length();
      boolean startOk = i == 0 || !isWordChar(text.charAt(i - 1)) || !isWordChar(phrase.charAt(0));
      boolean endOk =
          end == text.length() || !isWordChar(text.charAt(end)) || !isWordChar(phrase.charAt(phrase.length() - 1));
      if (startOk && endOk) {
        return true;
      }
      from = i + 1;
    }
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c);
  }

  @Override
  public String toString() {
    return NAME + "[" + phrases.size() + " phrases]";
  }
}
