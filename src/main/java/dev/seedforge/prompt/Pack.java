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
    String studentSystemMessage)
    implements Serializable {

  /** A pack without a student system message. */
  public Pack(String dir, String domain, TaskType task, String description, String systemPrompt, Map<String, String> labels, String seedsFile,
      List<Strategy> strategies) {
    this(dir, domain, task, description, systemPrompt, labels, seedsFile, strategies, null);
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
