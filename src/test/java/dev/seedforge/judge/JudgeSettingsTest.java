package dev.seedforge.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.prompt.Pack;
import dev.seedforge.prompt.PackLoader;
import dev.seedforge.seed.TaskType;
import dev.seedforge.testing.SpecFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judge section of a pipeline file and the judge rubric of a pack: defaults, overrides, and problems named by field. */
class JudgeSettingsTest {
  @TempDir Path dir;
  SpecFixture fixture;

  @BeforeEach
  void setUp() throws IOException {
    fixture = new SpecFixture(dir);
  }

  @Test
  void should_leave_the_judge_off_by_default() throws IOException {
    PipelineSpec spec = fixture.load("");

    assertThat(spec.judge().enabled()).isFalse();
    assertThat(JudgePlan.on(spec)).isFalse();
  }

  @Test
  void should_take_the_generators_llm_settings_unless_the_judge_section_overrides_them() throws IOException {
    // given
    PipelineSpec spec = fixture.load("llm: {model: gpt-4o, base_url: http://localhost:8000/v1, concurrency: 3}\n"
        + "judge: {enabled: true, model: gpt-4o-mini, mode: [rubric, relabel], batch_size: 25, threshold: 4, on_disagreement: report}\n");

    // when
    PipelineSpec.Llm judge = JudgePlan.llm(spec);

    // then
    assertThat(judge.model()).isEqualTo("gpt-4o-mini");
    assertThat(judge.baseUrl()).isEqualTo("http://localhost:8000/v1");
    assertThat(judge.concurrency()).isEqualTo(3);
    assertThat(judge.maxTokens()).isEqualTo(25 * PipelineSpec.Judge.TOKENS_PER_VERDICT + 32);
    assertThat(spec.judge().rubric()).isTrue();
    assertThat(spec.judge().relabel()).isTrue();
    assertThat(spec.judge().threshold()).isEqualTo(4);
    assertThat(spec.judge().onDisagreement()).isEqualTo(PipelineSpec.OnDisagreement.REPORT);
  }

  @Test
  void should_name_every_bad_judge_field() throws IOException {
    assertThatThrownBy(() -> fixture.load("judge: {enabled: true, mode: [vibes], batch_size: 0, on_disagreement: ignore, api_key: sk-x}\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).endsWith("x.yaml: judge.mode: expected rubric, relabel or both ([rubric, relabel]), got \"vibes\""))
            .anySatisfy(p -> assertThat(p).contains("judge.batch_size"))
            .anySatisfy(p -> assertThat(p).contains("judge.on_disagreement: expected reject, report or consensus, got \"ignore\""))
            .anySatisfy(p -> assertThat(p).contains("judge.api_key: keys never go in pipeline files")));
  }

  @Test
  void should_refuse_relabelling_an_instruction_pack_and_a_threshold_off_the_scale() throws IOException {
    // given
    Files.writeString(dir.resolve("prompts/p/pack.yaml"), "system_prompt: x\ntask: instruction\njudge: {scale: {min: 1, max: 10}}\n"
        + "strategies: {s: {template: t.txt}}\n");
    Files.writeString(dir.resolve("prompts/p/t.txt"), "Write {{n}} tasks.");
    Files.writeString(dir.resolve("prompts/p/seeds.jsonl"), "");
    PipelineSpec spec = fixture.load("llm: {base_url: http://localhost:1/v1}\njudge: {enabled: true, mode: [rubric, relabel], threshold: 11}\n");
    Pack pack = PackLoader.load(dir.resolve("prompts/p"));

    // when / then
    assertThatThrownBy(() -> JudgePlan.check(spec, pack, Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("judge.mode: relabel needs a classification pack with labels").contains("use mode: rubric"))
            .anySatisfy(p -> assertThat(p).contains("judge.threshold: 11.0 is outside the rubric's scale 1 to 10")));
  }

  @Test
  void should_ask_for_the_judges_key_when_it_calls_openai() throws IOException {
    PipelineSpec spec = fixture.load("judge: {enabled: true, api_key_env: JUDGE_KEY}\n");
    Pack pack = new Pack(dir.toString(), "d", TaskType.CLASSIFICATION, "", "x", Map.of("a", "A"), "s.jsonl", java.util.List.of());

    assertThatThrownBy(() -> JudgePlan.check(spec, pack, Map.of()))
        .hasMessageContaining("judge: environment variable JUDGE_KEY is not set");
    JudgePlan.check(spec, pack, Map.of("JUDGE_KEY", "sk-test"));
  }

  @Test
  void should_read_a_packs_judge_rubric_and_default_it_per_task() throws IOException {
    // given
    Files.writeString(dir.resolve("prompts/p/pack.yaml"), "system_prompt: x\nlabels: {a: A}\nstrategies: {s: {template: t.txt}}\n"
        + "judge:\n  criteria: [Sounds like a real customer., Exactly one intent.]\n  scale: {min: 0, max: 10}\n");
    Files.writeString(dir.resolve("prompts/p/t.txt"), "Write {{n}} messages.");
    Files.writeString(dir.resolve("prompts/p/seeds.jsonl"), "");

    // when
    Pack pack = PackLoader.load(dir.resolve("prompts/p"));

    // then
    assertThat(pack.judge()).isEqualTo(new Pack.Rubric(java.util.List.of("Sounds like a real customer.", "Exactly one intent."), 0, 10));
    assertThat(Pack.Rubric.defaultFor(TaskType.INSTRUCTION).criteria()).first().asString().contains("instruction");
  }

  @Test
  void should_name_a_bad_rubric_scale() throws IOException {
    Files.writeString(dir.resolve("prompts/p/pack.yaml"), "system_prompt: x\nlabels: {a: A}\nstrategies: {s: {template: t.txt}}\n"
        + "judge: {scale: {min: 5, max: 5}, critera: [x]}\n");
    Files.writeString(dir.resolve("prompts/p/t.txt"), "Write {{n}} messages.");
    Files.writeString(dir.resolve("prompts/p/seeds.jsonl"), "");

    assertThatThrownBy(() -> PackLoader.load(dir.resolve("prompts/p")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("judge.scale: min must be below max, got 5 and 5"))
            .anySatisfy(p -> assertThat(p).contains("judge.critera: unknown key")));
  }
}
