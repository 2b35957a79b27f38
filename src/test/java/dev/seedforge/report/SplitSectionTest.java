package dev.seedforge.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.balance.SplitGroups;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Counts;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.util.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitSectionTest {
  static final SplitGroups.Settings SETTINGS = new SplitGroups.Settings(true, 0.5, 0.9, 3, 128, 42, "all-minilm-l6-v2");

  /** The example pipeline: validation 0.1, no test. */
  static PipelineSpec spec() {
    return dev.seedforge.config.SpecLoader.load(java.nio.file.Path.of("pipelines/support-intents.yaml"), java.util.Map.of(),
        new dev.seedforge.config.SpecLoader.Overrides("lexical", null, null, null, null));
  }

  @Test
  void should_report_shares_groups_and_the_closest_train_record_of_each_evaluation_split() {
    // given: label a with 36 train and 4 validation records in 8 groups; label b closer to train
    Counts counts = Counts.of(List.of(
        new Ledger.Value(Counter.FINAL, "train", "a", 36), new Ledger.Value(Counter.FINAL, "validation", "a", 4),
        new Ledger.Value(Counter.FINAL, "train", "b", 35), new Ledger.Value(Counter.FINAL, "validation", "b", 5),
        new Ledger.Value(Counter.SPLIT_GROUPS, "groups", "a", 8), new Ledger.Value(Counter.SPLIT_GROUPS, "groups", "b", 8),
        new Ledger.Value(Counter.SPLIT_GROUPS, "largest", "a", 6), new Ledger.Value(Counter.SPLIT_GROUPS, "largest", "b", 7),
        new Ledger.Value(Counter.SPLIT_CLOSEST, "validation/jaccard", "a", 120_000), new Ledger.Value(Counter.SPLIT_CLOSEST, "validation/jaccard", "b", 470_000),
        new Ledger.Value(Counter.SPLIT_CLOSEST, "validation/cosine", "a", 910_000),
        new Ledger.Value(Counter.SPLIT_VARIANTS, "validation/cosine", "a", 1)));
    ObjectNode warnings = Json.mapper().createObjectNode();

    // when
    ObjectNode split = SplitSection.of(spec(), SETTINGS, counts, warnings);

    // then
    assertThat(split.path("achieved").path("validation").asDouble()).isEqualTo(0.1125);
    assertThat(split.path("groups").path("count").asLong()).isEqualTo(16);
    assertThat(split.path("groups").path("largest").asLong()).isEqualTo(7);
    assertThat(split.path("groups").path("mean_size").asDouble()).isEqualTo(5.0);
    assertThat(split.path("validation").path("closest_train_jaccard").asDouble()).isEqualTo(0.47);
    assertThat(split.path("validation").path("closest_train_cosine").asDouble()).isEqualTo(0.91);
    assertThat(split.path("validation").path("records_with_train_cosine_variant").asLong()).isEqualTo(1);
    assertThat(warnings.path("split_variants/validation/cosine").asText()).isEqualTo("1 validation records have a train record of their label at cosine >= 0.90");
    assertThat(warnings.has("split_groups/validation/a")).isFalse();
  }

  @Test
  void should_warn_when_a_giant_group_leaves_validation_short_of_its_share() {
    // given: 40 records of label a, 38 of them in one group, 1 in validation
    Counts counts = Counts.of(List.of(
        new Ledger.Value(Counter.FINAL, "train", "a", 39), new Ledger.Value(Counter.FINAL, "validation", "a", 1),
        new Ledger.Value(Counter.SPLIT_GROUPS, "groups", "a", 3), new Ledger.Value(Counter.SPLIT_GROUPS, "largest", "a", 38)));
    ObjectNode warnings = Json.mapper().createObjectNode();

    // when
    SplitSection.of(spec(), SETTINGS, counts, warnings);

    // then
    assertThat(warnings.path("split_groups/validation/a").asText()).isEqualTo(
        "label a has 1 validation records of the 4 asked for: its split groups are too large (the largest holds 38 of 40 records);"
            + " raise split.group_jaccard or split.group_cosine, or set split.group_lineage: false");
  }
}
