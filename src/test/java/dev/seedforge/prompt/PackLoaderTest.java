package dev.seedforge.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a pack may name: only files inside its own folder, unless the pipeline allows more. */
class PackLoaderTest {
  @TempDir Path dir;
  Path pack;
  Path outside;

  @BeforeEach
  void setUp() throws IOException {
    pack = Files.createDirectories(dir.resolve("prompts/p"));
    Files.createDirectories(pack.resolve("templates"));
    Files.writeString(pack.resolve("templates/t.txt"), "Write {{n}} for {{label}}\n{{examples}}\n");
    Files.writeString(pack.resolve("seeds.jsonl"), "{\"text\": \"hello there\", \"label\": \"a\"}\n");
    outside = dir.resolve("secret.txt");
    Files.writeString(outside, "the secret that must not reach the model\n");
  }

  private void packYaml(String strategies) throws IOException {
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\nlabels: {a: first}\nstrategies:\n" + strategies);
  }

  @Test
  void should_refuse_a_template_that_climbs_out_of_the_pack_folder() throws IOException {
    // given
    packYaml("  new_example: {template: ../../secret.txt}\n");

    // when / then
    assertThatThrownBy(() -> PackLoader.load(pack))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
            .contains("pack.yaml: strategies.new_example.template: ../../secret.txt resolves outside the pack folder")
            .contains("pack_allow_outside_paths: true")));
  }

  @Test
  void should_refuse_an_absolute_template_path_and_the_system_password_file() throws IOException {
    // given
    packYaml("  abs: {template: " + outside.toAbsolutePath() + "}\n  passwd: {template: ../../../../../../../../etc/passwd}\n");

    // when / then
    assertThatThrownBy(() -> PackLoader.load(pack))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("strategies.abs.template: ").contains("resolves outside the pack folder"))
            .anySatisfy(p -> assertThat(p).contains("strategies.passwd.template: ").contains("resolves outside the pack folder")));
  }

  @Test
  void should_refuse_a_symlink_inside_the_pack_that_points_outside() throws IOException {
    // given
    Files.createSymbolicLink(pack.resolve("templates/link.txt"), outside);
    packYaml("  s: {template: templates/link.txt}\n");

    // when / then
    assertThatThrownBy(() -> PackLoader.load(pack))
        .hasMessageContaining("strategies.s.template: templates/link.txt resolves outside the pack folder");
  }

  @Test
  void should_refuse_seeds_outside_the_pack_folder() throws IOException {
    // given
    Files.writeString(dir.resolve("other.jsonl"), "{\"text\": \"hello there\", \"label\": \"a\"}\n");
    Files.writeString(pack.resolve("pack.yaml"),
        "system_prompt: s\nlabels: {a: first}\nseeds: ../../other.jsonl\nstrategies:\n  s: {template: templates/t.txt}\n");

    // when / then
    assertThatThrownBy(() -> PackLoader.load(pack))
        .hasMessageContaining("pack.yaml: seeds: ../../other.jsonl resolves outside the pack folder");
  }

  @Test
  void should_read_outside_paths_when_the_pipeline_allows_them() throws IOException {
    // given
    Files.writeString(dir.resolve("shared.txt"), "Shared template for {{label}}\n");
    packYaml("  s: {template: ../../shared.txt}\n");

    // when
    Pack p = PackLoader.load(pack, true);

    // then
    assertThat(p.strategy("s").template().text()).isEqualTo("Shared template for {{label}}\n");
  }

  @Test
  void should_keep_accepting_a_symlinked_pack_folder_whose_files_are_inside_it() throws IOException {
    // given
    packYaml("  s: {template: templates/t.txt}\n");
    Path link = Files.createSymbolicLink(dir.resolve("linked-pack"), pack);

    // when
    Pack p = PackLoader.load(link);

    // then
    assertThat(p.strategies()).extracting(Pack.Strategy::name).containsExactly("s");
  }

  @Test
  void should_name_file_line_and_column_of_a_yaml_syntax_error() throws IOException {
    // given
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\nlabels: {a: first\nstrategies: {}\n");

    // when / then
    assertThatThrownBy(() -> PackLoader.load(pack))
        .hasMessageMatching("(?s).*pack\\.yaml:\\d+:\\d+: not valid YAML: .*");
  }

  @Test
  void should_refuse_a_duplicate_key_in_a_pack() throws IOException {
    // given
    Files.writeString(pack.resolve("pack.yaml"),
        "system_prompt: s\nlabels:\n  a: first\n  a: second\nstrategies:\n  s: {template: templates/t.txt}\n");

    // when / then
    assertThatThrownBy(() -> PackLoader.load(pack))
        .hasMessageContaining("pack.yaml:4:")
        .hasMessageContaining("duplicate key \"a\"");
  }

  @Test
  void should_read_a_student_system_message_and_refuse_an_empty_one() throws IOException {
    // given
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: a long teacher prompt\nstudent_system_message: ' Be brief. '\nlabels: {a: first}\n"
        + "strategies:\n  new_example: {template: templates/t.txt}\n");

    // when / then
    assertThat(PackLoader.load(pack).studentSystemMessage()).isEqualTo("Be brief.");
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\nstudent_system_message: ''\nlabels: {a: first}\n"
        + "strategies:\n  new_example: {template: templates/t.txt}\n");
    assertThatThrownBy(() -> PackLoader.load(pack))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().asString()
            .contains("student_system_message: is empty"));
  }
}
