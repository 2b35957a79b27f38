package dev.seedforge.prompt;

import dev.seedforge.seed.TaskType;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A prompt pack ({@code prompts/<domain>/}): the task, its labels with descriptions, the system
 * prompt and the strategies that expand seeds into new examples.
 */
public record Pack(
    String dir,
    String domain,
    TaskType task,
    String description,
    String systemPrompt,
    Map<String, String> labels,
    String seedsFile,
    List<Strategy> strategies,
    String studentSystemMessage,
    Rubric judge,
    ConversationSettings conversation,
    dev.seedforge.pairs.PairSettings pairs,
    EvolutionPrompts evolution)
    implements Serializable {

  public Pack {
    judge = judge == null ? Rubric.defaultFor(task) : judge;
    conversation = conversation == null ? ConversationSettings.NONE : conversation;
  }

  /** A pack that is neither a conversation pack nor a preference pack, without an {@code evolution:} block. */
  public Pack(String dir, String domain, TaskType task, String description, String systemPrompt, Map<String, String> labels, String seedsFile,
      List<Strategy> strategies, String studentSystemMessage, Rubric judge) {
    this(dir, domain, task, description, systemPrompt, labels, seedsFile, strategies, studentSystemMessage, judge, null, null, null);
  }

  /** A pack without a student system message, with the task's default judge rubric. */
  public Pack(String dir, String domain, TaskType task, String description, String systemPrompt, Map<String, String> labels, String seedsFile,
      List<Strategy> strategies) {
    this(dir, domain, task, description, systemPrompt, labels, seedsFile, strategies, null, null);
  }

  /**
   * What the LLM judge scores a candidate on ({@code judge:} in pack.yaml): criteria, each one
   * line, and the scale's lowest and highest score.
   */
  public record Rubric(List<String> criteria, int min, int max) implements Serializable {
    public Rubric {
      criteria = List.copyOf(criteria);
    }

    public static Rubric defaultFor(TaskType task) {
      if (task == TaskType.CONVERSATION) {
        return new Rubric(List.of("Every assistant turn answers the user's last message correctly and helpfully, in the assistant's role.",
            "The conversation reads like a real dialogue: the user's turns follow from the answers, nothing repeats.",
            "It contains no refusal, no placeholder and no text that belongs to another conversation."), 1, 5);
      }
      List<String> criteria = task == TaskType.INSTRUCTION || task == TaskType.PREFERENCE
          ? List.of("The output does what the instruction asks, for the given input.",
              "It is correct, complete and written as a helpful assistant would answer.",
              "It contains no refusal, no placeholder and no text that belongs to another example.")
          : List.of("The text reads like a real message of this domain: fluent, specific, not marketing copy or an assistant's reply.",
              "It clearly belongs to exactly one of the labels.",
              "It contains no refusal, no placeholder and no instructions to the writer.");
      return new Rubric(criteria, 1, 5);
    }
  }

  /** How a strategy picks its inspiration: few-shot examples of a label, one seed to vary, or one document chunk to ask about. */
  public enum Basis {
    LABEL,
    SEED,
    CHUNK
  }

  public record Strategy(String name, Basis basis, Template template) implements Serializable {}

  /** True when some strategy generates from document chunks. */
  public boolean grounded() {
    return strategies.stream().anyMatch(s -> s.basis() == Basis.CHUNK);
  }

  public Strategy strategy(String name) {
    return strategies.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }
}
