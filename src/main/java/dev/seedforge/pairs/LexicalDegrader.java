package dev.seedforge.pairs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offline (no LLM) way to make a rejected answer: a rule-based edit of the seed's own chosen
 * answer, one rule per degradation. It is a crude stand-in for an LLM rewrite, and the pair's
 * provenance says so ({@code degrade_rule}, generator {@code lexical}): wrong_fact changes every
 * number and flips one word with a fixed opposite (always/never, before/after, …); ignored_constraint
 * keeps only the answer's first sentence; unhelpful_tone wraps that sentence in a dismissive opening
 * and close. A rule with nothing to edit falls back to the next one.
 */
public final class LexicalDegrader {
  private static final Pattern NUMBER = Pattern.compile("\\b\\d+(?:[.,]\\d+)?\\b");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z0-9\"'(])");
  private static final Map<String, String> OPPOSITES = Map.ofEntries(
      Map.entry("always", "never"), Map.entry("never", "always"), Map.entry("before", "after"), Map.entry("after", "before"),
      Map.entry("increase", "decrease"), Map.entry("decrease", "increase"), Map.entry("more", "less"), Map.entry("less", "more"),
      Map.entry("higher", "lower"), Map.entry("lower", "higher"), Map.entry("can", "cannot"), Map.entry("cannot", "can"),
      Map.entry("should", "should not"), Map.entry("first", "last"), Map.entry("warm", "cold"), Map.entry("cold", "warm"),
      Map.entry("safe", "unsafe"), Map.entry("avoid", "prefer"), Map.entry("faster", "slower"), Map.entry("slower", "faster"));
  private static final Pattern OPPOSITE_WORD = Pattern.compile("\\b(" + String.join("|", OPPOSITES.keySet()) + ")\\b");
  static final String DISMISSIVE_OPENING = "Honestly, this is basic and you could have looked it up yourself.";
  static final String DISMISSIVE_CLOSE = "Work out the rest on your own.";

  private LexicalDegrader() {}

  /** The degraded answer and the rule that made it (the one asked for, or the one it fell back to). */
  public record Degraded(String text, Degradation applied) {}

  public static Degraded degrade(String answer, Degradation wanted) {
    List<Degradation> order = new ArrayList<>();
    for (int i = 0; i < Degradation.values().length; i++) {
      order.add(Degradation.values()[(wanted.ordinal() + i) % Degradation.values().length]);
    }
    for (Degradation d : order) {
      String out = apply(answer, d);
      if (out != null && !out.equals(answer)) {
        return new Degraded(out, d);
      }
    }
    return new Degraded(answer, wanted);
  }

  private static String apply(String answer, Degradation d) {
    return switch (d) {
      case WRONG_FACT -> wrongFact(answer);
      case IGNORED_CONSTRAINT -> firstSentenceOnly(answer);
      case UNHELPFUL_TONE -> DISMISSIVE_OPENING + " " + sentences(answer).get(0) + " " + DISMISSIVE_CLOSE;
    };
  }

  /** Every number changed, and the first word with a fixed opposite flipped; null when there is neither. */
  static String wrongFact(String answer) {
    Matcher m = NUMBER.matcher(answer);
    StringBuilder b = new StringBuilder();
    boolean changed = false;
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement(otherNumber(m.group())));
      changed = true;
    }
    m.appendTail(b);
    Matcher w = OPPOSITE_WORD.matcher(b.toString());
    if (w.find()) {
      String flipped = b.substring(0, w.start()) + OPPOSITES.get(w.group(1)) + b.substring(w.end());
      b = new StringBuilder(flipped);
      changed = true;
    }
    return changed ? b.toString() : null;
  }

  /** A different, plausible number: small ones move by 3, larger ones are doubled. */
  static String otherNumber(String n) {
    if (n.contains(".")) {
      return String.valueOf(Double.parseDouble(n.replace(",", "")) * 2);
    }
    long v = Long.parseLong(n.replace(",", ""));
    return String.valueOf(v < 10 ? v + 3 : v * 2);
  }

  /** The first sentence alone, or null when the answer has only one. */
  static String firstSentenceOnly(String answer) {
    List<String> s = sentences(answer);
    return s.size() < 2 ? null : s.get(0);
  }

  static List<String> sentences(String answer) {
    List<String> out = new ArrayList<>();
    for (String s : SENTENCE_END.split(answer.strip())) {
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out.isEmpty() ? List.of(answer.strip()) : out;
  }
}
