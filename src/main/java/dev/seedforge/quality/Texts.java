package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.Conversation;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.List;

/** Which text of a candidate the quality filters judge. */
public final class Texts {
  private Texts() {}

  /**
   * The whole text to judge: the {@code text} field for classification; for instructions the
   * non-blank {@code instruction}, {@code input} and {@code output} fields joined with newlines.
   */
  public static String of(Candidate candidate, TaskType task) {
    return of(candidate.fields(), task);
  }

  /** {@link #of(Candidate, TaskType)} of a candidate with these fields. */
  public static String of(java.util.Map<String, String> fields, TaskType task) {
    if (task == TaskType.CONVERSATION) {
      return Conversation.text(Conversation.turns(fields));
    }
    List<String> parts = new ArrayList<>();
    for (String field : task.fields()) {
      String value = fields.getOrDefault(field, "").strip();
      if (!value.isEmpty()) {
        parts.add(value);
      }
    }
    return String.join("\n", parts);
  }

  /** The answer part alone: {@code output} for instructions, {@code text} for classification. */
  public static String output(Candidate candidate, TaskType task) {
    return switch (task) {
      case CLASSIFICATION -> candidate.field("text").strip();
      case INSTRUCTION -> candidate.field("output").strip();
      case CONVERSATION -> String.join("\n\n", Conversation.assistantTurns(Conversation.turns(candidate.fields())));
      case PREFERENCE -> candidate.field("chosen").strip();
    };
  }
}
