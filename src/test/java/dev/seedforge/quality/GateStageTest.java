package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.seed.TaskType;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;

class GateStageTest {
  @Test
  void a_shipped_gate_is_restored_once_per_jvm_and_judges_as_the_original() {
    // given a gate shipped to "workers" as two separate deserialized copies of the shipment
    QualityGate gate = QualityGate.fromSpec(TestCandidates.fixtureQuality(), TaskType.CLASSIFICATION);
    GateStage.ShippedGate shipped = GateStage.ShippedGate.of(gate);
    GateStage.ShippedGate a = SerializableUtils.clone(shipped);
    GateStage.ShippedGate b = SerializableUtils.clone(shipped);

    // when / then: both resolve to one gate instance, which judges as the original does
    assertThat(a.gate()).isSameAs(b.gate());
    var french = TestCandidates.text("Bonjour, je n'arrive pas à me connecter à mon compte depuis hier.");
    assertThat(a.gate().decide(french)).isEqualTo(gate.decide(french));
  }

  @Test
  void judges_every_candidate_of_a_bundle_larger_than_the_hold_once() throws Exception {
    // given real texts, more of them in one bundle than the gate holds before it judges
    QualityGate gate = QualityGate.fromSpec(TestCandidates.fixtureQuality(), TaskType.CLASSIFICATION);
    java.util.List<String> texts = new java.util.ArrayList<>(RealTexts.fixtures());
    texts.addAll(RealTexts.clinc());
    java.util.List<dev.seedforge.generate.Candidate> candidates = new java.util.ArrayList<>();
    for (int i = 0; candidates.size() < 2 * GateStage.GateFn.HOLD + 321; i++) {
      candidates.add(dev.seedforge.generate.Candidate.of("billing", java.util.Map.of("text", texts.get(i % texts.size())), TestCandidates.PROVENANCE, i));
    }
    java.util.Map<String, String> expected = new java.util.TreeMap<>();
    for (var c : candidates) {
      expected.put(c.id(), gate.decide(c).rejected().map(QualityGate.Rejected::filter).orElse("kept"));
    }
    assertThat(expected.values()).contains("kept", "language", "token_count");

    // when: the candidates reach the gate as one bundle
    org.apache.beam.sdk.Pipeline p = org.apache.beam.sdk.Pipeline.create(org.apache.beam.sdk.options.PipelineOptionsFactory.create());
    org.apache.beam.sdk.values.PCollectionTuple out = p
        .apply(org.apache.beam.sdk.transforms.Create.of(java.util.List.of(candidates))
            .withCoder(org.apache.beam.sdk.coders.ListCoder.of(dev.seedforge.pipeline.JsonCoder.of(dev.seedforge.generate.Candidate.class))))
        .apply(org.apache.beam.sdk.transforms.Flatten.iterables())
        .apply(new GateStage(gate));

    // then each candidate comes out once, kept or rejected by the filter it meets alone, and counted
    org.apache.beam.sdk.testing.PAssert.that(out.get(GateStage.KEPT)).satisfies(kept -> {
      java.util.List<String> ids = new java.util.ArrayList<>();
      kept.forEach(c -> ids.add(c.id()));
      assertThat(ids).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(expected.entrySet().stream().filter(e -> e.getValue().equals("kept")).map(java.util.Map.Entry::getKey).toList());
      return null;
    });
    org.apache.beam.sdk.testing.PAssert.that(out.get(GateStage.REJECTIONS)).satisfies(rejected -> {
      java.util.Map<String, String> got = new java.util.TreeMap<>();
      rejected.forEach(r -> assertThat(got.put(r.id(), r.filter())).as(r.id()).isNull());
      java.util.Map<String, String> want = new java.util.TreeMap<>(expected);
      want.values().removeIf("kept"::equals);
      assertThat(got).isEqualTo(want);
      return null;
    });
    org.apache.beam.sdk.testing.PAssert.that(out.get(GateStage.LEDGER)).satisfies(ledger -> {
      long generated = 0;
      long passed = 0;
      for (var kv : ledger) {
        if (kv.getKey().counter() == dev.seedforge.pipeline.Counter.ACCEPTANCE_GENERATED) {
          generated += kv.getValue();
        } else if (kv.getKey().counter() == dev.seedforge.pipeline.Counter.QUALITY_PASSED) {
          passed += kv.getValue();
        }
      }
      assertThat(generated).isEqualTo(candidates.size());
      assertThat(passed).isEqualTo(expected.values().stream().filter("kept"::equals).count());
      return null;
    });
    p.run().waitUntilFinish();
  }
}
