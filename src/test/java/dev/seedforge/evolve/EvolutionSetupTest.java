package dev.seedforge.evolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.ExitCodes;
import dev.seedforge.cli.Main;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How evolution is planned, refused, estimated and skipped offline, before any call. */
class EvolutionSetupTest {
  @TempDir Path dir;

  private static final Path EVOL = Path.of("pipelines/self-instruct-evol.yaml");

  @Test
  void should_plan_one_rewrite_per_parent_with_an_operation_drawn_from_the_seed() {
    // given the shipped pipeline planned for a model
    PipelineSpec spec = SpecLoader.load(EVOL, Map.of(), SpecLoader.Overrides.none());

    RunPlan plan = RunPlan.prepareForEstimate(spec);

    // then depth 1 rewrites evolution.tasks_per_round seeds, each once
    List<dev.seedforge.generate.GenerationRequest> rewrites = plan.requests().stream().filter(r -> r.evolving() != null).toList();
    assertThat(rewrites).hasSize(40);
    assertThat(rewrites).allSatisfy(r -> {
      assertThat(r.evolving().step().depth()).isEqualTo(1);
      assertThat(r.seedIds()).containsExactly(r.evolving().step().parentId());
      assertThat(r.messages().get(1).content()).contains("{\"instruction\":" + Json.write(r.evolving().parent().get("instruction")));
    });
    assertThat(rewrites.stream().map(r -> r.evolving().step().parentId()).distinct()).hasSize(40);
    assertThat(rewrites.stream().map(r -> r.evolving().step().operation()).distinct().count()).as("operations vary").isGreaterThan(2);
    assertThat(RunPlan.prepareForEstimate(spec).requests()).as("the same plan every time").isEqualTo(plan.requests());
  }

  @Test
  void should_skip_evolution_and_novelty_offline_saying_so() {
    PipelineSpec spec = SpecLoader.load(EVOL, Map.of(), SpecLoader.Overrides.none());

    RunPlan plan = RunPlan.prepare(spec, Map.of());

    assertThat(plan.usesLlm()).isFalse();
    assertThat(plan.requests()).isEmpty();
    assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("evolution").contains("skipped offline"))
        .anySatisfy(w -> assertThat(w).contains("self_instruct.novelty_rouge_l").contains("not applied offline"));
  }

  @Test
  void should_run_an_evolving_pipeline_offline_without_evolution_or_a_key() throws IOException {
    // given a few seeds of the Self-Instruct pack and evolution on
    List<String> seeds = Files.readAllLines(Path.of("prompts/self-instruct/seeds.jsonl")).subList(0, 12);
    Files.write(dir.resolve("seeds.jsonl"), seeds);
    Path pipeline = dir.resolve("p.yaml");
    Files.writeString(pipeline, String.join("\n",
        "pack: " + Path.of("prompts/self-instruct").toAbsolutePath(),
        "seeds: seeds.jsonl",
        "llm: {provider: auto, base_url: \"\"}",
        "lexical: {variants_per_seed: 2}",
        "quality: {embeddings: false}",
        "evolution: {rounds: 2}",
        "self_instruct: {novelty_rouge_l: 0.7, few_shot_generated_share: 0.25}",
        "output: {dir: out}",
        ""));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "run", pipeline.toString());

    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
    JsonNode m = Json.mapper().readTree(dir.resolve("out/manifest.json").toFile());
    assertThat(m.path("evolution").isMissingNode()).isTrue();
    assertThat(m.path("rejections").path("by_filter").path("novelty/not_novel").isMissingNode()).isTrue();
    assertThat(m.path("warnings").toString()).contains("skipped offline");
    assertThat(Files.readAllLines(dir.resolve("out/train.jsonl"))).isNotEmpty();
  }

  @Test
  void should_refuse_evolution_the_pack_has_no_prompts_for_naming_both_files() throws IOException {
    Path pipeline = dir.resolve("p.yaml");
    Files.writeString(pipeline, "pack: " + Path.of("prompts/customer-support").toAbsolutePath() + "\nevolution: {rounds: 2}\n");
    PipelineSpec spec = SpecLoader.load(pipeline, Map.of(), SpecLoader.Overrides.none());

    assertThatThrownBy(() -> RunPlan.prepare(spec, Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("evolution.rounds")
        .hasMessageContaining("pack.yaml has no evolution block");
  }

  @Test
  void should_refuse_more_evolution_rounds_than_the_run_has() throws IOException {
    Path pipeline = dir.resolve("p.yaml");
    Files.writeString(pipeline, "pack: " + Path.of("prompts/self-instruct").toAbsolutePath()
        + "\ngeneration: {max_rounds: 1}\nevolution: {rounds: 2}\n");
    PipelineSpec spec = SpecLoader.load(pipeline, Map.of(), SpecLoader.Overrides.none());

    assertThatThrownBy(() -> RunPlan.prepare(spec, Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("generation.max_rounds is 1; raise generation.max_rounds or lower evolution.rounds");
  }

  @Test
  void should_refuse_an_unknown_operation_in_the_pack_naming_the_known_ones() throws IOException {
    Path pack = dir.resolve("pack");
    Files.createDirectories(pack.resolve("templates"));
    Files.copy(Path.of("prompts/self-instruct/seeds.jsonl"), pack.resolve("seeds.jsonl"));
    Files.writeString(pack.resolve("templates/t.txt"), "Write {{n}} tasks like {{examples}}");
    Files.writeString(pack.resolve("templates/e.txt"), "{{method}} {{task}}");
    Files.writeString(pack.resolve("templates/a.txt"), "Answer {{task}}");
    Files.writeString(pack.resolve("pack.yaml"), String.join("\n", "task: instruction", "system_prompt: s",
        "strategies: {new_task: {template: templates/t.txt}}",
        "evolution: {template: templates/e.txt, answer_template: templates/a.txt, operations: [deepen, widen]}", ""));

    assertThatThrownBy(() -> dev.seedforge.prompt.PackLoader.load(pack))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("evolution.operations: unknown operation \"widen\"; expected some of add_constraints, deepen");
  }

  @Test
  void should_estimate_rounds_times_rewrite_and_answer_calls() {
    StringWriter out = new StringWriter();

    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "estimate", EVOL.toString(), "--no-cache");

    assertThat(code).isEqualTo(ExitCodes.OK);
    // 2 depths x (40 rewrites + 40 answers)
    assertThat(out.toString()).contains("evolution (evolution.rounds 2): depth 1 rewrites 40 tasks").contains("in all at most 160 calls");
  }
}
