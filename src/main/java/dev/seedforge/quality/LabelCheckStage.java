package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JoinById;
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
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@link LabelCheck} as a Beam stage: a global step, since every candidate's verdict depends on
 * the whole pool. Compact rows (id, judged text, label) meet under one key, one DoFn trains the
 * fold models and scores each candidate out of fold, and its findings meet the records by id
 * ({@link JoinById}), where the records wait while the models train (not in a side input's
 * pushback, which the DirectRunner evaluated again and again). The rows' group is bundled
 * ({@link dev.seedforge.pipeline.BundledGroupByKey}), so the DirectRunner does not copy its bag
 * value by value for every arriving bundle. Outputs the kept candidates ({@link GateStage#KEPT}), the rejections
 * ({@code label_consistency}, stage quality) and the ledger: per label, the candidates judged
 * ({@link Counter#LABEL_CHECKED}), those rejected, and those that passed the quality gate.
 */
public final class LabelCheckStage extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  private final LabelCheck check;
  private final List<LabelFilter.Example> seeds;
  private final Map<String, String> descriptions;
  private final TaskType task;

  private final boolean evidence;
  private final int shards;

  /** Groups in which the records meet the pool's findings, unless {@link #withShards} says otherwise. */
  public static final int SHARDS = 16;

  public LabelCheckStage(LabelCheck check, List<LabelFilter.Example> seeds, Map<String, String> descriptions, TaskType task) {
    this(check, seeds, descriptions, task, false, SHARDS);
  }

  private LabelCheckStage(LabelCheck check, List<LabelFilter.Example> seeds, Map<String, String> descriptions, TaskType task, boolean evidence, int shards) {
    this.check = check;
    this.seeds = List.copyOf(seeds);
    this.descriptions = new java.util.TreeMap<>(descriptions);
    this.task = task;
    this.evidence = evidence;
    this.shards = shards;
  }

  /**
   * The same check with the records meeting the findings in {@code shards} groups: the result does
   * not depend on it, only how many bundles and keys the runner tracks (on the DirectRunner, one
   * per worker thread is cheapest).
   */
  public LabelCheckStage withShards(int shards) {
    return new LabelCheckStage(check, seeds, descriptions, task, evidence, shards);
  }

  /**
   * The same check, also writing every kept candidate's out-of-fold label probabilities as features
   * ({@value #EVIDENCE_PREFIX}LABEL), for a later stage that weighs its own verdict against them
   * (the judge's {@code on_disagreement: consensus}).
   */
  public LabelCheckStage withEvidence(boolean on) {
    return new LabelCheckStage(check, seeds, descriptions, task, on, shards);
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
        .apply("Pool", dev.seedforge.pipeline.BundledGroupByKey.create())
        .apply("OutOfFold", ParDo.of(new CheckFn(check, seeds, descriptions, evidence)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Finding.class)));
    java.util.Set<String> seedLabels = new java.util.TreeSet<>();
    seeds.forEach(e -> seedLabels.add(e.label()));
    PCollectionTuple out = JoinById.group("Join", input, suspects, JsonCoder.of(Finding.class), shards)
        .apply("Decide", ParDo.of(new DecideFn(seedLabels.size() >= 2 ? seedLabels : java.util.Set.of()))
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
      LabelCheck.Outcome outcome = Timings.time("label check (out of fold)", () -> check.checkRemembered(seeds, descriptions, items));
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

  /** Sends each record of a shard on, or to the rejections when the pool found it suspect. */
  static final class DecideFn extends DoFn<KV<Integer, Iterable<JoinById.Side<Finding>>>, Candidate> {
    private final java.util.Set<String> judgedLabels;

    DecideFn(java.util.Set<String> judgedLabels) {
      this.judgedLabels = judgedLabels;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<JoinById.Side<Finding>>> shard, MultiOutputReceiver out) {
      for (JoinById.Decided<Finding> d : JoinById.match(shard.getValue())) {
        decide(d.record(), d.decisions().isEmpty() ? null : d.decisions().get(0), out);
      }
    }

    private void decide(Candidate c, Finding f, MultiOutputReceiver out) {
      if (c.label() != null && judgedLabels.contains(c.label())) {
        out.get(GateStage.LEDGER).output(Ledger.count(Counter.LABEL_CHECKED, c.label(), 1));
      }
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
