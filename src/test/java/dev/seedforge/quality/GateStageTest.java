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
}
