package dev.seedforge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.format.FormatSpec;
import dev.seedforge.testing.SpecFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output section: formats (from templates/ or built in), azure. */
class OutputSpecTest {
  @TempDir Path dir;
  SpecFixture fixture;
  Path pipelines;

  @BeforeEach
  void pack() throws IOException {
    fixture = new SpecFixture(dir);
    pipelines = fixture.pipelines;
  }

  private PipelineSpec load(String yaml) throws IOException {
    return fixture.load(yaml);
  }

  @Test
  void should_default_to_openai_chat_without_bom() throws IOException {
    PipelineSpec s = load("");
    assertThat(s.output().formats()).extracting(FormatSpec::name).containsExactly("openai-chat");
    assertThat(s.output().azure()).isFalse();
  }

  @Test
  void should_read_several_built_in_formats_and_azure() throws IOException {
    PipelineSpec s = load("output:\n  formats: [openai-chat, alpaca, prompt-completion]\n  azure: true\n");
    assertThat(s.output().formats()).extracting(FormatSpec::kind).containsExactly("openai-chat", "alpaca", "prompt-completion");
    assertThat(s.output().azure()).isTrue();
  }

  @Test
  void should_prefer_a_format_file_in_the_templates_folder() throws IOException {
    Files.createDirectories(dir.resolve("templates"));
    Files.writeString(dir.resolve("templates/openai-chat.yaml"), "name: openai-chat\noptions:\n  weight: true\n");
    Files.writeString(dir.resolve("templates/my-pc.yaml"), "name: my-pc\nkind: prompt-completion\noptions:\n  separators: [' =>']\n  stops: [' STOP']\n");

    PipelineSpec s = load("output:\n  formats: [openai-chat, my-pc]\n");

    assertThat(s.output().formats().get(0).weight()).isTrue();
    assertThat(s.output().formats().get(1).separators()).containsExactly(" =>");
    assertThat(s.output().formats().get(1).stops()).containsExactly(" STOP");
  }

  @Test
  void should_report_an_unknown_format_with_its_field() {
    assertThatThrownBy(() -> load("output:\n  formats: [openai-chat, jsonl-magic]\n  azure: maybe\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("output.formats[1]").contains("no format \"jsonl-magic\""))
            .anySatisfy(p -> assertThat(p).contains("output.azure: expected true or false")));
  }
}
