package dev.seedforge.balance;

import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Ledger;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/** Emits (train-&lt;n&gt;, candidate) for every learning-curve subset a train record belongs to. */
public final class LearningCurveSubsets extends PTransform<PCollection<KV<String, KV<Integer, Candidate>>>, PCollectionTuple> {
  public static final TupleTag<KV<String, Candidate>> ASSIGNED = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};

  private final List<Double> subsets;

  public LearningCurveSubsets(List<Double> subsets) {
    this.subsets = List.copyOf(subsets);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, KV<Integer, Candidate>>> trainRanked) {
    PCollectionView<Map<String, Long>> counts =
        trainRanked.apply("Labels", Keys.create()).setCoder(StringUtf8Coder.of()).apply("TrainPerLabel", Count.perElement()).apply("CountsView", View.asMap());
    PCollectionTuple out =
        trainRanked.apply(
            "PickSubsets",
            ParDo.of(new PickFn(subsets, counts)).withSideInputs(counts).withOutputTags(ASSIGNED, TupleTagList.of(LEDGER)));
    out.get(ASSIGNED).setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Candidate.class)));
    out.get(LEDGER).setCoder(Ledger.coder());
    return out;
  }

  static final class PickFn extends DoFn<KV<String, KV<Integer, Candidate>>, KV<String, Candidate>> {
    private final List<Double> subsets;
    private final PCollectionView<Map<String, Long>> counts;

    PickFn(List<Double> subsets, PCollectionView<Map<String, Long>> counts) {
      this.subsets = subsets;
      this.counts = counts;
    }

    @ProcessElement
    public void process(ProcessContext ctx) {
      Map<String, Long> c = ctx.sideInput(counts);
      long total = c.values().stream().mapToLong(Long::longValue).sum();
      String label = ctx.element().getKey();
      long place = Subsets.position(label, ctx.element().getValue().getKey(), c);
      for (double s : subsets) {
        if (place < Subsets.size(s, total)) {
          String name = Subsets.name(s);
          ctx.output(KV.of(name, ctx.element().getValue().getValue()));
          ctx.output(LEDGER, Ledger.count(Counter.SUBSET, name, label.isEmpty() ? null : label, 1));
        }
      }
    }
  }
}
