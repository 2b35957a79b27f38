package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Ledger;
import java.util.Optional;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/** The quality gate as a Beam stage: runs the configured filter chain on every candidate. */
public final class GateStage extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};

  private final QualityGate gate;

  public GateStage(QualityGate gate) {
    this.gate = gate;
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    PCollectionTuple out = input.apply("Filter", ParDo.of(new GateFn(gate)).withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(LEDGER)));
    out.get(KEPT).setCoder(JsonCoder.of(Candidate.class));
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(LEDGER).setCoder(Ledger.coder());
    return out;
  }

  /** The strategy that made a candidate, for the acceptance figures ("-" for none). */
  public static String strategyOf(Candidate c) {
    return c.provenance().strategy() == null ? "-" : c.provenance().strategy();
  }

  /** The template that made a candidate, for the acceptance figures ("-" for none). */
  public static String templateOf(Candidate c) {
    return c.provenance().templateId() == null ? "-" : c.provenance().templateId();
  }

  static final class GateFn extends DoFn<Candidate, Candidate> {
    private final QualityGate gate;

    GateFn(QualityGate gate) {
      this.gate = gate;
    }

    @ProcessElement
    public void process(@Element Candidate c, MultiOutputReceiver out) {
      out.get(LEDGER).output(Ledger.count(Counter.ACCEPTANCE_GENERATED, strategyOf(c), templateOf(c), 1));
      Candidate measured = gate.measure(c);
      Optional<QualityGate.Rejected> rejected = gate.firstRejection(measured);
      if (rejected.isPresent()) {
        Verdict v = rejected.get().verdict();
        out.get(LEDGER).output(Ledger.count(Counter.REJECTED, "quality/" + rejected.get().filter(), c.label(), 1));
        out.get(REJECTIONS).output(Rejection.of(measured, "quality", rejected.get().filter(), v.reason(), v.score(), v.threshold(), v.relatedId()));
      } else {
        out.get(LEDGER).output(Ledger.count(Counter.QUALITY_PASSED, c.label(), 1));
        out.get(KEPT).output(measured);
      }
    }
  }
}
