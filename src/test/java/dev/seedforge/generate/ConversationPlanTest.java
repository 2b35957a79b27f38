package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.seed.Conversation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning and estimating conversation calls of the support-chat pipeline. */
class ConversationPlanTest {
  @TempDir Path dir;

  RunPlan plan() {
    PipelineSpec spec = SpecLoader.load(Path.of("pipelines/support-chat.yaml"), Map.of("XDG_CACHE_HOME", dir.toString()), SpecLoader.Overrides.none());
    return RunPlan.prepareForEstimate(spec);
  }

  @Test
  void should_draw_persona_scenario_system_prompt_and_turns_per_request_the_same_every_time() {
    // when
    List<GenerationRequest> requests = plan().requests();
    List<GenerationRequest> again = plan().requests();

    // then
    assertThat(requests).extracting(GenerationRequest::id).isEqualTo(again.stream().map(GenerationRequest::id).toList());
    Set<String> scenarios = new TreeSet<>();
    for (GenerationRequest r : requests) {
      String user = r.messages().get(1).content();
      assertThat(user).contains(r.setting().get(Conversation.PERSONA), r.setting().get(Conversation.SCENARIO),
          "each with " + r.setting().get(ConversationSetting.TURNS) + " assistant turns");
      assertThat(ConversationSetting.turnsAsked(r)).isBetween(2, 4);
      assertThat(r.setting().get(Conversation.SYSTEM)).startsWith("You are");
      scenarios.add(r.setting().get(Conversation.SCENARIO));
    }
    assertThat(scenarios).hasSizeGreaterThan(1);
    // few-shot seed conversations as JSON lines of role and content only
    assertThat(requests.get(0).messages().get(1).content()).contains("\"messages\":[{\"role\":\"user\",\"content\":\"")
        .doesNotContain("\"assistant\":true", "\"user\":true");
    assertThat(requests.get(0).messages().get(0).content()).contains("new conversations as one JSON object");
  }

  @Test
  void should_estimate_output_tokens_in_proportion_to_the_turns_asked() {
    // given
    RunPlan plan = plan();
    int fewest = plan.requests().stream().mapToInt(ConversationSetting::turnsAsked).min().orElseThrow();
    int most = plan.requests().stream().mapToInt(ConversationSetting::turnsAsked).max().orElseThrow();
    assertThat(most).isGreaterThan(fewest);
    List<GenerationRequest> few = plan.requests().stream().filter(r -> ConversationSetting.turnsAsked(r) == fewest).limit(1).toList();
    List<GenerationRequest> many = plan.requests().stream().filter(r -> ConversationSetting.turnsAsked(r) == most).limit(1).toList();

    // when
    long outFew = Estimator.estimate(plan.spec(), plan.seeds(), few).total().outputLow();
    long outMany = Estimator.estimate(plan.spec(), plan.seeds(), many).total().outputLow();

    // then: the reply's few tokens of wrapping aside, the tokens grow with the turns
    assertThat((double) (outMany - 8)).isCloseTo((double) most / fewest * (outFew - 8), org.assertj.core.data.Offset.offset(2.0));
    double perTurn = ConversationSetting.tokensPerTurn(plan.seeds(), TokenCounter.forModel("gpt-4o-mini"));
    assertThat(perTurn).isBetween(40.0, 200.0);
    assertThat(ConversationSetting.describe(plan.requests(), plan.seeds(), plan.spec())).hasValueSatisfying(line ->
        assertThat(line).startsWith("  conversations: 6 calls x 3 = 18 conversations of " + fewest + " to " + most + " assistant turns"));
    assertThat(outFew).isEqualTo(Math.round(perTurn * fewest * plan.spec().generation().examplesPerCall()) + 8);
  }
}
