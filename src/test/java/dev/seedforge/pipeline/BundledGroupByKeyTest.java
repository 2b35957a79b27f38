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
  void should_send_a_bundles_values_of_a_key_in_parts_of_bounded_size_and_still_group_them_all() {
    // given: one key's 2,000 values in one input, parts of about 100 bytes (each value is 6-7)
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    KvCoder<Integer, String> coder = KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of());
    List<KV<Integer, String>> values = IntStream.range(0, 2000).mapToObj(i -> KV.of(7, "v" + (1000 + i))).toList();
    PCollection<KV<Integer, String>> input = p.apply(Create.of(values).withCoder(coder));

    // when
    PCollection<KV<Integer, byte[]>> parts = input.apply(org.apache.beam.sdk.transforms.ParDo.of(new BundledGroupByKey.GatherFn<Integer, String>(StringUtf8Coder.of(), 100)))
        .setCoder(KvCoder.of(VarIntCoder.of(), org.apache.beam.sdk.coders.ByteArrayCoder.of()));
    PCollection<KV<Integer, Iterable<String>>> grouped = input.apply("Grouped", BundledGroupByKey.withPartBytes(100));

    // then: no part over the bound by more than one value; the parts are ListCoder lists of every value once
    PAssert.that(parts).satisfies(all -> {
      List<String> decoded = new ArrayList<>();
      int n = 0;
      for (KV<Integer, byte[]> part : all) {
        assertThat(part.getValue().length).isLessThan(100 + 8);
        try {
          decoded.addAll(org.apache.beam.sdk.util.CoderUtils.decodeFromByteArray(org.apache.beam.sdk.coders.ListCoder.of(StringUtf8Coder.of()), part.getValue()));
        } catch (org.apache.beam.sdk.coders.CoderException e) {
          throw new AssertionError(e);
        }
        n++;
      }
      assertThat(n).isGreaterThanOrEqualTo(2000 * 6 / 100);
      assertThat(decoded).containsExactlyInAnyOrderElementsOf(values.stream().map(KV::getValue).toList());
      return null;
    });
    PAssert.that(grouped).satisfies(groups -> {
      List<String> all = new ArrayList<>();
      int keys = 0;
      for (KV<Integer, Iterable<String>> g : groups) {
        assertThat(g.getKey()).isEqualTo(7);
        g.getValue().forEach(all::add);
        keys++;
      }
      assertThat(keys).isEqualTo(1);
      assertThat(all).containsExactlyInAnyOrderElementsOf(values.stream().map(KV::getValue).toList());
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void should_write_a_part_as_list_coder_writes_the_list() throws Exception {
    BundledGroupByKey.GatherFn.Part part = new BundledGroupByKey.GatherFn.Part();
    List<String> values = List.of("a", "", "ünïcødé", "x".repeat(300));
    for (String v : values) {
      StringUtf8Coder.of().encode(v, part);
      part.count++;
    }
    assertThat(part.list()).isEqualTo(org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(org.apache.beam.sdk.coders.ListCoder.of(StringUtf8Coder.of()), values));
    part.reset();
    assertThat(part.list()).isEqualTo(org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(org.apache.beam.sdk.coders.ListCoder.of(StringUtf8Coder.of()), List.<String>of()));
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
