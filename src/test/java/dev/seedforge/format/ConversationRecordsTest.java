package dev.seedforge.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.Conversation;
import dev.seedforge.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConversationRecordsTest {
  static final List<Conversation.Turn> TURNS = List.of(
      new Conversation.Turn("user", "Where is order 12?"), new Conversation.Turn("assistant", "It left the depot today."),
      new Conversation.Turn("user", "When will it arrive?"), new Conversation.Turn("assistant", "Tomorrow before noon."));

  static Candidate conversation(String system) {
    Map<String, String> fields = new java.util.TreeMap<>(Map.of(Conversation.MESSAGES, Conversation.write(TURNS)));
    if (system != null) {
      fields.put(Conversation.SYSTEM, system);
    }
    return Candidate.of(null, fields, new Candidate.Provenance(List.of(), "s", null, "openai", null, "r", 0), 0);
  }

  static JsonNode line(String format, Candidate c, TrainOn trainOn) throws Exception {
    return Json.mapper().readTree(ConversationRecords.line(RecordFormatsTest.format(format), c, "Pipeline system.", trainOn));
  }

  @Test
  void should_write_every_turn_after_the_conversations_own_system_prompt() throws Exception {
    JsonNode messages = line("openai-chat", conversation("Own system."), TrainOn.ALL).path("messages");

    assertThat(messages).hasSize(5);
    assertThat(messages.get(0).path("content").asText()).isEqualTo("Own system.");
    assertThat(messages.get(3).path("content").asText()).isEqualTo("When will it arrive?");
    assertThat(messages.findValues("weight")).isEmpty();
  }

  @Test
  void should_train_only_on_the_last_assistant_turn_when_asked() throws Exception {
    JsonNode messages = line("openai-chat", conversation(null), TrainOn.LAST).path("messages");

    assertThat(messages.get(0).path("content").asText()).isEqualTo("Pipeline system.");
    assertThat(messages.get(2).path("weight").asInt()).isZero();
    assertThat(messages.get(4).path("weight").asInt()).isOne();
    assertThat(messages.get(1).has("weight")).isFalse();
    assertThat(messages.get(3).has("weight")).isFalse();
  }

  @Test
  void should_write_sharegpt_and_trl_messages() throws Exception {
    JsonNode share = line("sharegpt", conversation(null), TrainOn.LAST).path("conversations");
    JsonNode trl = line("trl-messages", conversation(null), TrainOn.LAST).path("messages");

    assertThat(share).extracting(t -> t.path("from").asText()).containsExactly("system", "human", "gpt", "human", "gpt");
    assertThat(trl).extracting(t -> t.path("role").asText()).containsExactly("system", "user", "assistant", "user", "assistant");
    assertThat(trl.findValues("weight")).isEmpty();
  }

  @Test
  void should_be_accepted_by_validate_in_every_format() throws Exception {
    for (String format : ConversationRecords.KINDS) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        lines.add(ConversationRecords.line(RecordFormatsTest.format(format), conversation("System " + i + "."), null, TrainOn.LAST));
      }

      Validator.Report r = Validator.validate((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), null, ValidatorTest.MINI);

      assertThat(r.hasErrors()).as(format + " " + r.issues()).isFalse();
    }
  }
}
