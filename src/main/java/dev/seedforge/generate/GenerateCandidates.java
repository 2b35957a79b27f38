package dev.seedforge.generate;

import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The generation stage: calls the model for every planned request, keeping {@code concurrency}
 * calls in flight per worker, then parses each response into candidates. Every request ends as
 * candidates, a rejection (unparseable response, raw text kept) or a failure record.
 */
public final class GenerateCandidates extends PTransform<PCollection<GenerationRequest>, PCollectionTuple> {
  public static final TupleTag<Candidate> CANDIDATES = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};
  public static final TupleTag<KV<String, Long>> LEDGER = new TupleTag<>() {};

  private final ModelSettings settings;

  public GenerateCandidates(ModelSettings settings) {
    this.settings = settings;
  }

  @Override
  public PCollectionTuple expand(PCollection<GenerationRequest> requests) {
    // No Reshuffle before the calls: on the DirectRunner a Reshuffle.viaRandomKey hands CallFn
    // bundles of one element, and a bundle's calls are joined in @FinishBundle, so at most one call
    // per bundle thread was in flight. The planned requests arrive in a few large bundles instead,
    // and the per-JVM pool keeps llm.concurrency calls in flight across them.
    PCollection<CallOutcome> outcomes =
        requests
            .apply("Call", ParDo.of(new CallFn(settings)))
            .setCoder(JsonCoder.of(CallOutcome.class));
    PCollectionTuple parsed =
        outcomes.apply(
            "Parse",
            ParDo.of(new ParseFn(settings.task(), settings.price(), settings.runId()))
                .withOutputTags(CANDIDATES, TupleTagList.of(REJECTIONS).and(FAILURES).and(LEDGER)));
    parsed.get(CANDIDATES).setCoder(JsonCoder.of(Candidate.class));
    parsed.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    parsed.get(FAILURES).setCoder(JsonCoder.of(Failure.class));
    parsed.get(LEDGER).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return parsed;
  }

  /**
   * Calls the model on the worker's shared pool: up to {@code concurrency} calls in flight per JVM
   * (shared by every bundle and DoFn instance), joined at the end of the bundle and emitted from the
   * bundle's own thread, as Beam requires. Each request is answered from the response cache when it
   * can be; each response is stored there as soon as it arrives.
   */
  static final class CallFn extends DoFn<GenerationRequest, CallOutcome> {
    private final ModelSettings settings;
    private transient Calls calls;
    private transient List<Future<CallOutcome>> pending;

    CallFn(ModelSettings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      calls = new Calls(settings, new LangChainCaller(settings, System.getenv()));
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element GenerationRequest request, OutputReceiver<CallOutcome> out) throws Exception {
      pending.add(calls.submit(request));
      // Emit what has finished so memory stays bounded on large bundles.
      for (int i = 0; i < pending.size(); ) {
        Future<CallOutcome> f = pending.get(i);
        if (f.isDone()) {
          out.output(join(f));
          pending.remove(i);
        } else {
          i++;
        }
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) throws Exception {
      for (Future<CallOutcome> f : pending) {
        context.output(join(f), BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
      pending.clear();
    }

    private static CallOutcome join(Future<CallOutcome> f) throws Exception {
      try {
        return f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }
  }

  /** Parses a response into candidates; a response or an item that can't be used is a rejection. */
  static final class ParseFn extends DoFn<CallOutcome, Candidate> {
    private final TaskType task;
    private final dev.seedforge.config.PipelineSpec.Price price;
    private final String runId;

    ParseFn(TaskType task, dev.seedforge.config.PipelineSpec.Price price, String runId) {
      this.task = task;
      this.price = price;
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element CallOutcome o, MultiOutputReceiver out) {
      GenerationRequest r = o.request();
      String label = r.label();
      OutputReceiver<KV<String, Long>> ledger = out.get(LEDGER);
      ledger.output(Ledger.count("calls", "attempts", label, o.attempts()));
      ledger.output(Ledger.count("calls", "retried", label, Math.max(0, o.attempts() - 1)));
      if (!o.ok()) {
        ledger.output(Ledger.count("calls", "failed", label, 1));
        ledger.output(Ledger.count("failures", o.errorKind(), 1));
        out.get(FAILURES)
            .output(new Failure(r.id(), label, r.strategy(), r.templateId(), r.params().model(), o.errorKind(), o.errorMessage(), o.attempts()));
        return;
      }
      ledger.output(Ledger.count("calls", o.cached() ? "cached" : "made", label, 1));
      if (o.cached()) {
        // paid for by an earlier run: reported, never billed twice
        ledger.output(Ledger.count("tokens", "cached_input", label, o.inputTokens()));
        ledger.output(Ledger.count("tokens", "cached_output", label, o.outputTokens()));
      } else {
        ledger.output(Ledger.count("tokens", "input", label, o.inputTokens()));
        ledger.output(Ledger.count("tokens", "output", label, o.outputTokens()));
        ledger.output(Ledger.count("cost", "usd_micros", label, Math.round(Prices.cost(price, o.inputTokens(), o.outputTokens()) * 1e6)));
      }
      boolean truncated = "length".equals(o.finishReason());
      ResponseParser.Parsed parsed = ResponseParser.parse(o.text(), task, truncated);
      Candidate.Provenance provenance =
          new Candidate.Provenance(r.seedIds(), r.strategy(), r.templateId(), r.params().provider(), r.params().model(), r.id(), r.round());
      if (parsed.problem() != null) {
        ledger.output(Ledger.count("rejected", "parse/" + parsed.filter(), label, 1));
        out.get(REJECTIONS)
            .output(
                new Rejection(
                    r.id(), label, "parse", parsed.filter(), parsed.problem(), null, null, null, null, o.text(),
                    r.id(), r.strategy(), r.templateId(), r.params().provider()));
        return;
      }
      int position = 0;
      long accepted = 0;
      for (ResponseParser.Item item : parsed.items()) {
        Candidate c = Candidate.of(label, item.fields(), provenance, position++);
        if (item.problem() != null) {
          ledger.output(Ledger.count("rejected", "parse/schema", label, 1));
          out.get(REJECTIONS).output(Rejection.of(c, "parse", "schema", item.problem(), null, null, null));
        } else {
          ledger.output(Ledger.count("generated", "candidates", label, 1));
          out.get(CANDIDATES).output(c);
          accepted++;
        }
      }
      RunState state = RunState.find(runId);
      if (state != null) {
        state.accepted.addAndGet(accepted);
      }
    }
  }
}
