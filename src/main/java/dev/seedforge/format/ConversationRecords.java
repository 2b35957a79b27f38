package dev.seedforge.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.Conversation;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a conversation record, all its turns, in the shape of a chat format: openai-chat
 * ({@code messages}, with {@code weight} on assistant messages when {@code output.train_on} or the
 * format's weight option asks), trl-messages ({@code messages}) and sharegpt ({@code conversations}
 * with from human / gpt / system). The system message is the conversation's own (drawn from the
 * pack's system_prompts), else the pipeline's {@code output.system_message}, else none.
 */
public final class ConversationRecords {
  /** The format kinds that can hold a whole conversation. */
  public static final List<String> KINDS = List.of("openai-chat", "trl-messages", "sharegpt");

  private ConversationRecords() {}

  public static String line(FormatSpec f, Candidate c, String systemMessage, TrainOn trainOn) {
    List<Conversation.Turn> turns = Conversation.turns(c.fields());
    String own = c.field(Conversation.SYSTEM);
    String system = !own.isBlank() ? own : systemMessage == null || systemMessage.isBlank() ? null : systemMessage;
    ObjectNode root = Json.mapper().createObjectNode();
    switch (f.kind()) {
      case "openai-chat" -> root.set("messages", messages(system, turns, trainOn.weighted() ? trainOn : f.weight() ? TrainOn.ALL : null));
      case "trl-messages" -> root.set("messages", messages(system, turns, null));
      case "sharegpt" -> root.set("conversations", shareGpt(system, turns));
      default -> throw new IllegalArgumentException("format kind " + f.kind() + " cannot hold a conversation; use one of " + KINDS);
    }
    return Json.write(root);
  }

  /** {@code weights} null writes none; ALL gives every assistant message weight 1; LAST only the last. */
  private static ArrayNode messages(String system, List<Conversation.Turn> turns, TrainOn weights) {
    ArrayNode a = Json.mapper().createArrayNode();
    if (system != null) {
      a.addObject().put("role", "system").put("content", system);
    }
    int last = lastAssistant(turns);
    for (int i = 0; i < turns.size(); i++) {
      Conversation.Turn t = turns.get(i);
      ObjectNode m = a.addObject().put("role", t.role()).put("content", t.content());
      if (weights != null && t.isAssistant()) {
        m.put("weight", weights == TrainOn.ALL || i == last ? 1 : 0);
      }
    }
    return a;
  }

  private static ArrayNode shareGpt(String system, List<Conversation.Turn> turns) {
    ArrayNode a = Json.mapper().createArrayNode();
    if (system != null) {
      a.addObject().put("from", "system").put("value", system);
    }
    for (Conversation.Turn t : turns) {
      a.addObject().put("from", t.isUser() ? "human" : "gpt").put("value", t.content());
    }
    return a;
  }

  private static int lastAssistant(List<Conversation.Turn> turns) {
    for (int i = turns.size() - 1; i >= 0; i--) {
      if (turns.get(i).isAssistant()) {
        return i;
      }
    }
    return -1;
  }

  /**
   * What a pipeline asks of its formats that its pack's task cannot give: a conversation pack in a
   * format that holds one exchange, or {@code output.train_on: last} for records of one turn.
   */
  public static List<String> problems(PipelineSpec spec, TaskType task, String specFile) {
    List<String> out = new ArrayList<>();
    if (task == TaskType.CONVERSATION) {
      for (FormatSpec f : spec.output().formats()) {
        if (!KINDS.contains(f.kind())) {
          out.add(specFile + ": output.formats: " + f.name() + " (kind " + f.kind() + ") holds one prompt and one answer, not a conversation; use "
              + String.join(", ", KINDS));
        }
      }
    } else if (spec.output().trainOn() != TrainOn.ALL) {
      out.add(specFile + ": output.train_on: " + spec.output().trainOn().wireName()
          + " picks assistant turns of conversations; the pack's records have one answer each (task " + task.wireName() + "): remove it");
    }
    return out;
  }
}
