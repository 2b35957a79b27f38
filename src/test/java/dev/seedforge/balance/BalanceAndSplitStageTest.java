package dev.seedforge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JsonCoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Balance as a Beam stage: every label capped at its quota (here the smallest label's count), each
 * record assigned once or rejected with its label's count and quota, and the quotas computed from
 * all labels' counts.
 */
class BalanceAndSplitStageTest {
  @Test
  void should_give_every_label_the_smallest_labels_count_as_quota_without_targets() {
    // given: per-bundle counts of three labels, one of them in two parts
    List<KV<String, Long>> partial = List.of(KV.of("a", 20L), KV.of("b", 12L), KV.of("a", 10L), KV.of("", 40L));

    // when
    Map<String, BalanceAndSplit.Part> q = BalanceAndSplit.quotas(partial, new PipelineSpec.Targets(0, Map.of()));

    // then
    assertThat(q).containsOnlyKeys("a", "b", "");
    assertThat(q.get("a")).isEqualTo(BalanceAndSplit.Part.quota(30, 12));
    assertThat(q.get("b")).isEqualTo(BalanceAndSplit.Part.quota(12, 12));
    assertThat(q.get("")).isEqualTo(BalanceAndSplit.Part.quota(40, 12));
  }

  @Test
  void should_take_explicit_label_targets_over_counts() {
    Map<String, BalanceAndSplit.Part> q = BalanceAndSplit.quotas(List.of(KV.of("a", 30L), KV.of("b", 5L)), new PipelineSpec.Targets(0, Map.of("a", 25)));

    assertThat(q.get("a")).isEqualTo(BalanceAndSplit.Part.quota(30, 25));
  }

  @Test
  void should_carry_a_kept_or_over_quota_decision_in_its_text() {
    BalanceAndSplit.Decision kept = BalanceAndSplit.Decision.parse(BalanceAndSplit.Decision.kept("validation", -1));
    BalanceAndSplit.Decision train = BalanceAndSplit.Decision.parse(BalanceAndSplit.Decision.kept("train", 7));
    BalanceAndSplit.Decision over = BalanceAndSplit.Decision.parse(BalanceAndSplit.Decision.overQuota(30, 12));

    assertThat(kept.kept()).isTrue();
    assertThat(kept.split()).isEqualTo("validation");
    assertThat(kept.trainRank()).isEqualTo(-1);
    assertThat(train.trainRank()).isEqualTo(7);
    assertThat(over.kept()).isFalse();
    assertThat(over.count()).isEqualTo(30);
    assertThat(over.quota()).isEqualTo(12);
  }

  @Test
  void should_round_trip_rows_and_quotas_through_the_part_coder() throws Exception {
    BalanceAndSplit.PartCoder coder = new BalanceAndSplit.PartCoder();
    BalanceAndSplit.Row row = new BalanceAndSplit.Row("id1", null, true, 3.0, List.of("s1", "s2"), "lineage", "text");

    assertThat(CoderUtils.clone(coder, BalanceAndSplit.Part.of(row))).isEqualTo(BalanceAndSplit.Part.of(row));
    assertThat(CoderUtils.clone(coder, BalanceAndSplit.Part.quota(123456789L, 12))).isEqualTo(BalanceAndSplit.Part.quota(123456789L, 12));
  }

  static Candidate generated(String label, int i) {
    return Candidate.of(label, Map.of("text", label + " text " + i),
        new Candidate.Provenance(List.of("s" + (i % 4)), "s", null, "openai", null, "r" + label + i, 0), i);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void should_assign_each_record_once_and_reject_the_rest_with_the_labels_count_and_quota(int shards) {
    // given: 30 records of label a, 12 of label b, no targets: both capped at 12
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    List<Candidate> in = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      in.add(generated("a", i));
    }
    for (int i = 0; i < 12; i++) {
      in.add(generated("b", i));
    }
    PipelineSpec.Split split = new PipelineSpec.Split(0.25, 0, null, false);

    // when
    PCollectionTuple out = p.apply(Create.of(in).withCoder(JsonCoder.of(Candidate.class)))
        .apply(new BalanceAndSplit(new PipelineSpec.Targets(0, Map.of()), split, 7L).withShards(shards));

    // then
    PAssert.that(out.get(BalanceAndSplit.ASSIGNED)).satisfies(assigned -> {
      Map<String, Integer> perLabel = new HashMap<>();
      List<String> ids = new ArrayList<>();
      assigned.forEach(kv -> {
        perLabel.merge(kv.getValue().label(), 1, Integer::sum);
        ids.add(kv.getValue().id());
        assertThat(kv.getKey()).isIn("train", "validation");
      });
      assertThat(perLabel).containsExactlyInAnyOrderEntriesOf(Map.of("a", 12, "b", 12));
      assertThat(ids).doesNotHaveDuplicates();
      return null;
    });
    PAssert.that(out.get(BalanceAndSplit.REJECTIONS)).satisfies(rejections -> {
      int n = 0;
      for (var r : rejections) {
        n++;
        assertThat(r.stage()).isEqualTo("balance");
        assertThat(r.filter()).isEqualTo("label_quota");
        assertThat(r.label()).isEqualTo("a");
        assertThat(r.score()).isEqualTo(30.0);
        assertThat(r.threshold()).isEqualTo(12.0);
        assertThat(r.reason()).isEqualTo("label a already has its quota of 12");
      }
      assertThat(n).isEqualTo(18);
      return null;
    });
    PAssert.that(out.get(BalanceAndSplit.LEDGER)).satisfies(ledger -> {
      Map<String, Long> sums = new HashMap<>();
      ledger.forEach(kv -> sums.merge(kv.getKey().counter() + "|" + kv.getKey().name() + "|" + kv.getKey().label(), kv.getValue(), Long::sum));
      assertThat(sums.get(Counter.REJECTED + "|balance/label_quota|a")).isEqualTo(18L);
      assertThat(sums.get(Counter.BALANCE_AVAILABLE + "||a")).isEqualTo(30L);
      assertThat(sums.get(Counter.BALANCE_QUOTA + "||b")).isEqualTo(12L);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
