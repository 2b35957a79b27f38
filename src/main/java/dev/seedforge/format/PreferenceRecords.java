package dev.seedforge.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.generate.Candidate;
import dev.seedforge.util.Json;
import java.util.List;

/**
 * Writes a preference pair (prompt, chosen, rejected) in a preference format's shape: OpenAI's
 * preference fine-tuning ({@code {"input": {"messages": [system?, user]}, "preferred_output":
 * [assistant], "non_preferred_output": [assistant]}}) or TRL's conversational preference
 * ({@code {"prompt": [system?, user], "chosen": [assistant], "rejected": [assistant]}}).
 */
public final class PreferenceRecords {
  public static final String OPENAI = "openai-preference";
  public static final String TRL = "trl-preference";
  public static final List<String> KINDS = List.of(OPENAI, TRL);

  private PreferenceRecords() {}

  /** Whether {@code f} writes preference pairs. */
  public static boolean handles(FormatSpec f) {
    return KINDS.contains(f.kind());
  }

  /** One JSON line of {@code pair} in format {@code f}; {@code systemMessage} null for none. */
  public static String line(FormatSpec f, Candidate pair, String systemMessage) {
    ArrayNode prompt = Json.mapper().createArrayNode();
    if (systemMessage != null && !systemMessage.isBlank()) {
      prompt.add(message("system", systemMessage));
    }
    prompt.add(message("user", pair.field("prompt")));
    ObjectNode root = Json.mapper().createObjectNode();
    switch (f.kind()) {
      case OPENAI -> {
        root.putObject("input").set("messages", prompt);
        root.putArray("preferred_output").add(message("assistant", pair.field("chosen")));
        root.putArray("non_preferred_output").add(message("assistant", pair.field("rejected")));
      }
      case TRL -> {
        root.set("prompt", prompt);
        root.putArray("chosen").add(message("assistant", pair.field("chosen")));
        root.putArray("rejected").add(message("assistant", pair.field("rejected")));
      }
      default -> throw new IllegalArgumentException("not a preference format kind: " + f.kind());
    }
    return Json.write(root);
  }

  private static ObjectNode message(String role, String content) {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("role", role);
    m.put("content", content);
    return m;
  }
}
