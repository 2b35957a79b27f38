package dev.seedforge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.testing.SpecFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline files that YAML or a URL parser would accept but that cannot mean what they say. */
class SpecLoaderInputTest {
  @TempDir Path dir;
  SpecFixture fixture;

  @BeforeEach
  void pack() throws IOException {
    fixture = new SpecFixture(dir);
  }

  private static void assertProblem(Throwable e, String expected) {
    assertThat(e).isInstanceOfSatisfying(InvalidInputException.class, bad -> assertThat(bad.problems()).anySatisfy(p -> assertThat(p).contains(expected)));
  }

  @Test
  void should_name_file_line_and_column_of_a_yaml_syntax_error() throws IOException {
    // given: an unclosed flow sequence on line 2
    Path f = fixture.write("pack: ../prompts/p\nsubsets: [0.1, 0.5\nseed: 3\n");

    // when / then
    assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none()))
        .satisfies(e -> assertProblem(e, "x.yaml:3:5: not valid YAML: expected ',' or ']', but got"))
        .satisfies(e -> assertProblem(e, "(in a flow sequence that starts at line 2, column 10)"));
  }

  @Test
  void should_refuse_a_duplicate_key_naming_its_line() throws IOException {
    // given
    Path f = fixture.write("pack: ../prompts/p\nllm:\n  temperature: 0.2\n  temperature: 1.5\n");

    // when / then
    assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none()))
        .satisfies(e -> assertProblem(e, "x.yaml:4:"))
        .satisfies(e -> assertProblem(e, "duplicate key \"temperature\"; each key may appear once in a mapping"));
  }

  @Test
  void should_refuse_an_alias_rather_than_read_it_as_its_name() throws IOException {
    // given: jackson-dataformat-yaml would read *model as the text "model"
    Path f = fixture.write("pack: ../prompts/p\nname: &model run-a\nllm:\n  model: *model\n");

    // when / then
    assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none()))
        .satisfies(e -> assertProblem(e, "x.yaml:4:10: alias *model: YAML aliases (and << merge keys) are not supported; write the value out"));
  }

  @Test
  void should_refuse_a_merge_key() throws IOException {
    // given
    Path f = fixture.write("pack: ../prompts/p\nbase: &b {temperature: 0.2}\nllm:\n  <<: *b\n");

    // when / then
    assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none()))
        .satisfies(e -> assertProblem(e, "alias *b: YAML aliases (and << merge keys) are not supported"));
  }

  @Test
  void should_refuse_a_base_url_without_http_or_https() throws IOException {
    for (String url : new String[] {"ftp://models.example/v1", "localhost:8000/v1", "file:///etc/passwd", "http://"}) {
      // given
      Path f = fixture.write("pack: ../prompts/p\nllm:\n  base_url: \"" + url + "\"\n");

      // when / then
      assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none()))
          .as(url)
          .satisfies(e -> assertProblem(e, "x.yaml: llm.base_url: expected an http:// or https:// URL with a host, e.g. http://localhost:8000/v1, got \"" + url + "\""));
    }
  }

  @Test
  void should_refuse_a_base_url_override_without_http_or_https() throws IOException {
    // given
    Path f = fixture.write("pack: ../prompts/p\n");

    // when / then
    assertThatThrownBy(() -> SpecLoader.load(f, Map.of(), new SpecLoader.Overrides(null, null, "localhost:11434", null, null)))
        .satisfies(e -> assertProblem(e, "--base-url: expected an http:// or https:// URL with a host, e.g. http://localhost:8000/v1, got \"localhost:11434\""));
  }

  @Test
  void should_accept_http_and_https_base_urls_and_an_empty_one() throws IOException {
    assertThat(fixture.load("llm: {base_url: \"HTTPS://example.openai.azure.com/openai/v1\"}\n").llm().baseUrl()).startsWith("HTTPS://");
    assertThat(fixture.load("llm: {base_url: \"http://127.0.0.1:8000/v1\"}\n").llm().baseUrl()).isEqualTo("http://127.0.0.1:8000/v1");
    assertThat(fixture.load("llm: {base_url: \"${NOT_SET:-}\"}\n").llm().baseUrl()).isNull();
  }

  @Test
  void should_read_the_outside_paths_switch_and_the_prompt_token_limit() throws IOException {
    // when
    PipelineSpec spec = fixture.load("pack_allow_outside_paths: true\nllm: {max_prompt_tokens: 2000}\n");
    PipelineSpec defaults = fixture.load("");

    // then
    assertThat(spec.packAllowOutsidePaths()).isTrue();
    assertThat(spec.llm().maxPromptTokens()).isEqualTo(2000);
    assertThat(defaults.packAllowOutsidePaths()).isFalse();
    assertThat(defaults.llm().maxPromptTokens()).isZero();
  }
}
