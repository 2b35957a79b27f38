package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.util.Collection;

/**
 * Replies cut off mid-way (max_tokens reached, a broken stream): brackets or double quotes left
 * open, or, when the seeds nearly always end with final punctuation, a missing one. The second
 * rule is derived from the seeds: it is on when at least {@code seedShare} of them end with
 * {@code . ! ? … ) " '} or similar, so casual seed sets that often drop the full stop do not make
 * it reject casual replies. Judges the answer part ({@link Texts#output}).
 * Score: the number of unclosed brackets and quotes (threshold 0), or 0 for a missing final
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
    return judge(Texts.output(candidate, task));
  }

  @Override
  public Verdict check(CandidateText text) {
    return judge(text.output());
  }

  public Verdict judge(String text) {
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
