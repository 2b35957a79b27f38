package dev.seedforge.evolve;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The elimination rules of Evol-Instruct (WizardLM), each a filter with its own name: an evolved
 * task that adds nothing to its parent, or that leaks the evolving prompt's own words, is dropped
 * before its answer is paid for; an answer that is a refusal, or has no content at all, is dropped
 * after. Plain Java, judged per task.
 */
public final class EvolutionRules {
  public static final String NO_NEW_INFORMATION = "evol_no_new_information";
  public static final String COPIES_PROMPT = "evol_copies_prompt";
  public static final String REFUSAL = "evol_refusal";
  public static final String TOO_SHORT = "evol_too_short";

  /** WizardLM drops a response with "sorry" only while it is short; a long answer may apologise and still answer. */
  static final int REFUSAL_MAX_WORDS = 80;
  /** How many consecutive words of the rewrite prompt make a leak: long enough not to be a common phrase. */
  static final int LEAK_WORDS = 6;

  /** Markers of the evolving prompt that a careless rewrite copies into the new task. */
  private static final List<String> PROMPT_MARKERS = List.of(
      "#rewritten prompt#", "#given prompt#", "#created prompt#", "#the given prompt#", "#new prompt#",
      "rewritten prompt", "given prompt", "created prompt", "rewritten task", "given task", "the prompt above", "#prompt#");

  private static final List<String> REFUSALS = List.of(
      "sorry", "i cannot", "i can't", "i can not", "i am unable", "i'm unable", "i am not able", "as an ai", "i apologize", "i apologise",
      "i won't be able", "cannot assist", "can't help with");

  /** English function words: a text made only of these (and punctuation) says nothing. */
  static final Set<String> STOP_WORDS = Set.of(
      "a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "into",
      "about", "over", "under", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had", "it",
      "its", "this", "that", "these", "those", "there", "here", "i", "you", "he", "she", "we", "they", "me", "him", "her", "us", "them",
      "my", "your", "his", "our", "their", "what", "which", "who", "whom", "how", "why", "when", "where", "not", "no", "yes", "can",
      "could", "will", "would", "should", "may", "might", "must", "shall", "all", "any", "each", "some", "such", "also", "very", "just",
      "more", "most", "than", "too", "up", "out", "one", "given", "following", "please");

  /** A rule's verdict: the filter that rejected, why, the measured score and its threshold; null filter when it passed. */
  public record Verdict(String filter, String reason, double score, double threshold) {
    static final Verdict PASS = new Verdict(null, null, 0, 0);

    public boolean rejected() {
      return filter != null;
    }
  }

  private final Set<String> promptShingles;

  /** Rules that recognise any {@value #LEAK_WORDS} consecutive words of {@code promptTexts} (the rewrite template and the operation texts). */
  public EvolutionRules(List<String> promptTexts) {
    Set<String> s = new HashSet<>();
    for (String t : promptTexts) {
      s.addAll(shingles(words(t.replaceAll("\\{\\{[^}]*}}", " "))));
    }
    this.promptShingles = Set.copyOf(s);
  }

  /** The rewritten task against its parent: does it leak the prompt, or add no content word the parent lacks? */
  public Verdict judgeRewrite(String evolved, String parent) {
    String lower = evolved.toLowerCase(Locale.ROOT);
    for (String m : PROMPT_MARKERS) {
      if (lower.contains(m)) {
        return new Verdict(COPIES_PROMPT, "the evolved task copies the evolving prompt's words (\"" + m + "\")", 1, 0);
      }
    }
    List<String> shingles = shingles(words(evolved));
    for (String sh : shingles) {
      if (promptShingles.contains(sh)) {
        return new Verdict(COPIES_PROMPT, "the evolved task copies " + LEAK_WORDS + " consecutive words of the evolving prompt (\"" + sh + "\")", 1, 0);
      }
    }
    Set<String> before = new HashSet<>(words(parent));
    List<String> added = new ArrayList<>();
    for (String w : words(evolved)) {
      if (!STOP_WORDS.contains(w) && !before.contains(w) && !added.contains(w)) {
        added.add(w);
      }
    }
    if (added.isEmpty()) {
      double similarity = RougeL.score(evolved, parent);
      return new Verdict(NO_NEW_INFORMATION, String.format(Locale.ROOT,
          "the evolved task has no content word its parent lacks (ROUGE-L %.2f to the parent)", similarity), 0, 1);
    }
    return Verdict.PASS;
  }

  /** The answer to the evolved task: a short refusal, or nothing but punctuation and function words. */
  public Verdict judgeAnswer(String answer) {
    List<String> words = words(answer);
    String lower = answer.toLowerCase(Locale.ROOT).replace('\u2019', '\'');
    if (words.size() < REFUSAL_MAX_WORDS) {
      for (String r : REFUSALS) {
        if (lower.contains(r)) {
          return new Verdict(REFUSAL, "the answer is a refusal (\"" + r + "\") of " + words.size() + " words", words.size(), REFUSAL_MAX_WORDS);
        }
      }
    }
    long content = words.stream().filter(w -> !STOP_WORDS.contains(w)).count();
    if (content == 0) {
      return new Verdict(TOO_SHORT, "the answer has no content word, only punctuation and function words (" + words.size() + " words)", 0, 1);
    }
    return Verdict.PASS;
  }

  static List<String> words(String text) {
    return RougeL.tokens(text);
  }

  private static List<String> shingles(List<String> words) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i + LEAK_WORDS <= words.size(); i++) {
      out.add(String.join(" ", words.subList(i, i + LEAK_WORDS)));
    }
    return out;
  }
}
