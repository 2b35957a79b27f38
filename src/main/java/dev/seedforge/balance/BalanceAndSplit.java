package dev.seedforge.balance;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.generate.RequestPlanner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
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
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Caps every label at its quota ({@code targets.labels}, else {@code targets.per_label}, else the
 * smallest label's count) and splits each label into train and validation. Records over quota are
 * written to rejected.jsonl (stage balance), so nothing disappears without a reason.
 *
 * <p>Labels short of their quota are topped up by {@link dev.seedforge.pipeline.TopUp}, which reads
 * the shortfall this stage reports and runs the job again with more calls for those labels.
 */
public final class BalanceAndSplit extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<KV<String, Candidate>> ASSIGNED = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<String, Long>> LEDGER = new TupleTag<>() {};

  /** Train records with their rank in the label's train shuffle: (label, (rank, candidate)). */
  public static final TupleTag<KV<String, KV<Integer, Candidate>>> TRAIN_RANKED = new TupleTag<>() {};

  private final PipelineSpec.Targets targets;
  private final PipelineSpec.Split split;
  private final long seed;

  public BalanceAndSplit(PipelineSpec.Targets targets, PipelineSpec.Split split, long seed) {
    this.targets = targets;
    this.split = split;
    this.seed = seed;
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    PCollection<KV<String, Candidate>> byLabel =
        input
            .apply("KeyByLabel", WithKeys.of((Candidate c) -> RequestPlanner.labelKey(c.label())).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Candidate.class)));
    PCollectionView<Map<String, Long>> counts = byLabel.apply("CountPerLabel", Count.perKey()).apply(View.asMap());
    PCollectionTuple out =
        byLabel
            .apply("GroupByLabel", GroupByKey.create())
            .apply(
                "CapAndSplit",
                ParDo.of(new CapFn(targets, split, seed, counts))
                    .withSideInputs(counts)
                    .withOutputTags(ASSIGNED, TupleTagList.of(REJECTIONS).and(LEDGER).and(TRAIN_RANKED)));
    out.get(TRAIN_RANKED).setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarIntCoder.of(), JsonCoder.of(Candidate.class))));
    out.get(ASSIGNED).setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Candidate.class)));
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(LEDGER).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return out;
  }

  /** The quota of one label given every label's count. */
  public static int quota(String label, PipelineSpec.Targets targets, Map<String, Long> counts) {
    int wanted = targets.wanted(label);
    if (wanted > 0 || !targets.proportions().isEmpty()) {
      return wanted;
    }
    return quota(label, 0, Map.of(), counts);
  }

  /** The quota of one label given every label's count. */
  public static int quota(String label, int perLabel, Map<String, Integer> labelTargets, Map<String, Long> counts) {
    Integer explicit = labelTargets.get(label);
    if (explicit != null && explicit > 0) {
      return explicit;
    }
    if (perLabel > 0) {
      return perLabel;
    }
    long min = counts.values().stream().filter(c -> c > 0).mapToLong(Long::longValue).min().orElse(0);
    return (int) Math.min(Integer.MAX_VALUE, min);
  }

  static final class CapFn extends DoFn<KV<String, Iterable<Candidate>>, KV<String, Candidate>> {
    private final PipelineSpec.Targets targets;
    private final PipelineSpec.Split split;
    private final long seed;
    private final PCollectionView<Map<String, Long>> counts;

    CapFn(PipelineSpec.Targets targets, PipelineSpec.Split split, long seed, PCollectionView<Map<String, Long>> counts) {
      this.targets = targets;
      this.split = split;
      this.seed = seed;
      this.counts = counts;
    }

    @ProcessElement
    public void process(ProcessContext ctx) {
      String label = ctx.element().getKey();
      List<Candidate> all = new ArrayList<>();
      ctx.element().getValue().forEach(all::add);
      int cap = quota(label, targets, ctx.sideInput(counts));
      Balancer.Result r = Balancer.assign(all, cap, split, seed);
      String labelOrNull = label.isEmpty() ? null : label;
      for (Balancer.Assigned a : r.kept()) {
        String split = a.split().name().toLowerCase(java.util.Locale.ROOT);
        ctx.output(KV.of(split, a.candidate()));
        ctx.output(LEDGER, Ledger.count("final", split, labelOrNull, 1));
        if (a.trainRank() >= 0) {
          ctx.output(TRAIN_RANKED, KV.of(label, KV.of(a.trainRank(), a.candidate())));
        }
      }
      for (Candidate c : r.overQuota()) {
        ctx.output(LEDGER, Ledger.count("rejected", "balance/label_quota", labelOrNull, 1));
        ctx.output(
            REJECTIONS,
            Rejection.of(c, "balance", "label_quota", "label " + (labelOrNull == null ? "(none)" : labelOrNull) + " already has its quota of " + cap, (double) all.size(), (double) cap, null));
      }
      ctx.output(LEDGER, Ledger.count("balance", "available", labelOrNull, all.size()));
      ctx.output(LEDGER, Ledger.count("balance", "quota", labelOrNull, cap));
    }
  }
}
