package dev.seedforge.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatSeedsTest {
  @TempDir Path dir;

  @Test
  void should_read_chat_jsonl_into_turns_with_the_system_prompt_and_scenario_apart() throws IOException {
    // given
    Path f = dir.resolve("chat.jsonl");
    Files.writeString(f, "{\"scenario\": \"late parcel\", \"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
        + " {\"role\": \"user\", \"content\": \"Where is order 12?\"}, {\"role\": \"assistant\", \"content\": \"It arrives tomorrow.\"}]}\n");

    // when
    List<Seed> seeds = SeedReader.read(f, TaskType.CONVERSATION);

    // then
    Seed s = seeds.get(0);
    assertThat(Conversation.turns(s.fields())).containsExactly(
        new Conversation.Turn("user", "Where is order 12?"), new Conversation.Turn("assistant", "It arrives tomorrow."));
    assertThat(s.field(Conversation.SYSTEM)).isEqualTo("Be brief.");
    assertThat(s.field(Conversation.SCENARIO)).isEqualTo("late parcel");
    assertThat(s.label()).isNull();
  }

  @Test
  void should_name_file_and_line_of_every_malformed_conversation() throws IOException {
    // given
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, String.join("\n",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}",
        "{\"messages\": \"hi there\"}",
        "{\"messages\": [{\"role\": \"bot\", \"content\": \"hi\"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"  \"}]}",
        "{\"messages\": [{\"role\": \"assistant\", \"content\": \"hi\"}, {\"role\": \"user\", \"content\": \"yo\"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
        "{\"text\": \"not a chat\"}") + "\n");

    // when / then
    assertThatThrownBy(() -> SeedReader.read(f, TaskType.CONVERSATION))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).satisfiesExactly(
            p -> assertThat(p).endsWith("bad.jsonl:2: \"messages\" is not a list; write [{\"role\": \"user\", \"content\": \"...\"}, {\"role\": \"assistant\", \"content\": \"...\"}]"),
            p -> assertThat(p).endsWith("bad.jsonl:3: message 1: unknown role \"bot\" (a seed conversation has system, user and assistant messages)"),
            p -> assertThat(p).endsWith("bad.jsonl:4: message 2: empty content; every assistant message needs text"),
            p -> assertThat(p).endsWith("bad.jsonl:5: turn 1 is \"assistant\" where user was due: user and assistant take turns, the user first; fix the seed conversation"),
            p -> assertThat(p).endsWith("bad.jsonl:6: the last turn (1) is the user's; a conversation ends with the assistant's answer; fix the seed conversation"),
            p -> assertThat(p).contains("bad.jsonl:7: missing field \"messages\"")));
  }

  @Test
  void should_refuse_csv_conversation_seeds() throws IOException {
    Path f = dir.resolve("chat.csv");
    Files.writeString(f, "messages\nhi\n");

    assertThatThrownBy(() -> SeedReader.read(f, TaskType.CONVERSATION))
        .hasMessageContaining("chat.csv: conversation seeds are chat JSONL");
  }

  @Test
  void should_read_every_seed_conversation_of_the_support_chat_pack() {
    List<Seed> seeds = SeedReader.read(Path.of("prompts/support-chat/seeds.jsonl"), TaskType.CONVERSATION);

    assertThat(seeds).hasSizeBetween(10, 20);
    assertThat(seeds).allSatisfy(s -> assertThat(ConversationRules.check(Conversation.turns(s.fields()))).isEmpty());
  }
}
