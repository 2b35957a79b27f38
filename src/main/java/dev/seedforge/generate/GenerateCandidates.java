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
    PCollection<CallOutcome> outcomes =
        requests
            .apply("Spread", Reshuffle.viaRandomKey())
            .apply("Call", ParDo.of(new CallFn(settings)))
            .setCoder(JsonCoder.of(CallOutcome.class));
    PCollectionTuple parsed =
        outcomes.apply(
            "Parse",
            ParDo.of(new ParseFn(settings.task()))
                .withOutputTags(CANDIDATES, TupleTagList.of(REJECTIONS).and(FAILURES).and(LEDGER)));
    parsed.get(CANDIDATES).setCoder(JsonCoder.of(Candidate.class));
    parsed.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    parsed.get(FAILURES).setCoder(JsonCoder.of(Failure.class));
    parsed.get(LEDGER).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return parsed;
  }

  /**
   * Calls the model on a bounded thread pool: up to {@code concurrency} calls in flight, joined at
   * the end of the bundle and emitted from the bundle's own thread, as Beam requires.
   */
  static final class CallFn extends DoFn<GenerationRequest, CallOutcome> {
    private final ModelSettings settings;
    private transient ModelCaller caller;
    private transient ExecutorService pool;
    private transient Semaphore permits;
    private transient List<Future<CallOutcome>> pending;

    CallFn(ModelSettings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      caller = new LangChainCaller(settings, System.getenv());
      pool =
          Executors.newFixedThreadPool(
              settings.concurrency(),
              r -> {
                Thread t = new Thread(r, "seedforge-call");
                t.setDaemon(true);
                return t;
              });
      permits = new Semaphore(settings.concurrency());
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element GenerationRequest request, OutputReceiver<CallOutcome> out) throws Exception {
      permits.acquire();
      pending.add(
          pool.submit(
              () -> {
                try {
                  return caller.call(request);
                } finally {
                  permits.release();
                }
              }));
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

    @Teardown
    public void teardown() {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** Parses a response into candidates; a response or an item that can't be used is a rejection. */
  static final class ParseFn extends DoFn<CallOutcome, Candidate> {
    private final TaskType task;

    ParseFn(TaskType task) {
      this.task = task;
    }

    @ProcessElement
    public void process(@Element CallOutcome o, MultiOutputReceiver out) {
      GenerationRequest r = o.request();
      String label = r.label();
      OutputReceiver<KV<String, Long>> ledger = out.get(LEDGER);
      ledger.output(Ledger.count("calls", "attempts", label, o.attempts()));
      if (!o.ok()) {
        ledger.output(Ledger.count("calls", "failed", label, 1));
        ledger.output(Ledger.count("failures", o.errorKind(), 1));
        out.get(FAILURES)
            .output(new Failure(r.id(), label, r.strategy(), r.templateId(), r.params().model(), o.errorKind(), o.errorMessage(), o.attempts()));
        return;
      }
      ledger.output(Ledger.count("calls", o.cached() ? "cached" : "made", label, 1));
      ledger.output(Ledger.count("tokens", "input", label, o.inputTokens()));
      ledger.output(Ledger.count("tokens", "output", label, o.outputTokens()));
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
      for (ResponseParser.Item item : parsed.items()) {
        Candidate c = Candidate.of(label, item.fields(), provenance, position++);
        if (item.problem() != null) {
          ledger.output(Ledger.count("rejected", "parse/schema", label, 1));
          out.get(REJECTIONS).output(Rejection.of(c, "parse", "schema", item.problem(), null, null, null));
        } else {
          ledger.output(Ledger.count("generated", "candidates", label, 1));
          out.get(CANDIDATES).output(c);
        }
      }
    }
  }
}
