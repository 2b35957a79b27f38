package dev.seedforge.quality;

import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text that is not data but scaffolding, found by patterns (score 1 on a match, threshold 1):
 *
 * <ul>
 *   <li>{@code placeholder}: unfilled slots such as "[insert name]", "[Your Company]",
 *       "{{label}}", "&lt;placeholder&gt;", "lorem ipsum", "XXX-XXXX"; not judged when the
 *       instruction asks for a template ({@link InstructionAsks.Ask#TEMPLATE}).
 *   <li>{@code prompt_leakage}: the reply echoes the prompt: few-shot markers ("&lt;examples&gt;",
 *       "Example 1:", "Here are 5 new messages"), the output contract ("one JSON object per line"),
 *       or any {@link #ECHO_MIN_WORDS} consecutive words of the static text of the pack's templates.
 * </ul>
 */
public final class PatternFilter implements Filter {
  private static final long serialVersionUID = 1L;
  public static final String PLACEHOLDER = "placeholder";
  public static final String PROMPT_LEAKAGE = "prompt_leakage";
  public static final int ECHO_MIN_WORDS = 6;

  static final List<String> PLACEHOLDER_PATTERNS = List.of(
      "\\[\\s*(?:insert|add|enter|your|name|company|product|date|placeholder|x{2,}|\\.\\.\\.|…)[^\\]]{0,40}\\]",
      "\\{\\{[^}]{0,40}\\}\\}",
      "<\\s*(?:placeholder|insert|name|your)[^>]{0,30}>",
      "\\blorem ipsum\\b",
      "\\b(?:X{3,}|x{3,})(?:-X+)*\\b(?!\\w)");

  static final List<String> LEAKAGE_PATTERNS = List.of(
      "</?\\s*examples?\\s*>",
      "(?im)^\\s*(?:example|message|sample|output)\\s*#?\\d+\\s*[:.)-]",
      "(?i)^\\s*(?:sure[,!.]?\\s*)?here (?:are|is) (?:\\d+|some|a few|the|your|\\w+) (?:new |more |varied |realistic |different |\\w+ ){0,4}(?:examples?|variations?|paraphrases?|rewrites?|versions?|messages?|sentences?|queries|requests|instructions?)\\b",
      "(?i)one json object per line",
      "(?i)\\bjson lines?\\b",
      "(?i)\\btarget intent\\s*:");

  /**
   * Text that each pattern's every match holds (compared in lower case; {@value #DIGIT} for any
   * digit): most texts hold none of them, and a look for a literal costs a fraction of the regex.
   */
  static final java.util.Map<String, String> REQUIRED = java.util.Map.ofEntries(
      java.util.Map.entry(PLACEHOLDER_PATTERNS.get(0), "["),
      java.util.Map.entry(PLACEHOLDER_PATTERNS.get(1), "{{"),
      java.util.Map.entry(PLACEHOLDER_PATTERNS.get(2), "<"),
      java.util.Map.entry(PLACEHOLDER_PATTERNS.get(3), "lorem ipsum"),
      java.util.Map.entry(PLACEHOLDER_PATTERNS.get(4), "xxx"),
      java.util.Map.entry(LEAKAGE_PATTERNS.get(0), "<"),
      java.util.Map.entry(LEAKAGE_PATTERNS.get(1), PatternFilter.DIGIT),
      java.util.Map.entry(LEAKAGE_PATTERNS.get(2), "here "),
      java.util.Map.entry(LEAKAGE_PATTERNS.get(3), "json"),
      java.util.Map.entry(LEAKAGE_PATTERNS.get(4), "json"),
      java.util.Map.entry(LEAKAGE_PATTERNS.get(5), "target intent"));

  static final String DIGIT = "0-9";

  private final String name;
  private final List<String> patterns;
  private final List<String> echoLines;
  private final TaskType task;
  // volatile, and built before they are published: one gate per JVM serves every worker thread
  private transient volatile List<Pattern> compiled;
  private transient volatile java.util.Set<String> echoSet;

  private java.util.Set<String> echoSet() {
    java.util.Set<String> set = echoSet;
    if (set == null) {
      set = new java.util.HashSet<>(echoLines);
      echoSet = set;
    }
    return set;
  }

  private PatternFilter(String name, List<String> patterns, List<String> echoLines, TaskType task) {
    this.name = name;
    this.patterns = List.copyOf(patterns);
    this.echoLines = List.copyOf(echoLines);
    this.task = task;
    compiled();
  }

  public static PatternFilter placeholders(TaskType task) {
    return new PatternFilter(PLACEHOLDER, PLACEHOLDER_PATTERNS, List.of(), task);
  }

  /** @param templates the pack's template texts; their long static lines count as echoes */
  public static PatternFilter promptLeakage(List<String> templates, TaskType task) {
    java.util.Set<String> echo = new java.util.TreeSet<>();
    for (String t : templates) {
      for (String line : t.split("\\R")) {
        // the static text between variables; every window of ECHO_MIN_WORDS words is a sign
        for (String part : line.split("\\{\\{[^}]*\\}\\}")) {
          String norm = TextNormalizer.normalize(part);
          String[] w = norm.isEmpty() ? new String[0] : norm.split(" ");
          for (int i = 0; i + ECHO_MIN_WORDS <= w.length; i++) {
            echo.add(String.join(" ", java.util.Arrays.copyOfRange(w, i, i + ECHO_MIN_WORDS)));
          }
        }
      }
    }
    return new PatternFilter(PROMPT_LEAKAGE, LEAKAGE_PATTERNS, new ArrayList<>(echo), task);
  }

  private List<Pattern> compiled() {
    List<Pattern> c = compiled;
    if (c == null) {
      c = new ArrayList<>();
      for (String p : patterns) {
        c.add(Pattern.compile(p, name.equals(PLACEHOLDER) ? Pattern.CASE_INSENSITIVE : 0));
      }
      compiled = c;
    }
    return c;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verdict check(Candidate candidate) {
    return check(new CandidateText(candidate, task));
  }

  @Override
  public Verdict check(CandidateText text) {
    // an instruction's input may hold slots on purpose ("replace the placeholders in …"), and a
    // requested template's output too
    if (name.equals(PLACEHOLDER)) {
      return text.asks().has(InstructionAsks.Ask.TEMPLATE) ? Verdict.KEEP : judge(text.output(), null);
    }
    return judge(text.text(), text::normalizedText);
  }

  public Verdict judge(String text) {
    return judge(text, () -> TextNormalizer.normalize(text));
  }

  private Verdict judge(String text, java.util.function.Supplier<String> normalized) {
    // one pass per pattern: measured on short messages, Java's regex runs these separately
    // faster than as one alternation
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    List<Pattern> compiled = compiled();
    for (int i = 0; i < compiled.size(); i++) {
      if (!mayMatch(REQUIRED.get(patterns.get(i)), lower)) {
        continue;
      }
      Matcher m = compiled.get(i).matcher(text);
      if (m.find()) {
        return Verdict.reject(what() + " \"" + clip(m.group()) + "\"", 1.0, 1.0);
      }
    }
    if (!echoLines.isEmpty()) {
      String norm = normalized.get();
      WordWindows w = WordWindows.of(norm);
      for (int i = 0; !norm.isEmpty() && i + ECHO_MIN_WORDS <= w.size(); i++) {
        String window = w.window(i, ECHO_MIN_WORDS);
        if (echoSet().contains(window)) {
          return Verdict.reject("echoes the prompt template: \"" + window + "\"", 1.0, 1.0);
        }
      }
    }
    return Verdict.KEEP;
  }

  /** False when {@code lower} (a text in lower case) lacks what every match of a pattern holds. */
  private static boolean mayMatch(String required, String lower) {
    if (required == null) {
      return true;
    }
    if (required.equals(DIGIT)) {
      for (int i = 0; i < lower.length(); i++) {
        if (lower.charAt(i) >= '0' && lower.charAt(i) <= '9') {
          return true;
        }
      }
      return false;
    }
    return lower.contains(required);
  }

  private String what() {
    return name.equals(PLACEHOLDER) ? "unfilled placeholder" : "prompt scaffolding";
  }

  private static String clip(String s) {
    String t = s.strip();
    return t.length() > 60 ? t.substring(0, 60) + "…" : t;
  }

  @Override
  public String toString() {
    return name + "[" + patterns.size() + " patterns, " + echoLines.size() + " template lines]";
  }
}
