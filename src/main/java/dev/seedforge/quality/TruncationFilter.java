package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.util.Collection;
import java.util.regex.Matcher;

/**
 * Replies cut off mid-way (max_tokens reached, a broken stream): brackets or double quotes left
 * open, or, when the seeds nearly always end with final punctuation, a missing one. The second
 * rule is derived from the seeds: it is on when at least {@code seedShare} of them end with
 * {@code . ! ? … ) " '} or similar, so casual seed sets that often drop the full stop do not make
 * it reject casual replies. Judges the answer part ({@link Texts#output}).
 *
 * <p>For instructions the answer's last line is judged when it has five words or more and the
 * instruction does not ask for code, a table, a grid or structured data ({@link #UNPUNCTUATED}): it
 * is cut off when it ends on a comma or on a word no sentence ends on ("the", "of", "and", …);
 * unless a title or verse was asked for, when it goes on for three words or more after a full
 * sentence without ending, or when every earlier line of five words or more ends with
 * punctuation and it does not; and by the seeds' rule only for prose answers
 * ({@link #prose}: ten words or more, not a list item, a "key: value" line or verse), whose share among
 * the seeds' prose answers turns that rule on.
 *
 * <p>Score: the number of unclosed brackets and quotes (threshold 0), or 0 for a missing final
 * punctuation mark (threshold 1).
 */
public final class TruncationFilter implements Filter {
  public static final String NAME = "truncation";
  private static final long serialVersionUID = 1L;
  private static final String FINAL = ".!?…)]}\"'”’:;»*`";

  private final boolean requireFinalPunctuation;
  private final double seedShare;
  private final TaskType task;

  public TruncationFilter(boolean requireFinalPunctuation, double seedShare, TaskType task) {
    this.requireFinalPunctuation = requireFinalPunctuation;
    this.seedShare = seedShare;
    this.task = task;
  }

  /** Turns the final-punctuation rule on when at least {@code minShare} of the seed texts end with it. */
  public static TruncationFilter fromSeeds(Collection<String> seedOutputs, double minShare, TaskType task) {
    if (task == TaskType.INSTRUCTION) {
      seedOutputs = seedOutputs.stream().filter(TruncationFilter::prose).toList();
    }
    long ending = seedOutputs.stream().filter(TruncationFilter::endsWithPunctuation).count();
    double share = seedOutputs.isEmpty() ? 0 : (double) ending / seedOutputs.size();
    return new TruncationFilter(!seedOutputs.isEmpty() && share >= minShare, share, task);
  }

