package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.Problems;
import dev.seedforge.format.FormatCatalog;
import dev.seedforge.format.FormatSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example pipeline, offline (3 variants per seed, to stay fast), writing every format at once (Azure BOM on the chat files). */
class FormatsEndToEndTest {
  @TempDir static Path out;
  static Runner.Outcome outcome;

  static PipelineSpec withOutput(PipelineSpec s, PipelineSpec.Split split, PipelineSpec.Output o) {
    return new PipelineSpec(s.name(), s.sourceFile(), s.specHash(), s.packDir(), s.packAllowOutsidePaths(), s.seedsFile(), s.seed(), s.llm(),
        s.generation(), new PipelineSpec.Lexical(3, s.lexical().synonymRate(), s.lexical().insertRate(), s.lexical().swapRate(), s.lexical().deleteRate()),
        s.quality(), s.dedup(), s.targets(), split, o);
  }

  /** The formats of one answer per record: a preference format needs a preference pack (PreferenceEndToEndTest). */
  static final List<String> SINGLE_ANSWER_KINDS =
      FormatSpec.KINDS.stream().filter(k -> !dev.seedforge.format.PreferenceRecords.KINDS.contains(k)).toList();

  @BeforeAll
  static void runAllFormats() throws IOException {
    PipelineSpec base = PipelineEndToEndTest.spec("lexical", null, out);
    Problems p = new Problems("test");
    List<FormatSpec> all = FormatCatalog.load(SINGLE_ANSWER_KINDS, Path.of("templates"), p, "output.formats");
    assertThat(p.all()).isEmpty();
    PipelineSpec spec = withOutput(base, new PipelineSpec.Split(0.1, 0.1, "all", true, List.of(0.25, 0.5, 100.0)), new PipelineSpec.Output(out.toString(), base.output().systemMessage(), true, all, true));
    outcome = PipelineEndToEndTest.run(spec);
  }

  @Test
  void should_write_one_folder_per_format_with_the_same_records() throws IOException {
    long train = outcome.manifest().path("stages").path("train").path("total").asLong();
    assertThat(train).isPositive();
    for (String kind : SINGLE_ANSWER_KINDS) {
      Path f = out.resolve(kind).resolve("train.jsonl");
      assertThat(Files.readAllLines(f, StandardCharsets.UTF_8)).as(kind).hasSize((int) train);
      assertThat(out.resolve(kind).resolve("validation.jsonl")).exists();
      assertThat(Files.readAllLines(out.resolve(kind).resolve("test.jsonl"))).as(kind)
          .hasSize(outcome.manifest().path("stages").path("test").path("total").asInt()).isNotEmpty();
    }
    assertThat(out.resolve("train.jsonl")).doesNotExist();
  }

  @Test
  void should_write_the_azure_chat_files_with_a_bom_and_no_others() throws IOException {
    byte[] chat = Files.readAllBytes(out.resolve("openai-chat/train.jsonl"));
    byte[] alpaca = Files.readAllBytes(out.resolve("alpaca/train.jsonl"));
    assertThat(chat).startsWith((byte) 0xEF, (byte) 0xBB, (byte) 0xBF);
    assertThat(alpaca[0]).isEqualTo((byte) '{');
  }

  @Test
  void should_record_the_chosen_separator_and_stop_in_the_manifest() throws IOException {
    JsonNode pc = outcome.manifest().path("formats").path("prompt-completion");
    assertThat(pc.path("separator").asText()).isEqualTo("\n\n###\n\n");
    assertThat(pc.path("stop").asText()).isEqualTo("\n");
    assertThat(outcome.manifest().path("formats").path("openai-chat").path("utf8_bom").asBoolean()).isTrue();
    assertThat(outcome.manifest().path("files").has("alpaca/train.jsonl")).isTrue();
    String line = Files.readAllLines(out.resolve("prompt-completion/train.jsonl")).get(0);
    JsonNode rec = dev.seedforge.util.Json.mapper().readTree(line);
    assertThat(rec.path("prompt").asText()).endsWith("\n\n###\n\n");
    assertThat(rec.path("completion").asText()).startsWith(" ").endsWith("\n");
  }

