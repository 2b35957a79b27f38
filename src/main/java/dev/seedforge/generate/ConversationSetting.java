package dev.seedforge.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.prompt.ConversationSettings;
import dev.seedforge.seed.Conversation;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one conversation request is drawn with: a persona, a scenario, a system prompt and a number
 * of assistant turns, each picked from the pack's lists by a hash of the pipeline seed and the
 * request's key, so the same run plans the same conversations every time.
 */
public final class ConversationSetting {
  /** The setting key of the assistant turns asked for. */
  public static final String TURNS = "turns";

  private ConversationSetting() {}

  /** The setting of the request with key {@code key}: persona, scenario, system (those the pack has) and turns. */
  public static Map<String, String> draw(ConversationSettings pack, long seed, String key) {
    Map<String, String> out = new LinkedHashMap<>();
    pick(pack.personas(), seed, "persona|" + key).ifPresent(p -> out.put(Conversation.PERSONA, p));
    pick(pack.scenarios(), seed, "scenario|" + key).ifPresent(p -> out.put(Conversation.SCENARIO, p));
    pick(pack.systemPrompts(), seed, "system|" + key).ifPresent(p -> out.put(Conversation.SYSTEM, p));
    int span = pack.maxTurns() - pack.minTurns() + 1;
    out.put(TURNS, String.valueOf(pack.minTurns() + (int) Math.floorMod(Hashes.draw(seed, "turns|" + key), (long) span)));
    return out;
  }

  private static java.util.Optional<String> pick(List<String> values, long seed, String key) {
    if (values.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(values.get((int) Math.floorMod(Hashes.draw(seed, key), (long) values.size())));
  }

  /** The template variables of a setting: persona, scenario, turns and system_prompt ("" when not drawn); none for other tasks. */
  public static Map<String, String> variables(Map<String, String> setting) {
    if (setting.isEmpty()) {
      return Map.of();
    }
    return Map.of(
        "persona", setting.getOrDefault(Conversation.PERSONA, ""),
        "scenario", setting.getOrDefault(Conversation.SCENARIO, ""),
        "turns", setting.getOrDefault(TURNS, ""),
        "system_prompt", setting.getOrDefault(Conversation.SYSTEM, ""));
  }

  /** A seed conversation as one few-shot JSON line: {"messages": [...]} with its persona and scenario when it has them. */
  public static String exampleLine(Map<String, String> fields) {
    ObjectNode m = Json.mapper().createObjectNode();
    for (String key : List.of(Conversation.PERSONA, Conversation.SCENARIO)) {
      if (!fields.getOrDefault(key, "").isBlank()) {
        m.put(key, fields.get(key));
      }
    }
    m.set(Conversation.MESSAGES, Json.mapper().valueToTree(Conversation.turns(fields)));
    return Json.write(m);
  }

  /**
   * The tokens one exchange (a user turn and the assistant's answer) of the seed conversations
   * takes, as the reply writes it; 0 when no seed is a conversation.
   */
  public static double tokensPerTurn(List<dev.seedforge.seed.Seed> seeds, TokenCounter counter) {
    long tokens = 0;
    long turns = 0;
    for (dev.seedforge.seed.Seed s : seeds) {
      List<Conversation.Turn> t = Conversation.turns(s.fields());
      int answers = Conversation.assistantTurns(t).size();
      if (answers > 0) {
        tokens += counter.count(Conversation.write(t));
        turns += answers;
      }
    }
    return turns == 0 ? 0 : (double) tokens / turns;
  }

  /**
   * The estimate's line on conversations: how many are asked for, with how many assistant turns in
   * all, and the seeds' tokens per exchange that the output tokens are scaled by; empty for other packs.
   */
  public static java.util.Optional<String> describe(List<GenerationRequest> requests, List<dev.seedforge.seed.Seed> seeds,
      dev.seedforge.config.PipelineSpec spec) {
    List<GenerationRequest> asking = requests.stream().filter(r -> turnsAsked(r) > 0).toList();
    if (asking.isEmpty()) {
      return java.util.Optional.empty();
    }
    int perCall = spec.generation().examplesPerCall();
    long turns = asking.stream().mapToLong(r -> (long) turnsAsked(r) * perCall).sum();
    int min = asking.stream().mapToInt(ConversationSetting::turnsAsked).min().orElse(0);
    int max = asking.stream().mapToInt(ConversationSetting::turnsAsked).max().orElse(0);
    return java.util.Optional.of(String.format(java.util.Locale.ROOT,
        "  conversations: %d calls x %d = %d conversations of %d to %d assistant turns, %d turns in all; output low = turns x %.0f tokens"
            + " per exchange (the seed conversations' average)",
        asking.size(), perCall, asking.size() * perCall, min, max, turns, tokensPerTurn(seeds, TokenCounter.forModel(spec.llm().model()))));
  }

  /** The assistant turns asked for by a request, or 0 when it asked for no conversation. */
  public static int turnsAsked(GenerationRequest r) {
    String t = r.setting().get(TURNS);
    return t == null ? 0 : Integer.parseInt(t);
  }
}
