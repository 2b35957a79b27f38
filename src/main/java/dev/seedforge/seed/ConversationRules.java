package dev.seedforge.seed;

import java.util.List;
import java.util.Optional;

/**
 * The shape every conversation must have, shared by the seed reader, the quality gate and
 * {@code validate}: user and assistant take turns, the user first and the assistant last, and no
 * turn is empty. Turn numbers in messages count from 1 over the user and assistant turns.
 */
public final class ConversationRules {
  /** Filter names of the shape rules, as rejected.jsonl and the manifest show them. */
  public static final String ROLES_OUT_OF_ORDER = "roles_out_of_order";
  public static final String LAST_TURN_NOT_ASSISTANT = "last_turn_not_assistant";
  public static final String EMPTY_TURN = "empty_turn";

  private ConversationRules() {}

  /** A broken rule: its filter name, the turn (from 1) and why. */
  public record Broken(String filter, int turn, String reason) {}

  /** The first shape rule the turns break, or empty. */
  public static Optional<Broken> check(List<Conversation.Turn> turns) {
    if (turns.isEmpty()) {
      return Optional.of(new Broken(EMPTY_TURN, 0, "the conversation has no turns"));
    }
    for (int i = 0; i < turns.size(); i++) {
      Conversation.Turn t = turns.get(i);
      String expected = i % 2 == 0 ? Conversation.USER : Conversation.ASSISTANT;
      if (!t.role().equals(expected)) {
        return Optional.of(new Broken(ROLES_OUT_OF_ORDER, i + 1,
            "turn " + (i + 1) + " is " + (t.role().isEmpty() ? "without a role" : "\"" + t.role() + "\"") + " where " + expected
                + " was due: user and assistant take turns, the user first"));
      }
    }
    for (int i = 0; i < turns.size(); i++) {
      if (turns.get(i).content().isBlank()) {
        return Optional.of(new Broken(EMPTY_TURN, i + 1, "turn " + (i + 1) + " (" + turns.get(i).role() + ") is empty"));
      }
    }
    if (!turns.get(turns.size() - 1).isAssistant()) {
      return Optional.of(new Broken(LAST_TURN_NOT_ASSISTANT, turns.size(),
          "the last turn (" + turns.size() + ") is the user's; a conversation ends with the assistant's answer"));
    }
    return Optional.empty();
  }

  /** {@link #check}'s reason, for the seed reader, or null when the turns are in order. */
  static String orderProblem(List<Conversation.Turn> turns) {
    return check(turns).map(b -> b.reason() + "; fix the seed conversation").orElse(null);
  }
}
