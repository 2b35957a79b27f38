package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.generate.Candidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Records meet exactly the decisions about their id, once, whatever the shard count. */
class JoinByIdTest {
  static Candidate record(String id) {
    return new Candidate(id, "a", Map.of("text", "text of " + id),
        new Candidate.Provenance(List.of("s"), "paraphrase", "t1", "openai", null, "req-" + id, 0), null);
  }

  @Test
  void should_match_each_record_with_the_decisions_about_its_id_in_shard_order() {
    // given: a shard with two records, decisions about one of them and about an id without a record
    List<JoinById.Side<String>> shard = List.of(
        JoinById.Side.decision("r1", "first"),
        JoinById.Side.record(record("r1")),
        JoinById.Side.decision("gone", "about nobody"),
        JoinById.Side.record(record("r2")),
        JoinById.Side.decision("r1", "second"));

    // when
    List<JoinById.Decided<String>> matched = JoinById.match(shard);

    // then: records in order, r1 with both its decisions, r2 with none, the stray decision left out
    assertThat(matched).extracting(d -> d.record().id()).containsExactly("r1", "r2");
    assertThat(matched.get(0).decisions()).containsExactly("first", "second");
    assertThat(matched.get(1).decisions()).isEmpty();
  }

  @Test
  void should_give_every_copy_of_an_id_its_decisions() {
    List<JoinById.Decided<String>> matched = JoinById.match(List.of(
        JoinById.Side.record(record("r1")), JoinById.Side.record(record("r1")), JoinById.Side.decision("r1", "d")));

    assertThat(matched).hasSize(2).allSatisfy(d -> assertThat(d.decisions()).containsExactly("d"));
  }

  @Test
  void should_round_trip_records_and_decisions_through_its_coder() throws Exception {
    JoinById.SideCoder<String> coder = new JoinById.SideCoder<>(JsonCoder.of(Candidate.class), StringUtf8Coder.of());

    JoinById.Side<String> r = CoderUtils.clone(coder, JoinById.Side.record(record("r1")));
    JoinById.Side<String> d = CoderUtils.clone(coder, JoinById.Side.decision("r1", "exact_duplicate\tr0"));

    assertThat(r.record()).isEqualTo(record("r1"));
    assertThat(r.id()).isEqualTo("r1");
    assertThat(d.record()).isNull();
    assertThat(d.id()).isEqualTo("r1");
    assertThat(d.decision()).isEqualTo("exact_duplicate\tr0");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 16})
  void should_bring_every_record_once_to_exactly_its_decisions(int shards) {
    // given: 200 records, decisions about every third one (two about every ninth), and decisions about absent ids
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    List<Candidate> records = IntStream.range(0, 200).mapToObj(i -> record("r" + i)).toList();
    List<KV<String, String>> decisions = new ArrayList<>();
    for (int i = 0; i < 200; i += 3) {
      decisions.add(KV.of("r" + i, "d" + i));
      if (i % 9 == 0) {
        decisions.add(KV.of("r" + i, "e" + i));
      }
    }
    decisions.add(KV.of("absent", "x"));
    PCollection<Candidate> in = p.apply("Records", Create.of(records).withCoder(JsonCoder.of(Candidate.class)));
    PCollection<KV<String, String>> ds = p.apply("Decisions", Create.of(decisions).withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));

    // when
    PCollection<KV<Integer, Iterable<JoinById.Side<String>>>> joined = JoinById.group("Join", in, ds, StringUtf8Coder.of(), shards);

    // then
    PAssert.that(joined).satisfies(groups -> {
      Map<String, List<String>> seen = new HashMap<>();
      groups.forEach(g -> {
        assertThat(g.getKey()).isBetween(0, shards - 1);
        for (JoinById.Decided<String> d : JoinById.match(g.getValue())) {
          assertThat(JoinById.shardOf(d.record().id(), shards)).isEqualTo(g.getKey());
          assertThat(seen.put(d.record().id(), d.decisions())).isNull();
        }
      });
      assertThat(seen).hasSize(200);
      for (int i = 0; i < 200; i++) {
        List<String> expected = i % 3 != 0 ? List.of() : i % 9 == 0 ? List.of("d" + i, "e" + i) : List.of("d" + i);
        assertThat(seen.get("r" + i)).containsExactlyInAnyOrderElementsOf(expected);
      }
      return null;
    });
    p.run().waitUntilFinish();
  }
}
