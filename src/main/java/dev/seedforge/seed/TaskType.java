package dev.seedforge.seed;

import java.util.List;

/** What a record teaches: a label for a text, an output for an instruction, a whole conversation, or a chosen and a rejected answer. */
public enum TaskType {
  CLASSIFICATION(List.of("text"), List.of("text")),
  INSTRUCTION(List.of("instruction", "input", "output"), List.of("instruction", "output")),
  /** A whole dialogue: its turns as one JSON field (see {@link Conversation}). */
  CONVERSATION(List.of(Conversation.MESSAGES), List.of(Conversation.MESSAGES)),
  /** A prompt with a chosen and a rejected answer (DPO); seeds need the prompt, the answers are made by the pair stage. */
  PREFERENCE(List.of("prompt", "chosen", "rejected"), List.of("prompt"));

  private final List<String> fields;
  private final List<String> required;

  TaskType(List<String> fields, List<String> required) {
    this.fields = fields;
    this.required = required;
  }

  /** The content fields of a record of this type, in output order. */
  public List<String> fields() {
    return fields;
  }

  /** The fields that must be present and non-empty. */
  public List<String> required() {
    return required;
  }

  public static TaskType parse(String s) {
    return switch (s) {
      case "classification" -> CLASSIFICATION;
      case "instruction" -> INSTRUCTION;
      case "conversation" -> CONVERSATION;
      case "preference" -> PREFERENCE;
      default -> null;
    };
  }

  public String wireName() {
    return name().toLowerCase();
  }
}
