package dev.seedforge.generate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a model's reply into example field maps. Tolerates code fences and prose around the JSON,
 * a bare array, or a single object; anything else is reported, never dropped.
 */
public final class ResponseParser {
  private ResponseParser() {}

  /** One parsed item, or the reason it could not be used. */
  public record Item(Map<String, String> fields, String problem) {}

  /** The items, or a problem for the whole response (then items is empty). */
  public record Parsed(List<Item> items, String problem, String filter) {}

  public static Parsed parse(String text, TaskType task, boolean truncated) {
    return parse(text, task, truncated, List.of());
  }

  /** The same, keeping the optional fields {@code extra} (e.g. a grounded example's evidence) as well. */
  public static Parsed parse(String text, TaskType task, boolean truncated, List<String> extra) {
    if (text == null || text.isBlank()) {
      return new Parsed(List.of(), "the response was empty", "empty_response");
    }
    JsonNode root = truncated ? salvage(text) : null;
    if (root == null) {
      root = firstJsonValue(text);
    }
    if (root == null) {
      return truncated
          ? new Parsed(List.of(), "the response was cut off (finish_reason: length) before its JSON ended; raise llm.max_tokens or lower generation.examples_per_call", "truncated_response")
          : new Parsed(List.of(), "no JSON object or array in the response", "not_json");
    }
    JsonNode array;
    if (root.isArray()) {
      array = root;
    } else if (root.isObject() && root.has("examples") && root.get("examples").isArray()) {
      array = root.get("examples");
    } else if (root.isObject() && hasContent(root, task)) {
      array = Json.mapper().createArrayNode().add(root);
    } else {
      return new Parsed(List.of(), "JSON without an \"examples\" list", "schema");
    }
    List<Item> items = new ArrayList<>();
    for (JsonNode n : array) {
      items.add(item(n, task, extra));
    }
    if (items.isEmpty()) {
      return new Parsed(List.of(), "the \"examples\" list was empty", "empty_response");
    }
    return new Parsed(items, null, null);
  }

  private static boolean hasContent(JsonNode n, TaskType task) {
    return task.required().stream().allMatch(n::has);
  }

  private static Item item(JsonNode n, TaskType task, List<String> extra) {
    if (n.isTextual() && task == TaskType.CLASSIFICATION) {
      return n.asText().isBlank() ? new Item(Map.of("text", ""), "empty text") : new Item(Map.of("text", n.asText().strip()), null);
    }
    if (!n.isObject()) {
      return new Item(Map.of("raw", n.toString()), "an example was not a JSON object");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String f : task.fields()) {
      JsonNode v = n.get(f);
      String s = v == null || v.isNull() ? "" : v.isValueNode() ? v.asText().strip() : v.toString();
      if (task.required().contains(f) && s.isEmpty()) {
        missing.add(f);
      }
      fields.put(f, s);
    }
    for (String f : extra) {
      JsonNode v = n.get(f);
      fields.put(f, v == null || v.isNull() ? "" : v.isValueNode() ? v.asText().strip() : v.toString());
    }
    if (!missing.isEmpty()) {
      if (fields.values().stream().allMatch(String::isEmpty)) {
        fields.put("raw", n.toString());
      }
      return new Item(fields, "missing or empty " + String.join(", ", missing));
    }
    return new Item(fields, null);
  }

  /**
   * The complete examples of a reply cut off at max_tokens: reads the "examples" array (or a bare
   * array) value by value and stops at the cut, so every complete example paid for is kept.
   * Returns null when not even one example is complete.
   */
  public static JsonNode salvage(String text) {
    int key = text.indexOf("\"examples\"");
    int open = key >= 0 ? text.indexOf('[', key) : text.indexOf('[');
    if (open < 0) {
      return null;
    }
    com.fasterxml.jackson.databind.node.ArrayNode items = Json.mapper().createArrayNode();
    try (JsonParser p = Json.mapper().getFactory().createParser(text.substring(open))) {
      p.nextToken(); // START_ARRAY
      while (p.nextToken() != null && p.currentToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
        items.add((JsonNode) Json.mapper().readTree(p));
      }
    } catch (IOException e) {
      // the cut: keep what was complete before it
    }
    return items.isEmpty() ? null : items;
  }

  /** The first complete JSON object or array in the text, or null. */
  public static JsonNode firstJsonValue(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '{' && c != '[') {
        continue;
      }
      try (JsonParser p = Json.mapper().getFactory().createParser(text.substring(i))) {
        JsonNode n = Json.mapper().readTree(p);
        if (n != null && (n.isObject() || n.isArray())) {
          return n;
        }
      } catch (IOException e) {
        // not JSON from here; try the next opening bracket
      }
    }
    return null;
  }
}
