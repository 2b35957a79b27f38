package dev.seedforge.prompt;

import dev.seedforge.config.Fields;
import dev.seedforge.config.Problems;
import dev.seedforge.seed.TaskType;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The pack keys of {@code task: conversation}: turns, personas, scenarios and system_prompts. */
final class ConversationPacks {
  static final List<String> KEYS = List.of("turns", "personas", "scenarios", "system_prompts");
  /** What a conversation template may use besides its basis's variables. */
  static final Set<String> VARIABLES = Set.of("persona", "scenario", "turns", "system_prompt");
  static final int MAX_TURNS = 50;

  private ConversationPacks() {}

  static Set<String> variables(Set<String> basis) {
    Set<String> all = new TreeSet<>(basis);
    all.addAll(VARIABLES);
    return Set.copyOf(all);
  }

  /** The conversation settings of a pack; for other tasks every conversation key is a problem. */
  static ConversationSettings settings(Fields top, TaskType task, Problems problems) {
    if (task != TaskType.CONVERSATION) {
      for (String key : KEYS) {
        if (top.has(key)) {
          top.raw(key);
          problems.add(key, "belongs to conversation packs; set task: conversation or remove the key");
        }
      }
      return ConversationSettings.NONE;
    }
    Fields turns = top.object("turns");
    int min = turns.integer("min", ConversationSettings.DEFAULT_MIN_TURNS, 1, MAX_TURNS);
    int max = turns.integer("max", Math.max(min, ConversationSettings.DEFAULT_MAX_TURNS), 1, MAX_TURNS);
    turns.finish();
    if (min > max) {
      problems.add("turns", "min (" + min + ") must not exceed max (" + max + ")");
    }
    List<String> personas = nonBlank(top, "personas", problems);
    List<String> scenarios = nonBlank(top, "scenarios", problems);
    List<String> systemPrompts = nonBlank(top, "system_prompts", problems);
    return new ConversationSettings(min, max, personas, scenarios, systemPrompts);
  }

  private static List<String> nonBlank(Fields top, String key, Problems problems) {
    List<String> values = top.stringList(key, List.of());
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isBlank()) {
        problems.add(key + "[" + i + "]", "is empty; write one line, or remove it");
      }
    }
    return values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
  }
}
