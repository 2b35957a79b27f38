package dev.seedforge.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.dedup.TextNormalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks {@code validate} makes on a preference record: the prompt side is a list of messages
 * ending with the user's (system only first), each answer side is exactly one assistant message
 * with text, and the two answers differ. Returns the problems of one record and the text whose
 * tokens are counted for it.
 */
final class PreferenceChecks {
  /** One problem: its code and what is wrong, saying where. */
  record Problem(String code, String message) {}

  /** A record's problems, and its prompt and both answers joined for the token count. */
  record Checked(List<Problem> problems, String text) {}

  private PreferenceChecks() {}

  static Checked check(JsonNode record, String kind) {
    boolean openai = PreferenceRecords.OPENAI.equals(kind);
    String promptKey = openai ? "input.messages" : "prompt";
    String chosenKey = openai ? "preferred_output" : "chosen";
    String rejectedKey = openai ? "non_preferred_output" : "rejected";
    JsonNode prompt = openai ? record.path("input").get("messages") : record.get("prompt");
    List<Problem> problems = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    checkPrompt(prompt, promptKey, problems, text);
    String chosen = answer(record.get(chosenKey), chosenKey, problems, text);
    String rejected = answer(record.get(rejectedKey), rejectedKey, problems, text);
    if (chosen != null && rejected != null && TextNormalizer.normalize(chosen).equals(TextNormalizer.normalize(rejected))) {
      problems.add(new Problem("identical_sides", chosenKey + " and " + rejectedKey
          + " say the same (case, punctuation and spacing ignored): the pair teaches no preference"));
    }
    return new Checked(problems, text.toString());
  }

  private static void checkPrompt(JsonNode prompt, String key, List<Problem> problems, StringBuilder text) {
    if (prompt == null || !prompt.isArray() || prompt.isEmpty()) {
      problems.add(new Problem("missing_prompt", "no \"" + key + "\" list of messages"));
      return;
    }
    for (int i = 0; i < prompt.size(); i++) {
      JsonNode m = prompt.get(i);
      String where = key + "[" + i + "]: ";
      String role = m.path("role").asText("");
      if (!m.path("content").isTextual() || m.path("content").asText().isBlank()) {
        problems.add(new Problem("empty_content", where + "no text content"));
      } else {
        text.append(m.get("content").asText()).append('\n');
      }
      boolean last = i == prompt.size() - 1;
      if (last && !role.equals("user")) {
        problems.add(new Problem("wrong_role", where + "the prompt must end with the user's message, got role \"" + role + "\""));
      } else if (!last && !(role.equals("system") && i == 0) && !role.equals("user") && !role.equals("assistant")) {
        problems.add(new Problem("wrong_role", where + "role \"" + role + "\" (allowed: system first, then user and assistant)"));
      }
    }
  }

  /** The answer's text, or null with a problem: the side must be one assistant message with text. */
  private static String answer(JsonNode side, String key, List<Problem> problems, StringBuilder text) {
    if (side == null || side.isNull()) {
      problems.add(new Problem("missing_side", "no \"" + key + "\": a preference record needs both answers"));
      return null;
    }
    if (!side.isArray() || side.size() != 1) {
      problems.add(new Problem("wrong_side", key + " must be a list of exactly one assistant message, got "
          + (side.isArray() ? side.size() + " messages" : side.getNodeType().name().toLowerCase(java.util.Locale.ROOT))));
      return null;
    }
    JsonNode m = side.get(0);
    if (!"assistant".equals(m.path("role").asText())) {
      problems.add(new Problem("wrong_role", key + "[0]: role \"" + m.path("role").asText("") + "\"; the answer must be the assistant's"));
      return null;
    }
    if (!m.path("content").isTextual() || m.path("content").asText().isBlank()) {
      problems.add(new Problem("empty_content", key + "[0]: the assistant message has no text content"));
      return null;
    }
    text.append(m.get("content").asText()).append('\n');
    return m.get("content").asText();
  }
}
