package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.seedforge.bench.ClincData;
import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/** The label check as a Beam stage on the DirectRunner: the same verdicts as the plain check, with rejections and counts. */
class LabelCheckStageTest {
  @Test
  void should_reject_what_the_plain_check_rejects_and_count_every_checked_candidate_per_label() {
    // given real CLINC queries of four intents, every 5th carrying the next intent's label
    assumeTrue(ClincData.available(), "no CLINC150 data");
    List<String> intents = ClincData.BANKING.subList(0, 4);
    List<LabelFilter.Example> seeds = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>();
    Map<String, Integer> n = new TreeMap<>();
    for (ClincData.Query q : ClincData.split("train", Set.copyOf(intents))) {
      int k = n.merge(q.intent(), 1, Integer::sum);
      if (k <= 8) {
        seeds.add(new LabelFilter.Example(q.text(), q.intent()));
      } else if (k <= 28) {
        String label = k % 5 == 0 ? intents.get((intents.indexOf(q.intent()) + 1) % intents.size()) : q.intent();
        candidates.add(Candidate.of(label, Map.of("text", q.text()), TestCandidates.PROVENANCE, candidates.size()));
      }
    }
    LabelCheck check = LabelCheck.words(5, 42).withMargin(0.1);
    Set<String> expectedRejected = new HashSet<>();
    check.check(seeds, Map.of(), candidates.stream().map(c -> new LabelCheck.Item(c.id(), c.fields().get("text"), c.label())).toList())
        .judged().stream().filter(j -> !j.verdict().keep()).forEach(j -> expectedRejected.add(j.item().id()));
    assertThat(expectedRejected).isNotEmpty();

    // when
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(candidates).withCoder(JsonCoder.of(Candidate.class)))
        .apply(new LabelCheckStage(check, seeds, Map.of(), TaskType.CLASSIFICATION));

    // then
    PAssert.that(out.get(GateStage.REJECTIONS)).satisfies(rej -> {
      Set<String> ids = new HashSet<>();
      rej.forEach(r -> {
        assertThat(r.filter()).isEqualTo(LabelFilter.NAME);
        assertThat(r.stage()).isEqualTo("quality");
        assertThat(r.reason()).startsWith("reads like ");
        ids.add(r.id());
      });
      assertThat(ids).isEqualTo(expectedRejected);
      return null;
    });
    PAssert.that(out.get(GateStage.KEPT)).satisfies(kept -> {
      int k = 0;
      for (Candidate c : kept) {
        assertThat(expectedRejected).doesNotContain(c.id());
        k++;
      }
      assertThat(k).isEqualTo(candidates.size() - expectedRejected.size());
      return null;
    });
    PAssert.that(out.get(GateStage.LEDGER)).satisfies(ledger -> {
      long checked = 0;
      long passed = 0;
      for (var kv : ledger) {
        if (kv.getKey().counter() == Counter.LABEL_CHECKED) {
          checked += kv.getValue();
        } else if (kv.getKey().counter() == Counter.QUALITY_PASSED) {
          passed += kv.getValue();
        }
      }
      assertThat(checked).isEqualTo(candidates.size());
      assertThat(passed).isEqualTo(candidates.size() - expectedRejected.size());
      return null;
    });
    p.run().waitUntilFinish();
  }
}