  public boolean requiresFinalPunctuation() {
    return requireFinalPunctuation;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Verdict check(Candidate candidate) {
    return check(new CandidateText(candidate, task));
  }

  @Override
  public Verdict check(CandidateText text) {
    if (task != TaskType.INSTRUCTION) {
      return judge(text.output());
    }
    String t = text.output().strip();
    Verdict brackets = judge(t, false);
    InstructionAsks asks = text.asks();
    if (!brackets.keep() || asks.any(UNPUNCTUATED) || endsWithPunctuation(t)) {
      return brackets;
    }
    String[] lines = t.split("\\R");
    String last = lines[lines.length - 1].strip();
    if (last.endsWith(",") && words(last) >= 3) {
      return Verdict.reject("ends mid-sentence on a comma (cut off?)", 0.0, 1.0);
    }
    if (words(last) < 5) {
      return Verdict.KEEP;
    }
    String word = lastWord(last);
    if (NO_SENTENCE_ENDS_ON.contains(word)) {
      return Verdict.reject("ends mid-sentence on \"" + word + "\" (cut off?)", 0.0, 1.0);
    }
    if (asks.has(InstructionAsks.Ask.TITLE_OR_VERSE)) {
      return Verdict.KEEP;
    }
    Matcher after = AFTER_A_SENTENCE.matcher(last);
    // English punctuation: a translation's note after the translated sentence is not a cut
    if (!asks.has(InstructionAsks.Ask.OTHER_LANGUAGE) && after.find()) {
      return Verdict.reject("goes on after a full sentence without ending the next one (cut off?)", 0.0, 1.0);
    }
    if (earlierLinesEndWithPunctuation(lines)) {
      return Verdict.reject("the last line lacks the final punctuation every earlier line has (cut off?)", 0.0, 1.0);
    }
    return requireFinalPunctuation && prose(t) ? judge(t, true) : Verdict.KEEP;
  }

  /** At least two earlier lines of five words or more, and every one ends with punctuation. */
  private static boolean earlierLinesEndWithPunctuation(String[] lines) {
    int long_ = 0;
    for (int i = 0; i < lines.length - 1; i++) {
      if (words(lines[i]) >= 5) {
        if (!endsWithPunctuation(lines[i])) {
          return false;
        }
        long_++;
      }
    }
    return long_ >= 2;
  }

  public Verdict judge(String text) {
    return judge(text, requireFinalPunctuation);
  }

  private Verdict judge(String text, boolean requireFinalPunctuation) {
    String t = text.strip();
    if (t.isEmpty()) {
      return Verdict.KEEP;
    }
    int open = unclosed(t, '(', ')') + unclosed(t, '[', ']') + unclosed(t, '{', '}') + unclosed(t, '“', '”');
    int straight = 0;
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) == '"') {
        straight++;
      }
    }
    open += straight % 2;
    if (open > 0) {
      return Verdict.reject(open + " unclosed bracket or quote (cut off?)", (double) open, 0.0);
    }
    if (requireFinalPunctuation && !endsWithPunctuation(t)) {
      return Verdict.reject(
          String.format(java.util.Locale.ROOT, "no final punctuation, which %.0f%% of the seeds have (cut off?)", 100 * seedShare), 0.0, 1.0);
    }
    return Verdict.KEEP;
  }

  /** Asks whose answers end without punctuation by nature: code, tables, grids, structured data. */
  static final java.util.Set<InstructionAsks.Ask> UNPUNCTUATED = java.util.EnumSet.of(
      InstructionAsks.Ask.CODE, InstructionAsks.Ask.TABLE, InstructionAsks.Ask.GRID, InstructionAsks.Ask.STRUCTURED_DATA);
  /** A sentence of three words or more, then three words or more that never end (the line's end follows). */
  private static final java.util.regex.Pattern AFTER_A_SENTENCE =
      java.util.regex.Pattern.compile("(?:^|\\s)\\S+\\s+\\S+\\s+[^\\s.!?]*\\p{L}[.!?]\\s+\\S+\\s+\\S+\\s+\\S+[^.!?]*$");

  /** Words an English sentence does not end on: an answer that stops there was cut off. */
  static final java.util.Set<String> NO_SENTENCE_ENDS_ON = java.util.Set.of(
      "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "from", "by", "as", "that",
      "which", "who", "whose", "is", "are", "was", "were", "be", "been", "his", "her", "their", "its", "our", "your", "my",
      "this", "these", "those", "than", "because", "if", "when", "while", "into", "about", "so", "not", "very", "such");
  private static final java.util.regex.Pattern LIST_ITEM = java.util.regex.Pattern.compile("^(?:[-*•·–]|\\d+[.)]|[a-zA-Z][.)])\\s.*");

  /**
   * True for an answer that reads as sentences: ten words or more, a last line of five words or
   * more that is not a list item ("- eggs", "3. Uno") nor a "key: value" line, and not verse.
   */
  static boolean prose(String output) {
    String t = output.strip();
    if (words(t) < 10) {
      return false;
    }
    String[] lines = t.split("\\R");
    String last = lines[lines.length - 1].strip();
    return words(last) >= 5 && !LIST_ITEM.matcher(last).matches() && !last.contains(": ") && !verse(lines);
  }

  /** Three lines or more, and most of those of five words or more end without punctuation: verse or a list. */
  private static boolean verse(String[] lines) {
    if (lines.length < 3) {
      return false;
    }
    int long_ = 0;
    int ending = 0;
    for (String line : lines) {
      if (words(line) >= 5) {
        long_++;
        ending += endsWithPunctuation(line) ? 1 : 0;
      }
    }
    return 2 * ending < long_;
  }

  private static int words(String t) {
    int n = 0;
    boolean in = false;
    for (int i = 0; i < t.length(); i++) {
      boolean space = Character.isWhitespace(t.charAt(i));
      if (!space && !in) {
        n++;
      }
      in = !space;
    }
    return n;
  }

  private static String lastWord(String t) {
    int end = t.length();
    while (end > 0 && !Character.isLetterOrDigit(t.charAt(end - 1))) {
      end--;
    }
    int start = end;
    while (start > 0 && Character.isLetterOrDigit(t.charAt(start - 1))) {
      start--;
    }
    return t.substring(start, end).toLowerCase(java.util.Locale.ROOT);
  }

  /** Openers never closed; a stray closer ("1) first 2) second", smileys ":)") does not count. */
  static int unclosed(String t, char open, char close) {
    int depth = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == open) {
        depth++;
      } else if (c == close && depth > 0) {
        depth--;
      }
    }
    return depth;
  }

  static boolean endsWithPunctuation(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return false;
    }
    int last = t.codePointBefore(t.length());
    // emoji and other symbols end a chat message as well as a full stop does
    return FINAL.indexOf(last) >= 0 || Character.getType(last) == Character.OTHER_SYMBOL || Character.isSurrogate(t.charAt(t.length() - 1));
  }

  @Override
  public String toString() {
    return NAME + (requireFinalPunctuation ? "[brackets, quotes, final punctuation]" : "[brackets, quotes]");
  }
}
