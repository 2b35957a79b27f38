package dev.seedforge.prompt;

import java.io.Serializable;
import java.util.List;

/**
 * What a conversation pack ({@code task: conversation}) asks for: each conversation has between
 * {@code minTurns} and {@code maxTurns} user/assistant exchanges, and is drawn, per request and
 * deterministically from the pipeline seed, with one of the {@code personas} (who the user is),
 * one of the {@code scenarios} (what the conversation is about) and one of the
 * {@code systemPrompts} (the system message the record carries); an empty list draws nothing.
 */
public record ConversationSettings(int minTurns, int maxTurns, List<String> personas, List<String> scenarios, List<String> systemPrompts)
    implements Serializable {
  public static final int DEFAULT_MIN_TURNS = 2;
  public static final int DEFAULT_MAX_TURNS = 4;
  public static final ConversationSettings NONE =
      new ConversationSettings(DEFAULT_MIN_TURNS, DEFAULT_MAX_TURNS, List.of(), List.of(), List.of());

  public ConversationSettings {
    personas = List.copyOf(personas);
    scenarios = List.copyOf(scenarios);
    systemPrompts = List.copyOf(systemPrompts);
  }
}
