package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.prompt.Pack;
import dev.seedforge.prompt.PackLoader;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.SeedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestPlannerTest {
  @TempDir Path dir;
  Pack pack;
  List<Seed> seeds;

  @BeforeEach
  void setUp() throws IOException {
    Path p = dir.resolve("prompts/p");
    Files.createDirectories(p.resolve("templates"));
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      s.append("{\"text\":\"billing question number ").append(i).append("\",\"label\":\"billing\"}\n");
      s.append("{\"text\":\"shipping question number ").append(i).append("\",\"label\":\"shipping\"}\n");
    }
    Files.writeString(p.resolve("seeds.jsonl"), s);
    Files.writeString(p.resolve("templates/new.txt"), "Write {{n}} messages for {{label}} ({{label_description}}).\n<examples>\n{{examples}}\n</examples>\n");
    Files.writeString(p.resolve("templates/para.txt"), "Rewrite this message {{n}} ways.\n<seed>{{seed}}</seed>\n");
    Files.writeString(p.resolve("pack.yaml"),
        "domain: shop\nsystem_prompt: You write customer messages.\nlabels:\n  billing: about money\n  shipping: about parcels\n"
            + "strategies:\n  new_example: {template: templates/new.txt}\n  paraphrase: {basis: seed, template: templates/para.txt}\n");
    pack = PackLoader.load(p);
    seeds = SeedReader.read(p.resolve("seeds.jsonl"), pack.task());
  }

  private PipelineSpec spec(long seed) throws IOException {
    Path f = Files.createDirectories(dir.resolve("pipelines")).resolve("x.yaml");
    Files.writeString(f, "pack: ../prompts/p\nseed: " + seed + "\ngeneration: {calls_per_label: 3, examples_per_call: 4, few_shot: 2}\n");
    return SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());
  }

  @Test
  void should_plan_label_times_strategy_times_sample_with_unique_ids() throws IOException {
    List<GenerationRequest> plan = new RequestPlanner(pack, spec(1), "openai", seeds).plan();

    assertThat(plan).hasSize(2 * 2 * 3);
    assertThat(plan).extracting(GenerationRequest::id).doesNotHaveDuplicates();
    assertThat(plan).filteredOn(r -> r.label().equals("billing")).hasSize(6);
  }

  @Test
  void should_be_deterministic_from_the_pipeline_seed() throws IOException {
    List<GenerationRequest> a = new RequestPlanner(pack, spec(1), "openai", seeds).plan();
    List<GenerationRequest> b = new RequestPlanner(pack, spec(1), "openai", seeds).plan();
    List<GenerationRequest> c = new RequestPlanner(pack, spec(2), "openai", seeds).plan();

    assertThat(a).isEqualTo(b);
    assertThat(a.stream().map(GenerationRequest::id).toList()).isNotEqualTo(c.stream().map(GenerationRequest::id).toList());
  }

  @Test
  void should_put_the_identical_system_message_first_and_few_shot_seeds_of_the_same_label() throws IOException {
    List<GenerationRequest> plan = new RequestPlanner(pack, spec(1), "openai", seeds).plan();

    assertThat(plan).extracting(r -> r.messages().get(0)).allSatisfy(m -> {
      assertThat(m.role()).isEqualTo("system");
      assertThat(m.content()).startsWith("You write customer messages.").contains("Return exactly 4 new examples");
    });
    assertThat(plan.stream().map(r -> r.messages().get(0)).distinct()).hasSize(1);
    GenerationRequest billing = plan.stream().filter(r -> r.label().equals("billing") && r.strategy().equals("new_example")).findFirst().orElseThrow();
    String user = billing.messages().get(1).content();
    assertThat(user).startsWith("Write 4 messages for billing (about money).").contains("{\"text\":\"billing question number").doesNotContain("shipping question");
    assertThat(billing.seedIds()).hasSize(2);
  }

  @Test
  void should_rotate_the_focus_seed_of_seed_based_strategies() throws IOException {
    List<GenerationRequest> plan = new RequestPlanner(pack, spec(1), "openai", seeds).plan();

    List<String> focus = plan.stream().filter(r -> r.strategy().equals("paraphrase") && r.label().equals("billing")).map(r -> r.seedIds().get(0)).toList();
    assertThat(focus).hasSize(3).doesNotHaveDuplicates();
  }

  @Test
  void should_check_the_prompts_of_a_top_up_round_before_they_are_sent() throws IOException {
    // given: a limit the first round's prompts fit, then a label whose seeds grew past it
    Path f = Files.createDirectories(dir.resolve("pipelines")).resolve("x.yaml");
    Files.writeString(f, "pack: ../prompts/p\nllm: {max_prompt_tokens: 400}\ngeneration: {calls_per_label: 1, few_shot: 2}\n");
    PipelineSpec spec = SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());
    assertThat(new RequestPlanner(pack, spec, "openai", seeds).plan()).isNotEmpty();
    List<Seed> grown = new java.util.ArrayList<>(seeds);
    grown.add(Seed.of("billing", Map.of("text", "refund ".repeat(500)), "s", 99));
    RequestPlanner planner = new RequestPlanner(pack, spec, "openai", grown);

    // when / then
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> planner.planLabel("billing", 1, 5, 4))
        .hasMessageContaining("llm.max_prompt_tokens: the prompts of label billing, strategy ")
        .hasMessageContaining("more than llm.max_prompt_tokens (400)");
  }

  @Test
  void should_count_the_prompts_whose_bytes_pass_the_limit_and_accept_those_whose_tokens_fit() throws IOException {
    // given a limit below the bytes of a label's prompts (long words: many bytes, few tokens) but above their tokens
    Path f = Files.createDirectories(dir.resolve("pipelines")).resolve("y.yaml");
    Files.writeString(f, "pack: ../prompts/p\nllm: {max_prompt_tokens: 400}\ngeneration: {calls_per_label: 1, few_shot: 2}\n");
    PipelineSpec spec = SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());
    List<Seed> grown = new java.util.ArrayList<>(seeds);
    grown.add(Seed.of("billing", Map.of("text", "internationalization ".repeat(30)), "s", 99));

    // when the round is planned
    List<GenerationRequest> plan = new RequestPlanner(pack, spec, "openai", grown).planLabel("billing", 1, 0, 6);

    // then some prompt needed its count (its bytes pass 400), and every one fits in tokens, so none was refused
    TokenCounter counter = TokenCounter.forModel(spec.llm().model());
    assertThat(plan).anyMatch(r -> TokenCounter.promptTokensAtMost(r.messages()) > 400);
    assertThat(plan).allMatch(r -> counter.promptTokens(r.messages()) <= 400);
  }
}
