package dev.seedforge.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.util.Json;

/** Writes one {@link Example} as one JSON line in the shape of a format's kind. */
public final class RecordFormats {
  private RecordFormats() {}

  /** {@code markers} is needed for prompt-completion only. */
  public static String line(FormatSpec f, Example e, PromptCompletion.Markers markers) {
    ObjectNode root = Json.mapper().createObjectNode();
    switch (f.kind()) {
      case "openai-chat" -> root.set("messages", messages(e, f.weight()));
      case "trl-messages" -> root.set("messages", messages(e, false));
      case "trl-prompt-completion" -> {
        ArrayNode prompt = root.putArray("prompt");
        if (e.system() != null) {
          prompt.add(message("system", e.system()));
        }
        prompt.add(message("user", e.user()));
        root.putArray("completion").add(message("assistant", e.assistant()));
      }
      case "sharegpt" -> {
        ArrayNode c = root.putArray("conversations");
        if (e.system() != null) {
          c.add(turn("system", e.system()));
        }
        c.add(turn("human", e.user()));
        c.add(turn("gpt", e.assistant()));
      }
      case "alpaca" -> {
        root.put("instruction", e.instruction());
        root.put("input", e.input());
        root.put("output", e.assistant());
      }
      case "prompt-completion" -> {
        if (markers == null) {
          throw new IllegalArgumentException("prompt-completion needs its separator and stop sequence");
        }
        root.put("prompt", e.user() + markers.separator());
        root.put("completion", " " + e.assistant() + markers.stop());
      }
      default -> throw new IllegalArgumentException("unknown format kind " + f.kind());
    }
    return Json.write(root);
  }

  private static ArrayNode messages(Example e, boolean weight) {
    ArrayNode a = Json.mapper().createArrayNode();
    if (e.system() != null) {
      a.add(message("system", e.system()));
    }
    a.add(message("user", e.user()));
    ObjectNode assistant = message("assistant", e.assistant());
    if (weight) {
      assistant.put("weight", 1);
    }
    a.add(assistant);
    return a;
  }

  private static ObjectNode message(String role, String content) {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("role", role);
    m.put("content", content);
    return m;
  }

  private static ObjectNode turn(String from, String value) {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("from", from);
    m.put("value", value);
    return m;
  }

  /** The data file of one split in one format: {@code train.jsonl}, or {@code alpaca/train.jsonl} with several formats. */
  public static String fileName(FormatSpec f, String split, int formatCount) {
    return (formatCount > 1 ? f.name() + "/" : "") + split + "." + f.extension();
  }
}
