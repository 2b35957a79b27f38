package dev.seedforge.judge;

import dev.seedforge.accounting.CallRecord;
import dev.seedforge.accounting.RunContext;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.generate.CallOutcome;
import dev.seedforge.generate.Calls;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Failure;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.LangChainCaller;
import dev.seedforge.generate.ModelSettings;
import dev.seedforge.generate.Rejection;
import dev.seedforge.generate.ResponseCache;
import dev.seedforge.generate.TokenCounter;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.quality.LabelCheckStage;
import dev.seedforge.quality.Texts;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The optional LLM judge, after the gate and dedup: every generated candidate (seeds are not
 * judged) gets a verdict from the judge model, {@code batch_size} candidates per call, through the
 * same calls as generation ({@link Calls}: response cache, claims, the run's ledger and budget,
 * the circuit breaker, retries). A rubric score below the threshold rejects ({@code judge_score});
 * a blind label pick other than the intended label rejects ({@code judge_label}) or is only
 * counted. Each verdict is stored in the response cache as soon as its reply arrives, so a later
 * round or run judges only candidates it has not seen. A candidate without a verdict (the call
 * failed, was not sent, or the reply left it out or was malformed) is kept unjudged and its batch
 * is a failure record: the judge only removes what it has judged.
 */
public final class JudgeStage extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};
  public static final TupleTag<CallRecord> CALLS = new TupleTag<>() {};
  private static final TupleTag<Candidate> SEEDS = new TupleTag<>() {};
  private static final TupleTag<KV<Integer, Candidate>> TO_JUDGE = new TupleTag<>() {};

  /** The strategy and template name of a judge call, and the stage of its rejections. */
  public static final String STRATEGY = "judge";
  public static final String SCORE_FILTER = "judge_score";
  public static final String LABEL_FILTER = "judge_label";
  /** The failure kind of a batch whose reply gave some candidates no verdict. */
  public static final String NO_VERDICT = "judge_no_verdict";

  /** The names of the {@link Counter#JUDGE} counts. */
  public static final String JUDGED = "judged";
  public static final String UNJUDGED = "unjudged";
  public static final String FROM_CACHE = "verdicts_from_cache";
  public static final String RELABEL_AGREED = "relabel_agreed";
  public static final String DISAGREED_KEPT = "disagreed_kept";

  /**
   * With {@code on_disagreement: consensus}, a disagreement rejects when the pool model's
   * probability of the judge's pick is at least this share of the intended label's.
   */
  public static final double CONSENSUS_SHARE = 0.5;
  public static final String SENT_OWN_TOKENS = "sent_own_tokens";

  /** Everything the judge needs on a worker. */
  public record Config(ModelSettings settings, PipelineSpec.Judge judge, JudgePrompt prompt, TaskType task, double scaleMin, double scaleMax,
      Set<String> labels) implements Serializable {
    public Config {
      labels = Set.copyOf(labels);
    }
  }

  private final Config config;
  private final RunContext run;

  public JudgeStage(Config config, RunContext run) {
    this.config = config;
    this.run = run;
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> candidates) {
    PCollectionTuple split = candidates.apply("SeedsOrJudged", ParDo.of(new DoFn<Candidate, Candidate>() {
      @ProcessElement
      public void process(@Element Candidate c, MultiOutputReceiver out) {
        if (ExactDedup.isSeed(c)) {
          out.get(SEEDS).output(c);
        } else {
          // one group: batches are cut from the candidates in id order, the same on every runner
          out.get(TO_JUDGE).output(KV.of(0, c));
        }
      }
    }).withOutputTags(SEEDS, TupleTagList.of(TO_JUDGE)));
    PCollectionTuple judged = split.get(TO_JUDGE).setCoder(KvCoder.of(VarIntCoder.of(), JsonCoder.of(Candidate.class)))
        .apply("GroupForJudge", dev.seedforge.pipeline.BundledGroupByKey.create())
        .apply("Pool", Values.create())
        .apply("Judge", ParDo.of(new JudgeFn(config, run))
            .withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(FAILURES).and(LEDGER).and(CALLS)));
    PCollection<Candidate> kept = PCollectionList.of(judged.get(KEPT).setCoder(JsonCoder.of(Candidate.class)))
        .and(split.get(SEEDS).setCoder(JsonCoder.of(Candidate.class)))
        .apply("WithSeeds", Flatten.pCollections());
    judged.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    judged.get(FAILURES).setCoder(JsonCoder.of(Failure.class));
    judged.get(LEDGER).setCoder(Ledger.coder());
    judged.get(CALLS).setCoder(JsonCoder.of(CallRecord.class));
    return PCollectionTuple.of(KEPT, kept).and(REJECTIONS, judged.get(REJECTIONS)).and(FAILURES, judged.get(FAILURES))
        .and(LEDGER, judged.get(LEDGER)).and(CALLS, judged.get(CALLS));
  }

  /** Judges the pool: cached verdicts first, then the rest in batches, calls in flight up to llm.concurrency. */
  static final class JudgeFn extends DoFn<Iterable<Candidate>, Candidate> {
    private final Config config;
    private final RunContext run;
    private transient Calls calls;
    private transient ResponseCache cache;
    private transient TokenCounter tokens;

    JudgeFn(Config config, RunContext run) {
      this.config = config;
      this.run = run;
    }

    @Setup
    public void setup() {
      ModelSettings s = config.settings();
      calls = new Calls(s, run, new LangChainCaller(s, System.getenv()));
      cache = s.cachePath() == null ? null : ResponseCache.open(s.cachePath());
      tokens = TokenCounter.forModel(s.model());
    }

    @ProcessElement
    public void process(@Element Iterable<Candidate> pool, MultiOutputReceiver out) throws Exception {
      List<Candidate> sorted = new ArrayList<>();
      pool.forEach(sorted::add);
      sorted.sort(Comparator.comparing(Candidate::id));
      List<Candidate> toAsk = new ArrayList<>();
      for (Candidate c : sorted) {
        Verdict v = cachedVerdict(c);
        if (v == null) {
          toAsk.add(c);
        } else {
          count(out, JudgeStage.FROM_CACHE, c.label(), 1);
          apply(c, v, out);
        }
      }
      int size = config.judge().batchSize();
      List<List<Candidate>> batches = new ArrayList<>();
      List<Future<CallOutcome>> pending = new ArrayList<>();
      for (int from = 0; from < toAsk.size(); from += size) {
        List<Candidate> batch = toAsk.subList(from, Math.min(toAsk.size(), from + size));
        batches.add(batch);
        pending.add(calls.submit(config.prompt().request(batch, run.round())));
      }
      for (int i = 0; i < batches.size(); i++) {
        answer(batches.get(i), Calls.join(pending.get(i)), out);
      }
    }

    private Verdict cachedVerdict(Candidate c) throws java.io.IOException {
      if (cache == null) {
        return null;
      }
      ResponseCache.Entry hit = cache.get(config.prompt().verdictId(c.id()));
      // --refresh-cache judges again once per run, like it calls again
      if (hit == null || (config.settings().refreshCache() && !run.runId().equals(hit.paidByRun()))) {
        return null;
      }
      return Json.mapper().readValue(hit.text(), Verdict.class);
    }

    private void answer(List<Candidate> batch, CallOutcome o, MultiOutputReceiver out) {
      GenerationRequest r = o.request();
      if (o.source() == CallRecord.Source.CALLED) {
        long own = 0;
        for (Candidate c : batch) {
          own += tokens.count(Texts.of(c, config.task()));
        }
        count(out, JudgeStage.SENT_OWN_TOKENS, null, own);
      }
      if (!o.ok()) {
        out.get(CALLS).output(o.record(run.round(), 0).withPurpose(CallRecord.Purpose.JUDGE));
        out.get(FAILURES).output(failure(r, o.errorKind(), o.errorMessage() + "; " + batch.size() + " candidates kept unjudged", o.attempts()));
        batch.forEach(c -> unjudged(c, out));
        return;
      }
      PipelineSpec.Judge j = config.judge();
      JudgeReply reply = JudgeReply.parse(o.text(), batch.size(), j.rubric(), config.scaleMin(), config.scaleMax(), j.relabel(), config.labels());
      out.get(CALLS).output(o.record(run.round(), reply.verdicts().size()).withPurpose(CallRecord.Purpose.JUDGE));
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        Candidate c = batch.get(i);
        Verdict v = reply.verdicts().get(i + 1);
        if (v == null) {
          missing.add("[" + (i + 1) + "] " + c.id());
          unjudged(c, out);
          continue;
        }
        if (cache != null) {
          cache.put(config.prompt().verdictId(c.id()), config.settings().model(),
              new ResponseCache.Entry(Json.write(v), "verdict", 0, 0, run.runId()));
        }
        apply(c, v, out);
      }
      if (!missing.isEmpty()) {
        out.get(FAILURES).output(failure(r, NO_VERDICT, reply.problem() + "; kept unjudged: " + String.join(", ", missing), o.attempts()));
      }
    }

    private Failure failure(GenerationRequest r, String kind, String message, int attempts) {
      return new Failure(r.id(), null, STRATEGY, STRATEGY, r.params().model(), kind, message, attempts);
    }

    private void unjudged(Candidate c, MultiOutputReceiver out) {
      count(out, JudgeStage.UNJUDGED, c.label(), 1);
      out.get(KEPT).output(c);
    }

    /** Keeps or rejects {@code c} by its verdict, and counts it. */
    private void apply(Candidate c, Verdict v, MultiOutputReceiver out) {
      PipelineSpec.Judge j = config.judge();
      count(out, JudgeStage.JUDGED, c.label(), 1);
      boolean agreed = !j.relabel() || c.label() == null || c.label().equals(v.label());
      if (j.relabel() && agreed) {
        count(out, JudgeStage.RELABEL_AGREED, c.label(), 1);
      }
      String why = v.rationale() == null || v.rationale().isBlank() ? "" : ": " + v.rationale();
      if (j.rubric() && v.score() != null && v.score() < j.threshold()) {
        reject(c, SCORE_FILTER, String.format(Locale.ROOT, "judge score %s below %s%s", fmt(v.score()), fmt(j.threshold()), why),
            v.score(), j.threshold(), out);
        return;
      }
      if (!agreed) {
        Double own = c.features().get(LabelCheckStage.EVIDENCE_PREFIX + c.label());
        Double pick = c.features().get(LabelCheckStage.EVIDENCE_PREFIX + v.label());
        boolean weighed = j.onDisagreement() == PipelineSpec.OnDisagreement.CONSENSUS && own != null && pick != null;
        if (weighed && pick >= CONSENSUS_SHARE * own) {
          reject(c, LABEL_FILTER, String.format(Locale.ROOT, "the judge picked %s, not %s, and the label check's pool model gives %s %.3f against %.3f%s",
              v.label(), c.label(), v.label(), pick, own, why), pick, CONSENSUS_SHARE * own, out);
          return;
        }
        if (j.onDisagreement() == PipelineSpec.OnDisagreement.REJECT
            || (j.onDisagreement() == PipelineSpec.OnDisagreement.CONSENSUS && !weighed)) {
          reject(c, LABEL_FILTER, "the judge picked " + v.label() + ", not " + c.label() + why, v.score(), j.rubric() ? j.threshold() : null, out);
          return;
        }
        count(out, JudgeStage.DISAGREED_KEPT, c.label(), 1);
      }
      out.get(KEPT).output(v.score() == null ? c : c.withFeatures(Map.of(SCORE_FILTER, v.score())));
    }

    private static void reject(Candidate c, String filter, String reason, Double score, Double threshold, MultiOutputReceiver out) {
      out.get(LEDGER).output(Ledger.count(Counter.REJECTED, STRATEGY + "/" + filter, c.label(), 1));
      out.get(REJECTIONS).output(Rejection.of(c, STRATEGY, filter, reason, score, threshold, null));
    }

    private static void count(MultiOutputReceiver out, String name, String label, long n) {
      out.get(LEDGER).output(Ledger.count(Counter.JUDGE, name, label, n));
    }

    private static String fmt(double d) {
      return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
  }
}
