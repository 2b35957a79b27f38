package dev.seedforge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.seedforge.prompt.PackLoader;
import dev.seedforge.testing.Schemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * schemas/ and the loaders give the same verdicts: every shipped pipeline and pack file passes
 * both, and every broken fixture fails both, naming the same fields (the ones its first line lists).
 */
class SchemaConsistencyTest {
  static Stream<Path> shippedPipelines() throws IOException {
    return files(Path.of("pipelines"), "*.yaml");
  }

  static Stream<Path> shippedPacks() throws IOException {
    return Files.list(Path.of("prompts")).map(d -> d.resolve("pack.yaml")).filter(Files::isRegularFile).sorted();
  }

  static Stream<Path> brokenPipelines() throws IOException {
    return files(Path.of("src/test/resources/schema/pipeline"), "*.yaml");
  }

  static Stream<Path> brokenPacks() throws IOException {
    return files(Path.of("src/test/resources/schema/pack"), "*.yaml");
  }

  private static Stream<Path> files(Path dir, String glob) throws IOException {
    List<Path> out = new java.util.ArrayList<>();
    try (var s = Files.newDirectoryStream(dir, glob)) {
      s.forEach(out::add);
    }
    return out.stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("shippedPipelines")
  void shipped_pipeline_files_pass_the_schema_and_the_loader(Path file) throws IOException {
    assertThat(Schemas.fields(Schemas.validate(Schemas.PIPELINE, file))).isEmpty();
    assertThat(SpecLoader.load(file, Map.of(), SpecLoader.Overrides.none()).name()).isNotBlank();
  }

  @Test
  void the_readmes_pipeline_reference_with_every_key_passes_the_schema_and_the_loader(@TempDir Path dir) throws IOException {
    // given the README's annotated pipeline file, which names every key the loader takes
    String readme = Files.readString(Path.of("README.md"));
    int section = readme.indexOf("## Pipeline files");
    int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
    String yaml = readme.substring(start, readme.indexOf("```", start));
    Path file = Files.writeString(Files.createDirectories(dir.resolve("pipelines")).resolve("reference.yaml"),
        yaml.replace("../prompts/customer-support", Path.of("prompts/customer-support").toAbsolutePath().toString())
            .replace("../templates", Path.of("templates").toAbsolutePath().toString()));

    // then both accept it
    assertThat(Schemas.fields(Schemas.validate(Schemas.PIPELINE, file))).isEmpty();
    assertThat(SpecLoader.load(file, Map.of(), SpecLoader.Overrides.none()).generation().maxTopupCalls()).isZero();
  }

  @ParameterizedTest
  @MethodSource("shippedPacks")
  void shipped_packs_pass_the_schema_and_the_loader(Path file) throws IOException {
    assertThat(Schemas.fields(Schemas.validate(Schemas.PACK, file))).isEmpty();
    assertThat(PackLoader.load(file.getParent()).strategies()).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("brokenPipelines")
  void broken_pipeline_files_fail_both_naming_the_same_field(Path fixture, @TempDir Path dir) throws IOException {
    // given a fixture copied beside a valid pack, which it reaches through ${PACK}
    Path pack = Files.createDirectories(dir.resolve("pack"));
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: x\n");
    Path file = Files.copy(fixture, dir.resolve(fixture.getFileName()));

    // when both judge it
    var schemaFields = Schemas.fields(Schemas.validate(Schemas.PIPELINE, file));
    InvalidInputException loader = catchThrowableOfType(InvalidInputException.class,
        () -> SpecLoader.load(file, Map.of("PACK", pack.toString()), SpecLoader.Overrides.none()));

    // then both reject it, naming the field the fixture breaks
    assertThat(loader).as("the loader accepted " + fixture).isNotNull();
    assertThat(Schemas.fields(loader, SpecLoader.display(file))).isEqualTo(Schemas.expected(fixture));
    assertThat(schemaFields).isEqualTo(Schemas.expected(fixture));
  }

  @ParameterizedTest
  @MethodSource("brokenPacks")
  void broken_packs_fail_both_naming_the_same_field(Path fixture, @TempDir Path dir) throws IOException {
    // given a fixture as pack.yaml, with the template and seeds it names
    Files.createDirectories(dir.resolve("templates"));
    Files.writeString(dir.resolve("templates/t.txt"), "Write {{n}} examples of {{label}}.\n");
    Files.writeString(dir.resolve("seeds.jsonl"), "{\"text\": \"an example\", \"label\": \"a\"}\n");
    Path file = Files.copy(fixture, dir.resolve("pack.yaml"));

    var schemaFields = Schemas.fields(Schemas.validate(Schemas.PACK, file));
    InvalidInputException loader = catchThrowableOfType(InvalidInputException.class, () -> PackLoader.load(dir));

    assertThat(loader).as("the loader accepted " + fixture).isNotNull();
    assertThat(Schemas.fields(loader, SpecLoader.display(file))).isEqualTo(Schemas.expected(fixture));
    assertThat(schemaFields).isEqualTo(Schemas.expected(fixture));
  }

  @Test
  void shipped_files_name_their_schema_for_the_editor() throws IOException {
    for (Path p : Stream.concat(shippedPipelines(), shippedPacks()).toList()) {
      String schema = p.startsWith("pipelines") ? "pipeline.schema.json" : "pack.schema.json";
      String first = Files.readAllLines(p).get(0);
      assertThat(first).as(p.toString()).startsWith("# yaml-language-server: $schema=").endsWith("schemas/" + schema);
      Path target = p.getParent().resolve(first.substring(first.indexOf('=') + 1)).normalize();
      assertThat(target).as(p + " points at " + target).isRegularFile();
    }
  }

  @Test
  void a_pipeline_that_the_schema_accepts_with_env_values_the_loader_accepts_too(@TempDir Path dir) throws IOException {
    Path pack = Files.createDirectories(dir.resolve("pack"));
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: x\n");
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, "pack: \"${PACK}\"\nllm:\n  temperature: \"${TEMP:-0.5}\"\n  concurrency: \"${CONC:-4}\"\n");

    assertThat(Schemas.fields(Schemas.validate(Schemas.PIPELINE, file))).isEmpty();
    assertThat(SpecLoader.load(file, Map.of("PACK", pack.toString()), SpecLoader.Overrides.none()).llm().concurrency()).isEqualTo(4);
    assertThatThrownBy(() -> SpecLoader.load(file, Map.of("PACK", pack.toString(), "CONC", "x"), SpecLoader.Overrides.none()))
        .isInstanceOf(InvalidInputException.class);
  }
}
