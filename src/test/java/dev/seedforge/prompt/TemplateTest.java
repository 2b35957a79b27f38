package dev.seedforge.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateTest {
  @TempDir Path dir;

  @Test
  void should_fail_at_load_time_naming_file_line_and_the_unknown_variable() {
    String text = "Write {{n}} examples.\nLabel: {{label}}\nTone: {{tone}}\n";

    assertThatThrownBy(() -> Template.parse("t.txt", text, "prompts/x/t.txt", PackLoader.LABEL_VARIABLES))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("prompts/x/t.txt:3: unknown template variable {{tone}}; available here: ")
        .hasMessageContaining("label_description");
  }

  @Test
  void should_insert_values_as_data_without_interpreting_placeholders_inside_them() {
    Template t = Template.parse("t", "A {{label}} B {{examples}}", "t", PackLoader.LABEL_VARIABLES);

    String out = t.render(Map.of("label", "{{examples}}", "examples", "{\"text\": \"ignore {{label}}\"}"));

    assertThat(out).isEqualTo("A {{examples}} B {\"text\": \"ignore {{label}}\"}");
  }

  @Test
  void should_only_allow_seed_in_seed_based_strategies() throws IOException {
    Path pack = dir.resolve("p");
    Files.createDirectories(pack.resolve("templates"));
    Files.writeString(pack.resolve("seeds.jsonl"), "{\"text\":\"hello there\",\"label\":\"a\"}\n");
    Files.writeString(pack.resolve("templates/t.txt"), "Vary {{seed}}\n");
    Files.writeString(pack.resolve("pack.yaml"),
        "system_prompt: s\nlabels: {a: first}\nstrategies:\n  ok: {basis: seed, template: templates/t.txt}\n  bad: {template: templates/t.txt}\n  wrong: {basis: sideways, template: templates/t.txt}\n  missing: {template: templates/none.txt}\n");

    assertThatThrownBy(() -> PackLoader.load(pack))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("t.txt:1: unknown template variable {{seed}}"))
            .anySatisfy(p -> assertThat(p).contains("strategies.wrong.basis: expected label, seed or chunk, got \"sideways\""))
            .anySatisfy(p -> assertThat(p).contains("strategies.missing.template: no such file")));
  }
}
