package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Timings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@link LabelCheck} as a Beam stage: a global step, since every candidate's verdict depends on
 * the whole pool. All candidates meet under one key, one DoFn trains the fold models and scores
 * each candidate out of fold. Outputs the kept candidates ({@link GateStage#KEPT}), the rejections
 * ({@code label_consistency}, stage quality) and the ledger: per label, the candidates judged
 * ({@link Counter#LABEL_CHECKED}), those rejected, and those that passed the quality gate.
 */
public final class LabelCheckStage extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  private final LabelCheck check;
  private final List<LabelFilter.Example> seeds;
  private final Map<String, String> descriptions;
  private final TaskType task;

  public LabelCheckStage(LabelCheck check, List<LabelFilter.Example> seeds, Map<String, String> descriptions, TaskType task) {
    this.check = check;
    this.seeds = List.copyOf(seeds);
    this.descriptions = new java.util.TreeMap<>(descriptions);
    this.task = task;
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    PCollectionTuple out = input
        .apply("OneKey", WithKeys.<String, Candidate>of("pool").withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Candidate.class)))
        .apply("Pool", GroupByKey.create())
        .apply("OutOfFold", ParDo.of(new CheckFn(check, seeds, descriptions, task))
            .withOutputTags(GateStage.KEPT, TupleTagList.of(GateStage.REJECTIONS).and(GateStage.LEDGER)));
    out.get(GateStage.KEPT).setCoder(JsonCoder.of(Candidate.class));
    out.get(GateStage.REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(GateStage.LEDGER).setCoder(Ledger.coder());
    return out;
  }

  static final class CheckFn extends DoFn<KV<String, Iterable<Candidate>>, Candidate> {
    private final LabelCheck check;
    private final List<LabelFilter.Example> seeds;
    private final Map<String, String> descriptions;
    private final TaskType task;

    CheckFn(LabelCheck check, List<LabelFilter.Example> seeds, Map<String, String> descriptions, TaskType task) {
      this.check = check;
      this.seeds = seeds;
      this.descriptions = descriptions;
      this.task = task;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Candidate>> pool, MultiOutputReceiver out) {
      Map<String, Candidate> byId = new HashMap<>();
      List<LabelCheck.Item> items = new ArrayList<>();
      for (Candidate c : pool.getValue()) {
        if (byId.putIfAbsent(c.id(), c) == null) {
          items.add(new LabelCheck.Item(c.id(), Texts.of(c, task), c.label()));
        }
      }
      LabelCheck.Outcome outcome = Timings.time("label check (out of fold)", () -> check.check(seeds, descriptions, items));
      for (LabelCheck.Judged j : outcome.judged()) {
        Candidate c = byId.get(j.item().id());
        if (j.probabilities() != null && c.label() != null) {
          out.get(GateStage.LEDGER).output(Ledger.count(Counter.LABEL_CHECKED, c.label(), 1));
        }
        Verdict v = j.verdict();
        if (v.keep()) {
          out.get(GateStage.LEDGER).output(Ledger.count(Counter.QUALITY_PASSED, c.label(), 1));
          out.get(GateStage.KEPT).output(c);
        } else {
          out.get(GateStage.LEDGER).output(Ledger.count(Counter.REJECTED, "quality/" + LabelFilter.NAME, c.label(), 1));
          out.get(GateStage.REJECTIONS).output(Rejection.of(c, "quality", LabelFilter.NAME, v.reason(), v.score(), v.threshold(), v.relatedId()));
        }
      }
    }
  }
}
