package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Timings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@link LabelCheck} as a Beam stage: a global step, since every candidate's verdict depends on
 * the whole pool. Compact rows (id, judged text, label) meet under one key, one DoFn trains the
 * fold models and scores each candidate out of fold, and its rejections reach the records as a
 * side input, so the records themselves are never shuffled (see the README's "How the stages
 * scale"). Outputs the kept candidates ({@link GateStage#KEPT}), the rejections
 * ({@code label_consistency}, stage quality) and the ledger: per label, the candidates judged
 * ({@link Counter#LABEL_CHECKED}), those rejected, and those that passed the quality gate.
 */
public final class LabelCheckStage extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  private final LabelCheck check;
  private final List<LabelFilter.Example> seeds;
  private final Map<String, String> descriptions;
  private final TaskType task;

  private final boolean evidence;

  public LabelCheckStage(LabelCheck check, List<LabelFilter.Example> seeds, Map<String, String> descriptions, TaskType task) {
    this(check, seeds, descriptions, task, false);
  }

  private LabelCheckStage(LabelCheck check, List<LabelFilter.Example> seeds, Map<String, String> descriptions, TaskType task, boolean evidence) {
    this.check = check;
    this.seeds = List.copyOf(seeds);
    this.descriptions = new java.util.TreeMap<>(descriptions);
    this.task = task;
    this.evidence = evidence;
  }

  /**
   * The same check, also writing every kept candidate's out-of-fold label probabilities as features
   * ({@value #EVIDENCE_PREFIX}LABEL), for a later stage that weighs its own verdict against them
   * (the judge's {@code on_disagreement: consensus}).
   */
  public LabelCheckStage withEvidence(boolean on) {
    return new LabelCheckStage(check, seeds, descriptions, task, on);
  }

  /** Feature name prefix of a kept candidate's out-of-fold probability of a label. */
  public static final String EVIDENCE_PREFIX = "label_oof/";

  /** Why a candidate was rejected, as its rejection record says it. */
  public record Suspect(String reason, Double score, Double threshold) implements java.io.Serializable {}

  /** What the pool said of a candidate: why it is suspect (null: kept), and its out-of-fold label probabilities (null: not asked for). */
  public record Finding(Suspect suspect, Map<String, Double> probabilities) implements java.io.Serializable {}

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    TaskType t = task;
    PCollection<KV<String, Finding>> suspects = input
        .apply("Rows", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(LabelCheck.Item.class)))
            .via((Candidate c) -> KV.of("pool", new LabelCheck.Item(c.id(), Texts.of(c, t), c.label()))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(LabelCheck.Item.class)))
        .apply("Pool", GroupByKey.create())
        .apply("OutOfFold", ParDo.of(new CheckFn(check, seeds, descriptions, evidence)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Finding.class)));
    PCollectionView<Map<String, Finding>> view = suspects.apply("SuspectsById", View.asMap());
    java.util.Set<String> seedLabels = new java.util.TreeSet<>();
    seeds.forEach(e -> seedLabels.add(e.label()));
    PCollectionTuple out = input.apply("Decide", ParDo.of(new DecideFn(view, seedLabels.size() >= 2 ? seedLabels : java.util.Set.of()))
        .withSideInputs(view)
        .withOutputTags(GateStage.KEPT, TupleTagList.of(GateStage.REJECTIONS).and(GateStage.LEDGER)));
    out.get(GateStage.KEPT).setCoder(JsonCoder.of(Candidate.class));
    out.get(GateStage.REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(GateStage.LEDGER).setCoder(Ledger.coder());
    return out;
  }

  /** Judges the whole pool; emits the suspects by candidate id (and, with evidence, every candidate's probabilities). */
  static final class CheckFn extends DoFn<KV<String, Iterable<LabelCheck.Item>>, KV<String, Finding>> {
    private final LabelCheck check;
    private final List<LabelFilter.Example> seeds;
    private final Map<String, String> descriptions;
    private final boolean evidence;

    CheckFn(LabelCheck check, List<LabelFilter.Example> seeds, Map<String, String> descriptions, boolean evidence) {
      this.check = check;
      this.seeds = seeds;
      this.descriptions = descriptions;
      this.evidence = evidence;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<LabelCheck.Item>> pool, OutputReceiver<KV<String, Finding>> out) {
      Map<String, LabelCheck.Item> byId = new java.util.TreeMap<>();
      for (LabelCheck.Item i : pool.getValue()) {
        byId.putIfAbsent(i.id(), i);
      }
      List<LabelCheck.Item> items = new ArrayList<>(byId.values());
      LabelCheck.Outcome outcome = Timings.time("label check (out of fold)", () -> check.check(seeds, descriptions, items));
      for (LabelCheck.Judged j : outcome.judged()) {
        Verdict v = j.verdict();
        Suspect s = v.keep() ? null : new Suspect(v.reason(), v.score(), v.threshold());
        if (s != null || (evidence && j.probabilities() != null)) {
          out.output(KV.of(j.item().id(), new Finding(s, evidence ? j.probabilities() : null)));
        }
      }
    }
  }

  static Map<String, Double> evidenceFeatures(Map<String, Double> probabilities) {
    Map<String, Double> out = new java.util.TreeMap<>();
    probabilities.forEach((label, p) -> out.put(EVIDENCE_PREFIX + label, p));
    return out;
  }

  /** Sends each record on, or to the rejections when the pool found it suspect. */
  static final class DecideFn extends DoFn<Candidate, Candidate> {
    private final PCollectionView<Map<String, Finding>> view;
    private final java.util.Set<String> judgedLabels;
    // the DirectRunner rebuilds a map side input on every read: read once per window
    private transient dev.seedforge.pipeline.PerWindow<Map<String, Finding>> findings;

    DecideFn(PCollectionView<Map<String, Finding>> view, java.util.Set<String> judgedLabels) {
      this.view = view;
      this.judgedLabels = judgedLabels;
    }

    @ProcessElement
    public void process(@Element Candidate c, ProcessContext ctx, org.apache.beam.sdk.transforms.windowing.BoundedWindow window, MultiOutputReceiver out) {
      if (findings == null) {
        findings = new dev.seedforge.pipeline.PerWindow<>();
      }
      if (c.label() != null && judgedLabels.contains(c.label())) {
        out.get(GateStage.LEDGER).output(Ledger.count(Counter.LABEL_CHECKED, c.label(), 1));
      }
      Finding f = findings.get(window, () -> ctx.sideInput(view)).get(c.id());
      Suspect s = f == null ? null : f.suspect();
      if (s == null) {
        out.get(GateStage.LEDGER).output(Ledger.count(Counter.QUALITY_PASSED, c.label(), 1));
        out.get(GateStage.KEPT).output(f == null || f.probabilities() == null ? c : c.withFeatures(evidenceFeatures(f.probabilities())));
      } else {
        out.get(GateStage.LEDGER).output(Ledger.count(Counter.REJECTED, "quality/" + LabelFilter.NAME, c.label(), 1));
        out.get(GateStage.REJECTIONS).output(Rejection.of(c, "quality", LabelFilter.NAME, s.reason(), s.score(), s.threshold(), null));
      }
    }
  }
}
