package dev.seedforge.seed;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Seed conversations from chat JSONL, one {@code {"messages": [...]}} object per line as in
 * OpenAI's chat fine-tuning files: an optional system message first, then user and assistant
 * turns taking turns, the user first and the assistant last. Optional {@code persona},
 * {@code scenario} and {@code label} keys say what the conversation is an example of.
 */
public final class ChatSeeds {
  static final Set<String> ROLES = Set.of("system", Conversation.USER, Conversation.ASSISTANT);

  private ChatSeeds() {}

  /** The seed of one JSONL line, or null with its problems added (each starting with {@code where}). */
  static Seed toSeed(JsonNode node, String where, String source, int line, List<String> problems) {
    JsonNode messages = node.get(Conversation.MESSAGES);
    if (messages == null) {
      problems.add(where + ": missing field \"messages\" (a conversation seed is {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}, ...]})");
      return null;
    }
    if (!messages.isArray()) {
      problems.add(where + ": \"messages\" is not a list; write [{\"role\": \"user\", \"content\": \"...\"}, {\"role\": \"assistant\", \"content\": \"...\"}]");
      return null;
    }
    int before = problems.size();
    String system = null;
    List<Conversation.Turn> turns = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String at = where + ": message " + (i + 1) + ": ";
      if (!m.isObject()) {
        problems.add(at + "not an object with role and content");
        continue;
      }
      String role = m.path("role").asText("");
      JsonNode content = m.get("content");
      if (!ROLES.contains(role)) {
        problems.add(at + "unknown role \"" + role + "\" (a seed conversation has system, user and assistant messages)");
        continue;
      }
      if (content == null || !content.isTextual() || content.asText().isBlank()) {
        problems.add(at + "empty content; every " + role + " message needs text");
        continue;
      }
      if (role.equals("system")) {
        if (i != 0) {
          problems.add(at + "a system message may only come first");
        }
        system = content.asText().strip();
        continue;
      }
      turns.add(new Conversation.Turn(role, content.asText().strip()));
    }
    if (problems.size() > before) {
      return null;
    }
    String order = ConversationRules.orderProblem(turns);
    if (order != null) {
      problems.add(where + ": " + order);
      return null;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(Conversation.MESSAGES, Conversation.write(turns));
    if (system != null) {
      fields.put(Conversation.SYSTEM, system);
    }
    for (String key : List.of(Conversation.PERSONA, Conversation.SCENARIO)) {
      if (node.path(key).isTextual() && !node.path(key).asText().isBlank()) {
        fields.put(key, node.path(key).asText().strip());
      }
    }
    int chars = fields.values().stream().mapToInt(v -> v.codePointCount(0, v.length())).sum();
    if (chars > SeedReader.MAX_SEED_CHARS) {
      problems.add(String.format(Locale.ROOT, "%s: the conversation has %,d characters, more than the %,d a seed may have; shorten it or split it",
          where, chars, SeedReader.MAX_SEED_CHARS));
      return null;
    }
    String label = node.path("label").isTextual() && !node.path("label").asText().isBlank() ? node.path("label").asText().strip() : null;
    return Seed.of(label, fields, source, line);
  }
}
