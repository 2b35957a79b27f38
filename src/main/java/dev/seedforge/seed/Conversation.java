package dev.seedforge.seed;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The turns of a conversation record. Seeds and candidates keep the whole message list in one
 * field, {@value #MESSAGES}, as a JSON array of {@code {"role", "content"}} objects (user and
 * assistant turns; the per-conversation system prompt is the separate field {@value #SYSTEM}), so
 * the record shape every stage handles stays a map of strings; this class is the one place that
 * reads and writes that field.
 */
public final class Conversation {
  /** The field holding the JSON list of turns. */
  public static final String MESSAGES = "messages";
  /** The optional per-conversation system prompt. */
  public static final String SYSTEM = "system";
  /** The persona and scenario a generated conversation was drawn from (empty for seeds that name none). */
  public static final String PERSONA = "persona";
  public static final String SCENARIO = "scenario";

  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";

  private Conversation() {}

  /** One message of a conversation. */
  public record Turn(String role, String content) implements Serializable {
    @JsonIgnore
    public boolean isUser() {
      return USER.equals(role);
    }

    @JsonIgnore
    public boolean isAssistant() {
      return ASSISTANT.equals(role);
    }
  }

  /** The turns in {@code fields}' {@value #MESSAGES}; empty when the field is missing or not a list of turns. */
  public static List<Turn> turns(Map<String, String> fields) {
    return read(fields.getOrDefault(MESSAGES, "")).orElse(List.of());
  }

  /**
   * The turns of a JSON list, or empty when the text is not a JSON list of objects: a missing role
   * or content reads as "", so that the gate can name the turn rather than the parser drop it.
   */
  public static Optional<List<Turn>> read(String json) {
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(json);
    } catch (IOException e) {
      return Optional.empty();
    }
    return fromJson(node);
  }

  /** The turns of a JSON array node, or empty when it is not an array of objects. */
  public static Optional<List<Turn>> fromJson(JsonNode node) {
    if (node == null || !node.isArray()) {
      return Optional.empty();
    }
    List<Turn> out = new ArrayList<>();
    for (JsonNode m : node) {
      if (!m.isObject()) {
        return Optional.empty();
      }
      out.add(new Turn(text(m.get("role")), text(m.get("content"))));
    }
    return Optional.of(List.copyOf(out));
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? "" : n.isValueNode() ? n.asText().strip() : n.toString();
  }

  /** The JSON form of {@code turns}, as {@value #MESSAGES} holds it. */
  public static String write(List<Turn> turns) {
    ArrayNode a = Json.mapper().createArrayNode();
    for (Turn t : turns) {
      ObjectNode m = a.addObject();
      m.put("role", t.role());
      m.put("content", t.content());
    }
    return Json.write(a);
  }

  /** The whole conversation as plain text, one turn per paragraph: what near dedup and the relevance check compare. */
  public static String text(List<Turn> turns) {
    StringBuilder b = new StringBuilder();
    for (Turn t : turns) {
      if (b.length() > 0) {
        b.append("\n\n");
      }
      b.append(t.content());
    }
    return b.toString();
  }

  /** The assistant turns' contents, in order. */
  public static List<String> assistantTurns(List<Turn> turns) {
    return turns.stream().filter(Turn::isAssistant).map(Turn::content).toList();
  }

  /** The first user turn's content, or "" when there is none. */
  public static String firstUserTurn(List<Turn> turns) {
    return turns.stream().filter(Turn::isUser).map(Turn::content).findFirst().orElse("");
  }
}
