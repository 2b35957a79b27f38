package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;

/**
 * Rejects texts with fewer than {@code minTokens} or more than {@code maxTokens} OpenNLP tokens
 * (punctuation counts as a token): the text for classification, the output for instructions (an
 * answer's length is what a band from the seeds' answers bounds; the instruction has its own word
 * bounds in {@link InstructionRulesFilter}). Score: the token count; threshold: the bound crossed.
 */
public final class TokenCountFilter implements Filter {
  public static final String NAME = "token_count";
  private static final long serialVersionUID = 1L;

  private final int minTokens;
  private final int maxTokens;
  private final TaskType task;

  public TokenCountFilter(int minTokens, int maxTokens, TaskType task) {
    if (minTokens < 0 || maxTokens < minTokens) {
      throw new IllegalArgumentException("bad token bounds " + minTokens + ".." + maxTokens);
    }
    this.minTokens = minTokens;
    this.maxTokens = maxTokens;
    this.task = task;
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
    int n = task == TaskType.INSTRUCTION ? text.outputTokenCount() : text.tokenCount();
    if (n < minTokens) {
      return Verdict.reject(
          n + " " + tokens(n) + ", fewer than the minimum " + minTokens, (double) n, (double) minTokens);
    }
    if (n > maxTokens) {
      return Verdict.reject(
          n + " " + tokens(n) + ", more than the maximum " + maxTokens, (double) n, (double) maxTokens);
    }
    return Verdict.KEEP;
  }

  @Override
  public void warmUp() {
    NlpTools.tokenCount("warm up");
  }

  private static String tokens(int n) {
    return n == 1 ? "token" : "tokens";
  }

  @Override
  public String toString() {
    return NAME + "[" + minTokens + ".." + maxTokens + "]";
  }
}
