package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.seed.Seed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Self-Instruct's few-shot mix of later rounds: a configured share of accepted tasks among the seeds. */
class FewShotMixTest {
  private static List<Seed> tasks(String prefix, int n) {
    List<Seed> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Seed.of("generation", Map.of("instruction", prefix + " task " + i, "input", "", "output", "answer " + i), prefix, i + 1));
    }
    return out;
  }

  @Test
  void should_show_two_generated_tasks_of_eight_as_the_paper_does_the_same_every_time() {
    // given 20 seeds and 10 accepted tasks of the label
    List<Seed> seeds = tasks("seed", 20);
    List<Seed> generated = tasks("generated", 10);
    FewShotMix mix = new FewShotMix(generated, 0.25, 42);

    // when
    List<Seed> shown = mix.examples("generation", "generation|new_task|3", seeds, 8);

    // then
    assertThat(shown).hasSize(8);
    assertThat(shown.stream().filter(generated::contains).count()).isEqualTo(2);
    assertThat(shown.stream().filter(seeds::contains).toList()).containsExactlyInAnyOrderElementsOf(seeds.subList(0, 6));
    assertThat(mix.examples("generation", "generation|new_task|3", seeds, 8)).isEqualTo(shown);
    assertThat(mix.examples("generation", "generation|new_task|4", seeds, 8)).isNotEqualTo(shown);
  }

  @Test
  void should_fill_with_seeds_when_the_label_has_no_accepted_task_yet() {
    List<Seed> seeds = tasks("seed", 5);
    FewShotMix mix = new FewShotMix(tasks("generated", 3), 0.5, 1);

    List<Seed> shown = mix.examples("classification", "k", seeds, 4);

    assertThat(shown).containsExactlyInAnyOrderElementsOf(seeds.subList(0, 4));
  }
}
