package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.jupiter.api.Test;

/** The ledger's totals, summed over bundles, and written as the ledger file's lines. */
class LedgerTest {
  @Test
  void should_total_each_key_over_every_bundles_sums() throws Exception {
    // given: two bundles' sums that share a key
    org.apache.beam.sdk.coders.ListCoder<KV<Ledger.Key, Long>> coder = org.apache.beam.sdk.coders.ListCoder.of(Ledger.coder());
    byte[] first = CoderUtils.encodeToByteArray(coder, List.of(Ledger.count(Counter.GENERATED, "a", 3), Ledger.count(Counter.SEEDS_READ, "a", 1)));
    byte[] second = CoderUtils.encodeToByteArray(coder, List.of(Ledger.count(Counter.GENERATED, "a", 4)));

    // when
    Map<Ledger.Key, Long> total = Ledger.total(List.of(first, second));

    // then
    assertThat(total).containsExactlyInAnyOrderEntriesOf(Map.of(
        new Ledger.Key(Counter.GENERATED, "", "a"), 7L, new Ledger.Key(Counter.SEEDS_READ, "", "a"), 1L));
  }

  @Test
  void should_write_one_ledger_line_per_key_with_its_total_from_counts_in_several_bundles() {
    // given: counts from two inputs (so in several bundles), the same key in both
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    List<KV<Ledger.Key, Long>> first = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      first.add(Ledger.count(Counter.GENERATED, i % 3 == 0 ? "a" : "b", 1));
    }
    PCollection<KV<Ledger.Key, Long>> counts = PCollectionList.of(p.apply("First", Create.of(first).withCoder(Ledger.coder())))
        .and(p.apply("Second", Create.of(List.of(Ledger.count(Counter.GENERATED, "a", 5), Ledger.count(Counter.REJECTED, "gate/x", "b", 2)))
            .withCoder(Ledger.coder())))
        .apply(Flatten.pCollections());

    // when
    PCollection<KV<String, KV<String, String>>> lines = counts.apply(new Ledger.SumAllToLines(".ledger.jsonl"));

    // then: the line is its own sort key, and the values are the totals
    String a = Json.write(new Ledger.Value(Counter.GENERATED, "", "a", 105));
    String b = Json.write(new Ledger.Value(Counter.GENERATED, "", "b", 200));
    String rejected = Json.write(new Ledger.Value(Counter.REJECTED, "gate/x", "b", 2));
    PAssert.that(lines).containsInAnyOrder(
        KV.of(".ledger.jsonl", KV.of(a, a)), KV.of(".ledger.jsonl", KV.of(b, b)), KV.of(".ledger.jsonl", KV.of(rejected, rejected)));
    p.run().waitUntilFinish();
  }
}
