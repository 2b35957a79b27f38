package dev.seedforge.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a written record back into its input, its answer and (for classification, where the answer
 * is the label) its label, whatever output format it was written in; the format's kind and
 * markers come from the manifest's {@code formats} section.
 */
final class RecordTexts {
  record Texts(String input, String answer, String label) {}

  private final String kind;
  private final String separator;
  private final String stop;
  private final boolean classification;

  private RecordTexts(String kind, String separator, String stop, boolean classification) {
    this.kind = kind;
    this.separator = separator;
    this.stop = stop;
    this.classification = classification;
  }

  static RecordTexts forFormat(JsonNode format, String task) {
    return new RecordTexts(
        format.path("kind").asText("openai-chat"),
        format.path("separator").asText(""),
        format.path("stop").asText(""),
        "classification".equals(task));
  }

  Texts of(JsonNode record) {
    String input;
    String answer;
    switch (kind) {
      case "alpaca" -> {
        String instruction = record.path("instruction").asText("");
        String in = record.path("input").asText("");
        input = classification || instruction.isBlank() ? in : in.isBlank() ? instruction : instruction + "\n\n" + in;
        answer = record.path("output").asText("");
      }
      case "prompt-completion" -> {
        input = stripSuffix(record.path("prompt").asText(""), separator);
        String c = record.path("completion").asText("");
        answer = stripSuffix(c.startsWith(" ") ? c.substring(1) : c, stop);
      }
      case "sharegpt" -> {
        input = turns(record.path("conversations"), "from", "human", "value");
        answer = lastTurn(record.path("conversations"), "from", "gpt", "value");
      }
      case "trl-prompt-completion" -> {
        input = turns(record.path("prompt"), "role", "user", "content");
        answer = lastTurn(record.path("completion"), "role", "assistant", "content");
      }
      default -> {
        input = turns(record.path("messages"), "role", "user", "content");
        answer = lastTurn(record.path("messages"), "role", "assistant", "content");
      }
    }
    return new Texts(input, answer, classification ? answer.strip() : null);
  }

  private static String turns(JsonNode list, String roleKey, String role, String textKey) {
    List<String> out = new ArrayList<>();
    for (JsonNode m : list) {
      if (role.equals(m.path(roleKey).asText())) {
        out.add(m.path(textKey).asText(""));
      }
    }
    return String.join("\n", out);
  }

  private static String lastTurn(JsonNode list, String roleKey, String role, String textKey) {
    String last = "";
    for (JsonNode m : list) {
      if (role.equals(m.path(roleKey).asText())) {
        last = m.path(textKey).asText("");
      }
    }
    return last;
  }

  private static String stripSuffix(String s, String suffix) {
    return !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
  }
}
