package dev.seedforge.quality;

import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;

/**
 * A candidate as the filters of one gate see it: the judged text ({@link Texts#of}), the answer
 * part ({@link Texts#output}), and the measures several filters share, each computed on first use
 * and then kept, so a record pays for its token count or its normalised form once, not once per
 * filter. Not thread-safe; one instance per candidate and gate call.
 */
public final class CandidateText {
  private final Candidate candidate;
  private final TaskType task;
  private String text;
  private String output;
  private int tokens = -1;
  private String normalizedText;
  private String normalizedOutput;
  private int outputTokens = -1;
  private InstructionAsks asks;
  private java.util.List<dev.seedforge.seed.Conversation.Turn> turns;
  private java.util.List<CandidateText> answers;

  public CandidateText(Candidate candidate, TaskType task) {
    this.candidate = candidate;
    this.task = task;
  }

  public Candidate candidate() {
    return candidate;
  }

  /** {@link Texts#of}. */
  public String text() {
    if (text == null) {
      text = Texts.of(candidate, task);
    }
    return text;
  }

  /** {@link Texts#output}. */
  public String output() {
    if (output == null) {
      output = Texts.output(candidate, task);
    }
    return output;
  }

  /** OpenNLP tokens of {@link #text()}. */
  public int tokenCount() {
    if (tokens < 0) {
      tokens = NlpTools.tokenCount(text());
    }
    return tokens;
  }

  /** OpenNLP tokens of {@link #output()}. */
  public int outputTokenCount() {
    if (outputTokens < 0) {
      outputTokens = output().equals(text()) ? tokenCount() : NlpTools.tokenCount(output());
    }
    return outputTokens;
  }

  /** What the instruction asks for; {@link InstructionAsks#NONE} for classification. */
  public InstructionAsks asks() {
    if (asks == null) {
      asks = task == TaskType.INSTRUCTION ? InstructionAsks.of(candidate.field("instruction")) : InstructionAsks.NONE;
    }
    return asks;
  }

  /** A conversation's turns ({@link dev.seedforge.seed.Conversation#turns}), parsed once for every filter. */
  public java.util.List<dev.seedforge.seed.Conversation.Turn> turns() {
    if (turns == null) {
      turns = dev.seedforge.seed.Conversation.turns(candidate.fields());
    }
    return turns;
  }

  /** A conversation's assistant turns as instructions' answers ({@link ConversationGate#answerCandidates}), each with its own shared measures. */
  java.util.List<CandidateText> answers() {
    if (answers == null) {
      answers = ConversationGate.answerCandidates(candidate, turns()).stream().map(c -> new CandidateText(c, TaskType.INSTRUCTION)).toList();
    }
    return answers;
  }

  /** The task the candidate belongs to. */
  public TaskType task() {
    return task;
  }

  /** {@link TextNormalizer#normalize} of {@link #text()}. */
  public String normalizedText() {
    if (normalizedText == null) {
      normalizedText = TextNormalizer.normalize(text());
    }
    return normalizedText;
  }

  /** {@link TextNormalizer#normalize} of {@link #output()}. */
  public String normalizedOutput() {
    if (normalizedOutput == null) {
      // for classification the answer is the judged text itself
      normalizedOutput = output().equals(text()) ? normalizedText() : TextNormalizer.normalize(output());
    }
    return normalizedOutput;
  }
}
