package dev.seedforge.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.seed.TaskType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationPacksTest {
  @TempDir Path dir;

  private Path pack(String yaml, String template) throws IOException {
    Path p = Files.createDirectories(dir.resolve("p"));
    Files.createDirectories(p.resolve("templates"));
    Files.writeString(p.resolve("templates/t.txt"), template);
    Files.writeString(p.resolve("seeds.jsonl"), "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}\n");
    Files.writeString(p.resolve("pack.yaml"), "system_prompt: s\n" + yaml + "strategies:\n  c: {template: templates/t.txt}\n");
    return p;
  }

  @Test
  void should_load_turns_personas_scenarios_and_system_prompts() throws IOException {
    // given
    Path p = pack("task: conversation\nturns: {min: 1, max: 3}\npersonas: [a parent]\nscenarios: [late parcel, refund]\nsystem_prompts: [Be kind.]\n",
        "{{n}} conversations of {{turns}} turns for {{persona}} about {{scenario}} ({{system_prompt}})\n{{examples}}\n");

    // when
    Pack pack = PackLoader.load(p);

    // then
    assertThat(pack.task()).isEqualTo(TaskType.CONVERSATION);
    assertThat(pack.conversation()).isEqualTo(new ConversationSettings(1, 3, java.util.List.of("a parent"),
        java.util.List.of("late parcel", "refund"), java.util.List.of("Be kind.")));
  }

  @Test
  void should_refuse_conversation_keys_in_other_packs_and_a_turns_range_upside_down() throws IOException {
    Path instruction = pack("task: instruction\npersonas: [a parent]\n", "{{n}} {{examples}}\n");

    assertThatThrownBy(() -> PackLoader.load(instruction))
        .hasMessageContaining("personas: belongs to conversation packs; set task: conversation or remove the key");

    Path upsideDown = pack("task: conversation\nturns: {min: 4, max: 2}\n", "{{n}} {{examples}}\n");

    assertThatThrownBy(() -> PackLoader.load(upsideDown)).hasMessageContaining("turns: min (4) must not exceed max (2)");
  }

  @Test
  void should_keep_conversation_variables_out_of_other_packs_templates() throws IOException {
    Path p = pack("labels: {a: first}\n", "{{n}} for {{persona}}\n");

    assertThatThrownBy(() -> PackLoader.load(p)).hasMessageContaining("unknown template variable {{persona}}");
  }
}
