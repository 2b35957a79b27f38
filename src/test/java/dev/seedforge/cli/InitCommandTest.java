package dev.seedforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.prompt.Pack;
import dev.seedforge.prompt.PackLoader;
import dev.seedforge.prompt.PackScaffold;
import dev.seedforge.seed.TaskType;
import dev.seedforge.testing.Schemas;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seedforge init}: a new domain's files pass the loaders and the schemas, and estimate runs on them as written. */
class InitCommandTest {
  static final Path CLINC = Path.of("../shared/data/clinc150/data_full.json");
  static final List<String> INTENTS = List.of("transfer", "balance", "freeze_account", "report_fraud", "pin_change");

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Eight real CLINC150 training queries for each of five banking intents, as a CSV with a header. */
  Path clincCsv() throws IOException {
    JsonNode train = Json.mapper().readTree(CLINC.toFile()).path("train");
    Map<String, Integer> taken = new LinkedHashMap<>();
    List<Map<String, String>> rows = new ArrayList<>();
    for (JsonNode pair : train) {
      String intent = pair.get(1).asText();
      if (INTENTS.contains(intent) && taken.merge(intent, 1, Integer::sum) <= 8) {
        rows.add(Map.of("text", pair.get(0).asText(), "label", intent));
      }
    }
    Path csv = dir.resolve("banking-seeds.csv");
    CsvSchema schema = CsvSchema.builder().addColumn("text").addColumn("label").build().withHeader();
    new CsvMapper().writer(schema).writeValue(csv.toFile(), rows);
    return csv;
  }

  @Test
  void should_scaffold_a_pack_from_a_csv_that_estimate_accepts_without_edits() throws IOException {
    // given real seeds in a CSV
    Path csv = clincCsv();

    // when init scaffolds a domain from them
    Result init = run("init", "banking", "--seeds", csv.toString(), "--dir", dir.toString());

    // then the pack has the seeds' labels, descriptions to fill in, a template per default strategy
    assertThat(init.code()).as(init.err()).isZero();
    Path packDir = dir.resolve("prompts/banking");
    Pack pack = PackLoader.load(packDir);
    assertThat(pack.task()).isEqualTo(TaskType.CLASSIFICATION);
    assertThat(pack.labels().keySet()).containsExactlyInAnyOrderElementsOf(INTENTS);
    assertThat(pack.labels().values()).containsOnly(PackScaffold.DESCRIBE);
    assertThat(pack.strategies()).extracting(Pack.Strategy::name).containsExactly("new_example", "paraphrase");
    assertThat(Files.readAllBytes(packDir.resolve("seeds.csv"))).isEqualTo(Files.readAllBytes(csv));
    // and it prints the next two commands
    Path pipeline = dir.resolve("pipelines/banking.yaml");
    assertThat(init.out()).contains("./seedforge estimate " + SpecLoader.display(pipeline), "./seedforge run " + SpecLoader.display(pipeline));
    // and both files pass their schema
    assertThat(Schemas.fields(Schemas.validate(Schemas.PACK, packDir.resolve("pack.yaml")))).isEmpty();
    assertThat(Schemas.fields(Schemas.validate(Schemas.PIPELINE, pipeline))).isEmpty();
    // and estimate runs on them as written
    Result estimate = run("estimate", pipeline.toString());
    assertThat(estimate.code()).as(estimate.err()).isZero();
    assertThat(estimate.out()).contains("seedforge estimate: banking").contains("transfer").contains("total");
  }

  @Test
  void should_refuse_to_overwrite_a_domain_that_exists() throws IOException {
    assertThat(run("init", "banking", "--seeds", clincCsv().toString(), "--dir", dir.toString()).code()).isZero();
    Path pack = dir.resolve("prompts/banking/pack.yaml");
    Files.writeString(pack, Files.readString(pack).replace(PackScaffold.DESCRIBE, "Edited by hand."));

    Result again = run("init", "banking", "--dir", dir.toString());

    assertThat(again.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(again.err()).contains("prompts/banking: already exists; init never overwrites")
        .contains("pipelines/banking.yaml: already exists");
    assertThat(Files.readString(pack)).contains("Edited by hand.");
  }

  @Test
  void should_scaffold_an_instruction_pack_from_instruction_seeds() throws IOException {
    Result init = run("init", "tasks", "--seeds", "prompts/self-instruct/seeds.jsonl", "--dir", dir.toString());

    assertThat(init.code()).as(init.err()).isZero();
    Pack pack = PackLoader.load(dir.resolve("prompts/tasks"));
    assertThat(pack.task()).isEqualTo(TaskType.INSTRUCTION);
    assertThat(pack.labels().keySet()).containsExactly("generation", "classification");
    assertThat(pack.strategies()).extracting(Pack.Strategy::name).containsExactly("new_task");
    assertThat(Schemas.fields(Schemas.validate(Schemas.PACK, dir.resolve("prompts/tasks/pack.yaml")))).isEmpty();
    assertThat(run("estimate", dir.resolve("pipelines/tasks.yaml").toString()).code()).isZero();
  }

  @Test
  void should_scaffold_an_instruction_pack_without_labels_when_the_seeds_have_none() throws IOException {
    Path seeds = dir.resolve("tasks.jsonl");
    Files.writeString(seeds, "{\"instruction\": \"Name three primary colours.\", \"input\": \"\", \"output\": \"Red, yellow and blue.\"}\n"
        + "{\"instruction\": \"Reverse the word.\", \"input\": \"stressed\", \"output\": \"desserts\"}\n");

    Result init = run("init", "plain", "--seeds", seeds.toString(), "--dir", dir.toString());

    assertThat(init.code()).as(init.err()).isZero();
    Pack pack = PackLoader.load(dir.resolve("prompts/plain"));
    assertThat(pack.task()).isEqualTo(TaskType.INSTRUCTION);
    assertThat(pack.labels()).isEmpty();
    assertThat(Files.readString(dir.resolve("prompts/plain/templates/new_task.txt"))).doesNotContain("{{label}}").doesNotContain("Kinds of task");
    assertThat(Schemas.fields(Schemas.validate(Schemas.PACK, dir.resolve("prompts/plain/pack.yaml")))).isEmpty();
    assertThat(run("estimate", dir.resolve("pipelines/plain.yaml").toString()).code()).isZero();
  }

  @Test
  void should_write_placeholder_seeds_without_a_seeds_file() throws IOException {
    Result init = run("init", "fresh", "--dir", dir.toString());

    assertThat(init.code()).as(init.err()).isZero();
    assertThat(init.out()).contains("replace the placeholder seeds");
    assertThat(PackLoader.load(dir.resolve("prompts/fresh")).labels()).containsKeys("first_label", "second_label");
    assertThat(Schemas.fields(Schemas.validate(Schemas.PACK, dir.resolve("prompts/fresh/pack.yaml")))).isEmpty();
    assertThat(run("estimate", dir.resolve("pipelines/fresh.yaml").toString()).code()).isZero();
  }

  @Test
  void should_name_the_bad_argument() {
    Result task = run("init", "x", "--task", "regression", "--dir", dir.toString());
    assertThat(task.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(task.err()).contains("--task: expected classification or instruction, got \"regression\"");

    Result name = run("init", "a b", "--dir", dir.toString());
    assertThat(name.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(name.err()).contains("DOMAIN: use letters, digits");

    Result seeds = run("init", "x", "--seeds", dir.resolve("none.csv").toString(), "--dir", dir.toString());
    assertThat(seeds.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(seeds.err()).contains("none.csv: no such seeds file");
    assertThat(dir.resolve("prompts")).doesNotExist();
  }
}
