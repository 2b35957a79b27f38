package dev.seedforge.pairs;

import dev.seedforge.accounting.CallRecord;
import dev.seedforge.accounting.RunContext;
import dev.seedforge.generate.Calls;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Failure;
import dev.seedforge.generate.LangChainCaller;
import dev.seedforge.generate.ModelSettings;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The pair stage of a preference run, after the prompts' dedup: every prompt (generated, or a
 * seed's) becomes a pair by the pack's method, and the pair goes through {@link PairGate}. The
 * prompts meet in one group, like the judge's pool, so the phases of {@link PairMaker} have every
 * prompt's calls in flight together, up to llm.concurrency. Calls go through {@link Calls}
 * (response cache, claims, the run's ledger and llm.budget, retries, the circuit breaker); each is
 * one generation call record, counted once in the manifest's calls and cost.
 */
public final class PairStage extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};
  public static final TupleTag<CallRecord> CALLS = new TupleTag<>() {};

  /** The names of the {@link Counter#PAIRS} counts. */
  public static final String PROMPTS = "prompts";
  public static final String MADE = "made";
  public static final String KEPT_PAIRS = "kept";

  /**
   * Everything the stage needs on a worker. {@code settings} is null offline (lexical pairs);
   * {@code weaker} only for method models; {@code judge} only for judge_rank.
   */
  public record Config(PairSettings pairs, PairPrompts prompts, PairGate gate, ModelSettings settings, ModelSettings weaker, ModelSettings judge,
      long seed) implements Serializable {
    public boolean llm() {
      return settings != null;
    }
  }

  /** The stage's outputs, typed. */
  public record Result(PCollection<Candidate> kept, PCollection<Rejection> rejections, PCollection<Failure> failures,
      PCollection<KV<Ledger.Key, Long>> ledger, PCollection<CallRecord> calls) {}

  private final Config config;
  private final RunContext run;

  public PairStage(Config config, RunContext run) {
    this.config = config;
    this.run = run;
  }

  /** Applies the stage to {@code prompts}. */
  public static Result apply(PCollection<Candidate> prompts, Config config, RunContext run) {
    PCollectionTuple t = prompts.apply("Pairs", new PairStage(config, run));
    return new Result(t.get(KEPT), t.get(REJECTIONS), t.get(FAILURES), t.get(LEDGER), t.get(CALLS));
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> prompts) {
    PCollectionTuple out = prompts
        .apply("OnePool", WithKeys.of(0)).setCoder(KvCoder.of(VarIntCoder.of(), JsonCoder.of(Candidate.class)))
        .apply("GroupPrompts", dev.seedforge.pipeline.BundledGroupByKey.create())
        .apply("Prompts", Values.create())
        .apply("MakePairs", ParDo.of(new PairFn(config, run))
            .withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(FAILURES).and(LEDGER).and(CALLS)));
    out.get(KEPT).setCoder(JsonCoder.of(Candidate.class));
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(FAILURES).setCoder(JsonCoder.of(Failure.class));
    out.get(LEDGER).setCoder(Ledger.coder());
    out.get(CALLS).setCoder(JsonCoder.of(CallRecord.class));
    return out;
  }

  static final class PairFn extends DoFn<Iterable<Candidate>, Candidate> {
    private final Config config;
    private final RunContext run;
    private transient Map<PairMaker.Side, Calls> calls;

    PairFn(Config config, RunContext run) {
      this.config = config;
      this.run = run;
    }

    @Setup
    public void setup() {
      calls = new EnumMap<>(PairMaker.Side.class);
      if (!config.llm()) {
        return;
      }
      calls.put(PairMaker.Side.GENERATOR, calls(config.settings()));
      calls.put(PairMaker.Side.WEAKER, config.weaker() == null ? calls.get(PairMaker.Side.GENERATOR) : calls(config.weaker()));
      calls.put(PairMaker.Side.JUDGE, config.judge() == null ? calls.get(PairMaker.Side.GENERATOR) : calls(config.judge()));
    }

    private Calls calls(ModelSettings s) {
      return new Calls(s, run, new LangChainCaller(s, System.getenv()));
    }

    @ProcessElement
    public void process(@Element Iterable<Candidate> pool, MultiOutputReceiver out) throws Exception {
      List<Candidate> prompts = new ArrayList<>();
      pool.forEach(prompts::add);
      prompts.sort(Comparator.comparing(Candidate::id));
      out.get(LEDGER).output(Ledger.count(Counter.PAIRS, PROMPTS, null, prompts.size()));
      PairMaker maker = new PairMaker(config.pairs(), config.prompts(), config.seed(), run.round());
      PairMaker.Result r = config.llm() ? maker.make(prompts, (request, side) -> calls.get(side).submit(request)) : maker.lexical(prompts);
      for (PairMaker.Call c : r.calls()) {
        out.get(CALLS).output(c.outcome().record(run.round(), c.usable() ? 1 : 0));
      }
      r.failures().forEach(out.get(FAILURES)::output);
      r.rejections().forEach(rejection -> reject(rejection, out));
      out.get(LEDGER).output(Ledger.count(Counter.PAIRS, MADE, null, r.pairs().size()));
      for (Candidate pair : r.pairs()) {
        Optional<Rejection> no = config.gate().check(pair);
        if (no.isPresent()) {
          reject(no.get(), out);
        } else {
          out.get(LEDGER).output(Ledger.count(Counter.PAIRS, KEPT_PAIRS, null, 1));
          out.get(KEPT).output(pair);
        }
      }
    }

    private static void reject(Rejection r, MultiOutputReceiver out) {
      out.get(LEDGER).output(Ledger.count(Counter.REJECTED, r.stage() + "/" + r.filter(), r.label(), 1));
      out.get(REJECTIONS).output(r);
    }
  }
}
