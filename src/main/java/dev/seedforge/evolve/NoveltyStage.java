package dev.seedforge.evolve;

import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@link Novelty} as a Beam stage: compact rows (id, label, instruction, seed or not, round) meet
 * under one key, one DoFn runs the rule over the whole pool, and its verdicts reach the records as
 * a side input, so the records themselves are not shuffled.
 */
public final class NoveltyStage extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};

  private final double bound;
  private final long seed;

  public NoveltyStage(double bound, long seed) {
    this.bound = bound;
    this.seed = seed;
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> pool) {
    PCollectionView<Map<String, Novelty.Verdict>> verdicts = pool
        .apply("NoveltyRows", MapElements.into(TypeDescriptor.of(Novelty.Row.class)).via(NoveltyStage::row))
        .setCoder(JsonCoder.of(Novelty.Row.class))
        .apply("OnePool", WithKeys.of((Novelty.Row r) -> 0).withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), JsonCoder.of(Novelty.Row.class)))
        .apply("GroupPool", dev.seedforge.pipeline.BundledGroupByKey.create())
        .apply("JudgeNovelty", ParDo.of(new JudgeFn(bound, seed)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Novelty.Verdict.class)))
        .apply("VerdictsView", View.asMap());
    PCollectionTuple out = pool.apply("KeepNovel", ParDo.of(new DecideFn(verdicts, bound))
        .withSideInputs(verdicts)
        .withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(LEDGER)));
    out.get(KEPT).setCoder(pool.getCoder());
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(LEDGER).setCoder(Ledger.coder());
    return out;
  }

  static Novelty.Row row(Candidate c) {
    return new Novelty.Row(c.id(), c.label(), c.field("instruction"), ExactDedup.isSeed(c), c.provenance() == null ? 0 : c.provenance().round(),
        c.evolution() != null);
  }

  static final class JudgeFn extends DoFn<KV<Integer, Iterable<Novelty.Row>>, KV<String, Novelty.Verdict>> {
    private final double bound;
    private final long seed;

    JudgeFn(double bound, long seed) {
      this.bound = bound;
      this.seed = seed;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Novelty.Row>> pool, OutputReceiver<KV<String, Novelty.Verdict>> out) {
      List<Novelty.Row> rows = new ArrayList<>();
      pool.getValue().forEach(rows::add);
      Novelty.judge(rows, bound, seed).forEach((id, v) -> out.output(KV.of(id, v)));
    }
  }

  static final class DecideFn extends DoFn<Candidate, Candidate> {
    private final PCollectionView<Map<String, Novelty.Verdict>> verdicts;
    private final double bound;

    // the DirectRunner rebuilds a map side input on every read: read once per window
    private transient dev.seedforge.pipeline.PerWindow<Map<String, Novelty.Verdict>> found;

    DecideFn(PCollectionView<Map<String, Novelty.Verdict>> verdicts, double bound) {
      this.verdicts = verdicts;
      this.bound = bound;
    }

    @ProcessElement
    public void process(@Element Candidate c, ProcessContext ctx, org.apache.beam.sdk.transforms.windowing.BoundedWindow window, MultiOutputReceiver out) {
      if (found == null) {
        found = new dev.seedforge.pipeline.PerWindow<>();
      }
      if (ExactDedup.isSeed(c) || c.evolution() != null) {
        out.get(KEPT).output(c);
        return;
      }
      out.get(LEDGER).output(Ledger.count(Counter.NOVELTY, "checked", c.label(), 1));
      Novelty.Verdict v = found.get(window, () -> ctx.sideInput(verdicts)).get(c.id());
      if (v == null) {
        out.get(KEPT).output(c);
        return;
      }
      out.get(LEDGER).output(Ledger.count(Counter.NOVELTY, Novelty.FILTER, c.label(), 1));
      out.get(LEDGER).output(Ledger.count(Counter.REJECTED, "novelty/" + Novelty.FILTER, c.label(), 1));
      out.get(REJECTIONS).output(Rejection.of(c, "novelty", Novelty.FILTER, v.reason(bound), v.score(), bound, v.closestId()));
    }
  }
}
