package dev.seedforge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.testing.SpecFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The split, targets and subsets sections of a pipeline file. */
class SplitTargetsSpecTest {
  @TempDir Path dir;
  SpecFixture fixture;

  @BeforeEach
  void pack() throws IOException {
    fixture = new SpecFixture(dir);
  }

  private PipelineSpec load(String yaml) throws IOException {
    return fixture.load(yaml);
  }

  @Test
  void should_read_split_fractions_counts_and_evaluation_options() throws IOException {
    PipelineSpec a = load("split: {validation: 0.1, test: 0.15}\n");
    PipelineSpec b = load("split: {validation: 20, test: 10, evaluation: seeds}\n");
    PipelineSpec c = load("split: {seeds_in_evaluation: false}\n");

    assertThat(a.split()).isEqualTo(new PipelineSpec.Split(0.1, 0.15, "all", true));
    assertThat(b.split()).isEqualTo(new PipelineSpec.Split(20, 10, "seeds", true));
    assertThat(c.split()).isEqualTo(new PipelineSpec.Split(0.1, 0, "all", false));
  }

  @Test
  void should_reject_contradictory_or_oversized_splits() {
    assertThatThrownBy(() -> load("split: {validation: 0.5, test: 0.5, evaluation: some, seeds_in_evaluation: false}\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("split: validation + test fractions must stay below 0.9"))
            .anySatisfy(p -> assertThat(p).contains("split.evaluation: expected all or seeds")));
    assertThatThrownBy(() -> load("split: {evaluation: seeds, seeds_in_evaluation: false}\n"))
        .hasMessageContaining("split.seeds_in_evaluation: false contradicts evaluation: seeds");
  }

  @Test
  void should_read_split_group_bounds_with_defaults_and_name_a_bound_out_of_range() throws IOException {
    PipelineSpec defaults = load("split: {validation: 0.1}\n");
    PipelineSpec set = load("split: {group_lineage: false, group_jaccard: 0.6, group_shingle: 2, group_cosine: 0}\n");

    assertThat(defaults.split().groups()).isEqualTo(new PipelineSpec.Split.Groups(true, 0.5, 0, 0.9));
    assertThat(set.split().groups()).isEqualTo(new PipelineSpec.Split.Groups(false, 0.6, 2, 0));
    assertThatThrownBy(() -> load("split: {group_jaccard: 1.5, group_cosine: -1}\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("split.group_jaccard: must be between 0 and 1, got 1.5"))
            .anySatisfy(p -> assertThat(p).contains("split.group_cosine: must be between 0 and 1, got -1")));
  }

  @Test
  void should_read_targets_as_per_label_labels_or_proportions() throws IOException {
    PipelineSpec p = load("targets:\n  proportions: {a: 0.6, b: 0.4}\n  total: 50\n");
    assertThat(p.targets().wanted("a")).isEqualTo(30);
    assertThat(p.targets().wanted("b")).isEqualTo(20);
    PipelineSpec l = load("targets:\n  per_label: 12\n  labels: {a: 3}\n");
    assertThat(l.targets().wanted("a")).isEqualTo(3);
    assertThat(l.targets().wanted("z")).isEqualTo(12);
    assertThatThrownBy(() -> load("targets:\n  proportions: {a: 0.6, b: 0.6}\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(m -> assertThat(m).contains("targets.proportions: must sum to 1"))
            .anySatisfy(m -> assertThat(m).contains("targets.total: required with targets.proportions")));
  }

  @Test
  void should_read_subsets_as_fractions_or_counts_and_reject_others() throws IOException {
    assertThat(load("subsets: [0.1, 0.25, 500]\n").split().subsets()).containsExactly(0.1, 0.25, 500.0);
    assertThat(load("").split().subsets()).isEmpty();
    assertThatThrownBy(() -> load("subsets: [0, 1.5, 0.1, 0.1]\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(m -> assertThat(m).contains("subsets[0]: expected a fraction between 0 and 1 or a whole count, got 0"))
            .anySatisfy(m -> assertThat(m).contains("subsets[1]"))
            .anySatisfy(m -> assertThat(m).contains("subsets[3]: listed twice")));
  }
}
