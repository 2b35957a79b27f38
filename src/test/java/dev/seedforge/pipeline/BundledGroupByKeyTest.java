package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.jupiter.api.Test;

/** The bundled GroupByKey gives what GroupByKey gives, and the ledger's one-group sum the totals. */
class BundledGroupByKeyTest {
  @Test
  void should_group_every_value_of_a_key_once_across_bundles() {
    // given: 3 keys, 3,000 values arriving from two inputs (so in several bundles)
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    KvCoder<Integer, String> coder = KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of());
    List<KV<Integer, String>> first = IntStream.range(0, 2000).mapToObj(i -> KV.of(i % 3, "v" + i)).toList();
    List<KV<Integer, String>> second = IntStream.range(2000, 3000).mapToObj(i -> KV.of(i % 3, "v" + i)).toList();
    PCollection<KV<Integer, String>> input = PCollectionList.of(p.apply("First", Create.of(first).withCoder(coder)))
        .and(p.apply("Second", Create.of(second).withCoder(coder))).apply(Flatten.pCollections());

    // when
    PCollection<KV<Integer, Iterable<String>>> grouped = input.apply(BundledGroupByKey.create());

    // then: each key once, with exactly its values
    PAssert.that(grouped).satisfies(groups -> {
      Map<Integer, List<String>> byKey = new HashMap<>();
      groups.forEach(g -> {
        assertThat(byKey).doesNotContainKey(g.getKey());
        List<String> values = new ArrayList<>();
        g.getValue().forEach(values::add);
        byKey.put(g.getKey(), values);
      });
      assertThat(byKey).containsOnlyKeys(0, 1, 2);
      for (int k = 0; k < 3; k++) {
        int key = k;
        assertThat(byKey.get(k)).containsExactlyInAnyOrderElementsOf(
            IntStream.range(0, 3000).filter(i -> i % 3 == key).mapToObj(i -> "v" + i).toList());
      }
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void should_sum_every_counter_to_one_total() {
    // given: the same counter from many records, and another one
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    List<KV<Ledger.Key, Long>> counts = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      counts.add(Ledger.count(Counter.GENERATED, i % 2 == 0 ? "a" : "b", 1));
    }
    counts.add(Ledger.count(Counter.SEEDS_READ, "a", 7));

    // when
    PCollection<KV<Ledger.Key, Long>> sums = p.apply(Create.of(counts).withCoder(Ledger.coder())).apply(new Ledger.SumAll());

    // then
    PAssert.that(sums).containsInAnyOrder(
        Ledger.count(Counter.GENERATED, "a", 250), Ledger.count(Counter.GENERATED, "b", 250), Ledger.count(Counter.SEEDS_READ, "a", 7));
    p.run().waitUntilFinish();
  }
}
