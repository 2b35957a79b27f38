package dev.seedforge.format;

import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI / Azure OpenAI chat fine-tuning lines: {"messages": [system?, user, assistant]}. For
 * classification the user turn is the text and the assistant turn the label; for instructions the
 * user turn is the instruction (and input, after a blank line) and the assistant turn the output.
 */
public final class ChatFormat implements Serializable {
  private final TaskType task;
  private final String systemMessage;

  public ChatFormat(TaskType task, String systemMessage) {
    this.task = task;
    this.systemMessage = systemMessage == null || systemMessage.isBlank() ? null : systemMessage;
  }

  public record Message(String role, String content) {}

  public record Line(List<Message> messages) {}

  public String line(Candidate c) {
    List<Message> messages = new ArrayList<>(3);
    if (systemMessage != null) {
      messages.add(new Message("system", systemMessage));
    }
    if (task == TaskType.CLASSIFICATION) {
      messages.add(new Message("user", c.field("text")));
      messages.add(new Message("assistant", c.label()));
    } else {
      String input = c.field("input");
      messages.add(new Message("user", input.isBlank() ? c.field("instruction") : c.field("instruction") + "\n\n" + input));
      messages.add(new Message("assistant", c.field("output")));
    }
    return Json.write(new Line(messages));
  }
}
