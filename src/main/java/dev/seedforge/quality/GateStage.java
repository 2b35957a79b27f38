package dev.seedforge.quality;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.hash.Hashing;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.HeldElements;
import dev.seedforge.pipeline.Ledger;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * The quality gate as a Beam stage: runs the configured filter chain on every candidate, then,
 * when given one, the label check learned from the candidates that passed ({@link LabelCheckStage}).
 * The DoFn is cheap to ship (see {@link ShippedGate}).
 */
public final class GateStage extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};

  private final QualityGate gate;
  private final LabelCheckStage labelCheck;

  public GateStage(QualityGate gate) {
    this(gate, null);
  }

  private GateStage(QualityGate gate, LabelCheckStage labelCheck) {
    this.gate = gate;
    this.labelCheck = labelCheck;
  }

  /** The gate followed by the out-of-fold label check on every candidate the filters kept. */
  public GateStage withLabelCheck(LabelCheckStage labelCheck) {
    return new GateStage(gate, labelCheck);
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    PCollectionTuple out = input.apply("Filter", ParDo.of(new GateFn(ShippedGate.of(gate), labelCheck == null)).withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(LEDGER)));
    out.get(KEPT).setCoder(JsonCoder.of(Candidate.class));
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(LEDGER).setCoder(Ledger.coder());
    if (labelCheck == null) {
      return out;
    }
    PCollectionTuple checked = out.get(KEPT).apply("LabelCheck", labelCheck);
    return PCollectionTuple.of(KEPT, checked.get(KEPT))
        .and(REJECTIONS, org.apache.beam.sdk.values.PCollectionList.of(out.get(REJECTIONS)).and(checked.get(REJECTIONS))
            .apply("GateRejections", org.apache.beam.sdk.transforms.Flatten.pCollections()))
        .and(LEDGER, org.apache.beam.sdk.values.PCollectionList.of(out.get(LEDGER)).and(checked.get(LEDGER))
            .apply("GateLedger", org.apache.beam.sdk.transforms.Flatten.pCollections()));
  }

  /** The strategy that made a candidate, for the acceptance figures ("-" for none). */
  public static String strategyOf(Candidate c) {
    return c.provenance().strategy() == null ? "-" : c.provenance().strategy();
  }

  /** The template that made a candidate, for the acceptance figures ("-" for none). */
  public static String templateOf(Candidate c) {
    return c.provenance().templateId() == null ? "-" : c.provenance().templateId();
  }

  /**
   * A gate as the DoFn carries it: its Java serialization as one byte array, and that array's
   * hash. Runners serialize and deserialize a DoFn often (the DirectRunner once per bundle, to
   * translate the transform), and a byte array costs a copy where the gate's object graph (seed
   * texts, template windows, the label model) costs a walk; every JVM deserializes the gate itself
   * once, on first use, and shares it between its DoFn instances and threads.
   */
  static final class ShippedGate implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Cache<String, QualityGate> GATES = CacheBuilder.newBuilder().maximumSize(16).build();

    private final byte[] bytes;
    private final String key;

    private ShippedGate(byte[] bytes) {
      this.bytes = bytes;
      this.key = Hashing.sha256().hashBytes(bytes).toString();
    }

    static ShippedGate of(QualityGate gate) {
      ShippedGate shipped = new ShippedGate(SerializableUtils.serializeToByteArray(gate));
      GATES.put(shipped.key, gate);
      return shipped;
    }

    QualityGate gate() {
      try {
        return GATES.get(key, () -> (QualityGate) SerializableUtils.deserializeFromByteArray(bytes, "quality gate"));
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("cannot restore the quality gate", e.getCause());
      }
    }
  }

  /**
   * Runs the gate on every candidate. A bundle's candidates are held, up to {@link #HOLD} of them,
   * and judged together ({@link QualityGate#decideAll}): on every core, and in batches where a
   * filter judges batches far more cheaply (embeddings). Each decision goes out in its candidate's
   * window and with its timestamp.
   */
  static final class GateFn extends DoFn<Candidate, Candidate> {
    /**
     * Candidates held at most before they are judged: enough for many embedding batches and
     * parallel chunks, few enough that a runner whose bundle is a whole partition (Flink's batch
     * mode) never holds the partition.
     */
    static final int HOLD = 4096;

    private final ShippedGate shipped;
    // false when the label check follows and counts what passes the whole gate
    private final boolean countPassed;
    private transient QualityGate gate;
    private transient HeldElements<Candidate> held;

    GateFn(ShippedGate shipped, boolean countPassed) {
      this.shipped = shipped;
      this.countPassed = countPassed;
    }

    @Setup
    public void setup() {
      gate = shipped.gate();
    }

    @StartBundle
    public void startBundle() {
      held = new HeldElements<>(HOLD);
    }

    @ProcessElement
    public void process(@Element Candidate c, @Timestamp Instant timestamp, BoundedWindow window, MultiOutputReceiver out) {
      out.get(LEDGER).output(Ledger.count(Counter.ACCEPTANCE_GENERATED, strategyOf(c), templateOf(c), 1));
      if (held.add(c, timestamp, window)) {
        judge(held.drain(), h -> new Output() {
          @Override
          public <T> void output(TupleTag<T> tag, T value) {
            out.get(tag).outputWithTimestamp(value, h.timestamp());
          }
        });
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      judge(held.drain(), h -> new Output() {
        @Override
        public <T> void output(TupleTag<T> tag, T value) {
          context.output(tag, value, h.timestamp(), h.window());
        }
      });
    }

    private void judge(List<HeldElements.Held<Candidate>> batch, java.util.function.Function<HeldElements.Held<Candidate>, Output> outputOf) {
      if (batch.isEmpty()) {
        return;
      }
      List<QualityGate.Decision> decisions = gate.decideAll(batch.stream().map(HeldElements.Held::element).toList());
      for (int i = 0; i < batch.size(); i++) {
        emit(decisions.get(i), countPassed, outputOf.apply(batch.get(i)));
      }
    }

    private interface Output {
      <T> void output(TupleTag<T> tag, T value);
    }

    private static void emit(QualityGate.Decision decision, boolean countPassed, Output out) {
      Candidate measured = decision.candidate();
      Optional<QualityGate.Rejected> rejected = decision.rejected();
      if (rejected.isPresent()) {
        Verdict v = rejected.get().verdict();
        out.output(LEDGER, Ledger.count(Counter.REJECTED, "quality/" + rejected.get().filter(), measured.label(), 1));
        out.output(REJECTIONS, Rejection.of(measured, "quality", rejected.get().filter(), v.reason(), v.score(), v.threshold(), v.relatedId()));
      } else {
        if (countPassed) {
          out.output(LEDGER, Ledger.count(Counter.QUALITY_PASSED, measured.label(), 1));
        }
        out.output(KEPT, measured);
      }
    }
  }
}
