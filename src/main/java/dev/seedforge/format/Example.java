package dev.seedforge.format;

import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;

/**
 * One finished record in neutral form, before it takes a format's shape. {@code system} is null
 * when no system message is set. {@code instruction}/{@code input} are what Alpaca writes: the
 * record's own for instructions, the task (system message) and the text for classification.
 */
public record Example(String system, String user, String assistant, String instruction, String input) {

  public static Example of(Candidate c, TaskType task, String systemMessage, String taskDescription) {
    String system = systemMessage == null || systemMessage.isBlank() ? null : systemMessage;
    if (task == TaskType.CLASSIFICATION) {
      String text = c.field("text");
      String label = c.label() == null ? "" : c.label();
      String instruction = system != null ? system : (taskDescription == null ? "" : taskDescription);
      return new Example(system, text, label, instruction, text);
    }
    if (task == TaskType.CONVERSATION) {
      // the neutral form of a conversation (bias report, markers): its opening and its last answer
      java.util.List<dev.seedforge.seed.Conversation.Turn> turns = dev.seedforge.seed.Conversation.turns(c.fields());
      java.util.List<String> answers = dev.seedforge.seed.Conversation.assistantTurns(turns);
      String first = dev.seedforge.seed.Conversation.firstUserTurn(turns);
      return new Example(system, first, answers.isEmpty() ? "" : answers.get(answers.size() - 1), first, "");
    }
    if (task == TaskType.PREFERENCE) {
      // the neutral form of a pair is its prompt and chosen answer; the preference formats read the pair itself
      return new Example(system, c.field("prompt"), c.field("chosen"), c.field("prompt"), "");
    }
    String input = c.field("input");
    String user = input.isBlank() ? c.field("instruction") : c.field("instruction") + "\n\n" + input;
    return new Example(system, user, c.field("output"), c.field("instruction"), input);
  }
}
