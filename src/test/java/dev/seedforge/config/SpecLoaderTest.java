package dev.seedforge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.testing.SpecFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {
  @TempDir Path dir;
  SpecFixture fixture;
  Path pipelines;

  @BeforeEach
  void pack() throws IOException {
    fixture = new SpecFixture(dir);
    pipelines = fixture.pipelines;
  }

  private Path write(String yaml) throws IOException {
    return fixture.write(yaml);
  }

  @Test
  void should_read_a_valid_file_with_defaults_and_paths_relative_to_the_file() throws IOException {
    Path f = write("pack: ../prompts/p\nllm:\n  temperature: 0.5\n");

    PipelineSpec spec = SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());

    assertThat(spec.name()).isEqualTo("x");
    assertThat(spec.packDir()).isEqualTo(dir.resolve("prompts/p").toString());
    assertThat(spec.llm().temperature()).isEqualTo(0.5);
    assertThat(spec.llm().provider()).isEqualTo("auto");
    assertThat(spec.output().dir()).isEqualTo(dir.resolve("output/x").toString());
    assertThat(spec.seed()).isEqualTo(42L);
  }

  @Test
  void should_report_every_problem_at_once_each_with_its_field() throws IOException {
    Path f = write("pack: ../prompts/nope\nllm:\n  temperature: hot\n  modle: gpt\nsplit:\n  validation: 2.5\ntargts: {}\n");

    assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).endsWith("x.yaml: llm.temperature: expected a number, got \"hot\""))
            .anySatisfy(p -> assertThat(p).contains("llm.modle: unknown key; did you mean 'model'?"))
            .anySatisfy(p -> assertThat(p).contains("split.validation: a fraction below 1 or a whole count per label, got 2.5"))
            .anySatisfy(p -> assertThat(p).contains("targts: unknown key; did you mean 'targets'?"))
            .anySatisfy(p -> assertThat(p).contains("pack: no pack.yaml in")));
  }

  @Test
  void should_substitute_environment_variables_with_defaults() throws IOException {
    Path f = write("pack: ../prompts/p\nllm:\n  base_url: ${MY_URL}\n  model: ${MY_MODEL:-llama3}\n");

    PipelineSpec spec = SpecLoader.load(f, Map.of("MY_URL", "http://127.0.0.1:9/v1"), SpecLoader.Overrides.none());

    assertThat(spec.llm().baseUrl()).isEqualTo("http://127.0.0.1:9/v1");
    assertThat(spec.llm().model()).isEqualTo("llama3");
  }

  @Test
  void should_name_an_unset_variable_without_echoing_any_secret() throws IOException {
    Path f = write("pack: ../prompts/p\nllm:\n  base_url: ${NOT_SET_ANYWHERE}\n  temperature: ${SECRET}\n");

    assertThatThrownBy(() -> SpecLoader.load(f, Map.of("SECRET", "sk-live-123"), SpecLoader.Overrides.none()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.getMessage()).contains("environment variable NOT_SET_ANYWHERE is not set");
          assertThat(e.getMessage()).contains("llm.temperature: expected a number, got \"${SECRET}\"");
          assertThat(e.getMessage()).doesNotContain("sk-live-123");
        });
  }

  @Test
  void should_refuse_an_api_key_written_in_the_file() throws IOException {
    Path f = write("pack: ../prompts/p\nllm:\n  api_key: sk-abc\n");

    assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none()))
        .hasMessageContaining("llm.api_key: keys never go in pipeline files")
        .hasMessageNotContaining("sk-abc");
  }

  @Test
  void should_apply_command_line_overrides() throws IOException {
    Path f = write("pack: ../prompts/p\n");

    PipelineSpec spec = SpecLoader.load(f, Map.of(), new SpecLoader.Overrides("lexical", "m", "http://h/v1", 7L, dir.resolve("o").toString()));

    assertThat(spec.llm().provider()).isEqualTo("lexical");
    assertThat(spec.llm().model()).isEqualTo("m");
    assertThat(spec.llm().baseUrl()).isEqualTo("http://h/v1");
    assertThat(spec.seed()).isEqualTo(7L);
    assertThat(spec.output().dir()).isEqualTo(dir.resolve("o").toString());
  }

  @Test
  void should_report_a_missing_file_and_broken_yaml() throws IOException {
    assertThatThrownBy(() -> SpecLoader.load(pipelines.resolve("none.yaml"), Map.of(), SpecLoader.Overrides.none()))
        .hasMessageContaining("none.yaml: no such pipeline file");
    Path f = write("pack: [unclosed\n");
    assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none()))
        .hasMessageContaining("x.yaml:2:1: not valid YAML: expected ',' or ']', but got <stream end> (in a flow sequence that starts at line 1, column 7)");
  }

  @Test
  void should_choose_the_embedding_model_and_name_the_allowed_ones_on_a_typo() throws IOException {
    assertThat(fixture.load("").quality().relevance().embeddingModel()).isEqualTo(PipelineSpec.Relevance.MINILM);
    assertThat(fixture.load("quality:\n  embedding_model: all-minilm-l6-v2-q\n").quality().relevance().embeddingModel())
        .isEqualTo(PipelineSpec.Relevance.MINILM_Q);
    assertThatThrownBy(() -> fixture.load("quality:\n  embedding_model: bge-large\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("quality.embedding_model: unknown model \"bge-large\"; use one of [all-minilm-l6-v2, all-minilm-l6-v2-q]")));
  }
}
