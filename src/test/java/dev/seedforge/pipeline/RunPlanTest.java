package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks RunPlan.prepare makes before any worker starts or any call is paid for. */
class RunPlanTest {
  static final Map<String, String> KEY = Map.of("OPENAI_API_KEY", "sk-test");

  @TempDir Path dir;
  Path pack;

  @BeforeEach
  void setUp() throws IOException {
    pack = Files.createDirectories(dir.resolve("prompts/p"));
    Files.createDirectories(pack.resolve("templates"));
    Files.writeString(pack.resolve("templates/new.txt"), "Write {{n}} messages for {{label}}.\n{{examples}}\n");
    Files.writeString(pack.resolve("templates/para.txt"), "Rewrite {{seed}} {{n}} ways.\n");
  }

  private void packYaml(String labels, String strategies) throws IOException {
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: You write messages.\nlabels: {" + labels + "}\nstrategies:\n" + strategies);
  }

  private void seeds(String... lines) throws IOException {
    Files.writeString(pack.resolve("seeds.jsonl"), String.join("\n", lines) + "\n");
  }

  private PipelineSpec spec(String yaml) throws IOException {
    Path f = Files.createDirectories(dir.resolve("pipelines")).resolve("x.yaml");
    Files.writeString(f, "pack: ../prompts/p\n" + yaml);
    return SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());
  }

  /** A seed of about {@code words} random words: roughly one token a word. */
  private static String longSeed(String label, int words, long seed) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < words; i++) {
      for (int k = 0; k < 3 + r.nextInt(4); k++) {
        b.append((char) ('a' + r.nextInt(26)));
      }
      b.append(' ');
    }
    return "{\"text\": \"" + b.toString().strip() + "\", \"label\": \"" + label + "\"}";
  }

  @Test
  void should_refuse_prompts_over_the_context_window_of_a_known_model_before_any_call() throws IOException {
    // given: gpt-3.5-turbo has 16,385 tokens; five seeds of ~2,500 words each are shown per call
    packYaml("a: first", "  new_example: {template: templates/new.txt}\n");
    seeds(longSeed("a", 2500, 1), longSeed("a", 2500, 2), longSeed("a", 2500, 3), longSeed("a", 2500, 4), longSeed("a", 2500, 5));
    PipelineSpec spec = spec("llm: {model: gpt-3.5-turbo, max_tokens: 1024}\ngeneration: {few_shot: 5, calls_per_label: 2}\n");

    // when / then
    assertThatThrownBy(() -> RunPlan.prepare(spec, KEY))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
            .matches("(?s).*x\\.yaml: llm\\.model: the prompts of label a, strategy new_example have up to [0-9,]+ tokens;"
                + " with llm\\.max_tokens 1,024 that is more than gpt-3\\.5-turbo's context window of 16,385 tokens.*")
            .contains("lower generation.few_shot")));
  }

  @Test
  void should_refuse_prompts_over_llm_max_prompt_tokens_naming_label_strategy_and_count() throws IOException {
    // given: an unknown model (no context window known) but a configured limit
    packYaml("a: first, b: second", "  new_example: {template: templates/new.txt}\n  paraphrase: {basis: seed, template: templates/para.txt}\n");
    seeds(longSeed("a", 50, 1), longSeed("b", 400, 2), longSeed("b", 400, 3));
    PipelineSpec spec = spec("llm: {model: my-local-model, max_prompt_tokens: 600}\ngeneration: {few_shot: 2}\n");

    // when / then
    assertThatThrownBy(() -> RunPlan.prepare(spec, KEY))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .allSatisfy(p -> assertThat(p).contains("x.yaml: llm.max_prompt_tokens: the prompts of label b, strategy "))
            .anySatisfy(p -> assertThat(p).contains("strategy new_example have up to").contains("more than llm.max_prompt_tokens (600)"))
            .noneSatisfy(p -> assertThat(p).contains("label a,")));
  }

  @Test
  void should_accept_prompts_within_the_limits() throws IOException {
    // given
    packYaml("a: first", "  new_example: {template: templates/new.txt}\n");
    seeds(longSeed("a", 50, 1), longSeed("a", 50, 2));
    PipelineSpec spec = spec("llm: {model: gpt-4o-mini, max_prompt_tokens: 600}\n");

    // when
    RunPlan plan = RunPlan.prepare(spec, KEY);

    // then
    assertThat(plan.requests()).isNotEmpty();
  }

  @Test
  void should_warn_about_a_label_without_seeds_when_generation_needs_none() throws IOException {
    // given: offline generation, label b has no seed
    packYaml("a: first, b: second", "  new_example: {template: templates/new.txt}\n");
    seeds("{\"text\": \"hello there\", \"label\": \"a\"}");

    // when
    RunPlan plan = RunPlan.prepare(spec("llm: {provider: lexical}\n"), Map.of());

    // then
    assertThat(plan.warnings()).singleElement().satisfies(w -> assertThat(w)
        .contains("pack.yaml: labels.b: no seed has this label")
        .contains("it gets no generated records"));
  }

  @Test
  void should_refuse_a_label_without_seeds_when_a_label_strategy_shows_few_shot_seeds() throws IOException {
    // given
    packYaml("a: first, b: second", "  new_example: {template: templates/new.txt}\n");
    seeds("{\"text\": \"hello there\", \"label\": \"a\"}");

    // when / then
    assertThatThrownBy(() -> RunPlan.prepare(spec("generation: {few_shot: 3}\n"), KEY))
        .hasMessageContaining("pack.yaml: labels.b: no seed has this label, and strategy new_example shows generation.few_shot (3) seeds of the label in every call;"
            + " add seeds of b to ");
  }

  @Test
  void should_only_warn_when_few_shot_is_zero() throws IOException {
    // given
    packYaml("a: first, b: second", "  new_example: {template: templates/new.txt}\n");
    seeds("{\"text\": \"hello there\", \"label\": \"a\"}");

    // when
    RunPlan plan = RunPlan.prepare(spec("generation: {few_shot: 0}\n"), KEY);

    // then
    assertThat(plan.warnings()).singleElement().satisfies(w -> assertThat(w).contains("labels.b: no seed has this label"));
    assertThat(plan.requests()).anySatisfy(r -> assertThat(r.label()).isEqualTo("b"));
  }

  @Test
  void should_let_the_pipeline_allow_a_pack_template_outside_the_pack_folder() throws IOException {
    // given
    Files.writeString(dir.resolve("shared.txt"), "Write {{n}} for {{label}}.\n{{examples}}\n");
    packYaml("a: first", "  new_example: {template: ../../shared.txt}\n");
    seeds("{\"text\": \"hello there\", \"label\": \"a\"}");

    // when / then
    assertThatThrownBy(() -> RunPlan.prepare(spec("llm: {provider: lexical}\n"), Map.of())).hasMessageContaining("resolves outside the pack folder");
    assertThat(RunPlan.prepare(spec("pack_allow_outside_paths: true\nllm: {provider: lexical}\n"), Map.of()).pack().strategies()).hasSize(1);
  }
}
