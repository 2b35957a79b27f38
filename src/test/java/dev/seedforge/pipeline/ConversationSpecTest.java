package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.format.TrainOn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a pipeline may ask of conversation records, checked before anything runs. */
class ConversationSpecTest {
  @TempDir Path dir;

  private PipelineSpec load(String pack, String output) throws IOException {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, "name: p\npack: " + Path.of(pack).toAbsolutePath() + "\nllm: {provider: lexical}\noutput:\n  dir: "
        + dir.resolve("out") + "\n" + output);
    return SpecLoader.load(file, Map.of(), SpecLoader.Overrides.none());
  }

  @Test
  void should_read_train_on_last() throws IOException {
    assertThat(load("prompts/support-chat", "  train_on: last\n").output().trainOn()).isEqualTo(TrainOn.LAST);
    assertThat(load("prompts/support-chat", "").output().trainOn()).isEqualTo(TrainOn.ALL);
  }

  @Test
  void should_refuse_an_unknown_train_on() {
    assertThatThrownBy(() -> load("prompts/support-chat", "  train_on: first\n"))
        .hasMessageContaining("output.train_on: expected all or last, got \"first\"");
  }

  @Test
  void should_refuse_a_one_exchange_format_for_conversations() throws IOException {
    PipelineSpec spec = load("prompts/support-chat", "  formats: [openai-chat, alpaca]\n");

    assertThatThrownBy(() -> RunPlan.prepare(spec, Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("p.yaml: output.formats: alpaca (kind alpaca) holds one prompt and one answer, not a conversation;"
            + " use openai-chat, trl-messages, sharegpt");
  }

  @Test
  void should_refuse_train_on_last_for_records_of_one_answer() throws IOException {
    PipelineSpec spec = load("prompts/customer-support", "  train_on: last\n");

    assertThatThrownBy(() -> RunPlan.prepare(spec, Map.of()))
        .hasMessageContaining("p.yaml: output.train_on: last picks assistant turns of conversations; the pack's records have one answer each"
            + " (task classification): remove it");
  }
}
