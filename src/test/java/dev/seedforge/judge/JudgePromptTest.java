package dev.seedforge.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.prompt.Pack;
import dev.seedforge.prompt.PackLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The judge's prompt: static prefix first, candidates numbered after it, and the intended label never shown when relabelling. */
class JudgePromptTest {
  static final Pack PACK = PackLoader.load(Path.of("prompts/customer-support"));
  static final GenerationRequest.Params PARAMS =
      new GenerationRequest.Params("openai", "http://localhost:1/v1", "gpt-4o-mini", 0, 1, 1232, 20, "json_object", 42);

  static PipelineSpec.Judge judge(boolean rubric, boolean relabel) {
    return new PipelineSpec.Judge(true, null, null, null, 20, rubric, relabel, 3, PipelineSpec.OnDisagreement.REJECT, 0, null);
  }

  static Candidate candidate(String text, String label) {
    return Candidate.of(label, Map.of("text", text), new Candidate.Provenance(List.of(), "new_example", "t", "openai", "m", "r-" + text, 0), 0);
  }

  @Test
  void should_put_the_rubric_and_the_labels_in_one_system_message_shared_by_every_batch() {
    JudgePrompt prompt = new JudgePrompt(PACK, judge(true, true), PARAMS);

    GenerationRequest a = prompt.request(List.of(candidate("Where is my parcel?", "order_status")), 0);
    GenerationRequest b = prompt.request(List.of(candidate("I was charged twice", "billing_charge"), candidate("Cancel it", "cancel_order")), 0);

    assertThat(a.messages().get(0).content()).isEqualTo(b.messages().get(0).content()).startsWith(JudgePrompt.OPENING)
        .contains("from 1 (worst) to 5 (best)")
        .contains("- damaged_item: Reports that a received item arrived broken")
        .contains("\"verdicts\"");
    assertThat(b.messages().get(1).content()).isEqualTo("Candidates:\n[1] I was charged twice\n[2] Cancel it");
    assertThat(b.seedIds()).hasSize(2);
  }

  @Test
  void should_never_show_the_intended_label_of_a_candidate() {
    JudgePrompt prompt = new JudgePrompt(PACK, judge(false, true), PARAMS);

    GenerationRequest r = prompt.request(List.of(candidate("I want my money back for the blender", "return_refund")), 0);

    assertThat(r.messages().get(1).content()).doesNotContain("return_refund");
    assertThat(r.label()).isNull();
    assertThat(r.messages().get(0).content()).doesNotContain("(worst)");
  }

  @Test
  void should_key_verdicts_by_the_question_asked() {
    JudgePrompt rubric = new JudgePrompt(PACK, judge(true, false), PARAMS);
    JudgePrompt both = new JudgePrompt(PACK, judge(true, true), PARAMS);

    assertThat(rubric.verdictId("c1")).isEqualTo(new JudgePrompt(PACK, judge(true, false), PARAMS).verdictId("c1"))
        .isNotEqualTo(both.verdictId("c1")).isNotEqualTo(rubric.verdictId("c2"));
  }
}