  @Test
  void should_write_files_that_validate_passes_in_every_format() throws IOException {
    dev.seedforge.format.ModelLimits.Model model = dev.seedforge.format.ModelLimits.load().find("gpt-4o-mini");
    for (String kind : SINGLE_ANSWER_KINDS) {
      dev.seedforge.format.Validator.Report r =
          dev.seedforge.format.Validator.validate(Files.readAllBytes(out.resolve(kind).resolve("train.jsonl")), kind, model);
      assertThat(r.issues()).as(kind).isEmpty();
      assertThat(r.examples()).as(kind).isEqualTo(outcome.manifest().path("stages").path("train").path("total").asInt());
      assertThat(cliExitCode(out.resolve(kind).resolve("train.jsonl"))).as(kind).isZero();
    }
  }

  static int cliExitCode(Path file) {
    return dev.seedforge.cli.Main.execute("validate", file.toString());
  }

  @Test
  void should_write_nested_stratified_learning_curve_subsets() throws IOException {
    Path dir = out.resolve("openai-chat");
    List<String> quarter = Files.readAllLines(dir.resolve("train-0.25.jsonl"));
    List<String> half = Files.readAllLines(dir.resolve("train-0.5.jsonl"));
    List<String> hundred = Files.readAllLines(dir.resolve("train-100.jsonl"));
    List<String> train = Files.readAllLines(dir.resolve("train.jsonl"));
    String bom = "\uFEFF";
    java.util.function.Function<List<String>, java.util.Set<String>> set = l -> new java.util.HashSet<>(l.stream().map(x -> x.replace(bom, "")).toList());

    assertThat(quarter).hasSize((int) Math.round(train.size() * 0.25));
    assertThat(half).hasSize((int) Math.round(train.size() * 0.5));
    assertThat(hundred).hasSize(100);
    assertThat(set.apply(half)).containsAll(set.apply(quarter));
    assertThat(set.apply(hundred)).containsAll(set.apply(quarter));
    // the smaller of the two is in the larger (split groups leave train under 200 records here)
    assertThat(set.apply(half.size() >= hundred.size() ? half : hundred)).containsAll(set.apply(half.size() >= hundred.size() ? hundred : half));
    assertThat(set.apply(train)).containsAll(set.apply(half));
    java.util.Map<String, Long> perLabel = new java.util.TreeMap<>();
    for (String l : quarter) {
      JsonNode m = dev.seedforge.util.Json.mapper().readTree(l.replace(bom, "")).path("messages");
      perLabel.merge(m.get(m.size() - 1).path("content").asText(), 1L, Long::sum);
    }
    assertThat(perLabel).hasSize(10);
    assertThat(java.util.Collections.max(perLabel.values()) - java.util.Collections.min(perLabel.values())).isLessThanOrEqualTo(2);
  }

  @Test
  void should_add_the_bias_section_to_the_manifest_and_remove_its_work_file() {
    JsonNode bias = outcome.manifest().path("bias");
    JsonNode after = bias.at("/label_distribution/after_balance");
    assertThat(after.size()).isEqualTo(10);
    long kept = 0;
    for (JsonNode n : after) {
      kept += n.asLong();
    }
    JsonNode stages = outcome.manifest().path("stages");
    assertThat(kept).isEqualTo(stages.at("/train/total").asLong() + stages.at("/validation/total").asLong() + stages.at("/test/total").asLong());
    assertThat(bias.at("/label_distribution/before_balance").size()).isEqualTo(10);
    assertThat(bias.at("/length_tokens/per_label").size()).isEqualTo(10);
    assertThat(bias.at("/diversity/generated/distinct_1").asDouble()).isBetween(0.0, 1.0).isPositive();
    assertThat(bias.at("/diversity/seeds/records").asLong()).isPositive();
    assertThat(out.resolve(SeedforgePipeline.FINAL)).doesNotExist();
  }
}
