package dev.seedforge.generate;

import dev.seedforge.accounting.CallRecord;
import dev.seedforge.accounting.RunContext;
import dev.seedforge.pipeline.BundledGroupByKey;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.TypeDescriptors;
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
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};
  /** One {@link CallRecord} per request: the round's account of its calls. */
  public static final TupleTag<CallRecord> CALLS = new TupleTag<>() {};

  private final ModelSettings settings;
  private final RunContext run;
  private final int batches;
  private BatchSettings batch;
  private String prefetchModel;

  /**
   * @param planned the number of requests (sizes the batches: about four times llm.concurrency
   *     requests each, so every batch can keep the worker's calls in flight on its own)
   */
  public GenerateCandidates(ModelSettings settings, RunContext run, int planned) {
    this.settings = settings;
    this.run = run;
    this.batches = planned <= 0 ? 16 : batchCount(planned, settings.concurrency());
  }

  /** Sends the requests through the provider's Batch API when {@code b} says llm.mode: batch. */
  public GenerateCandidates withBatch(BatchSettings b) {
    this.batch = b;
    return this;
  }

  /**
   * Embeds the responses' items with {@code model} while the calls run, for a gate that judges
   * them by embeddings (see {@link dev.seedforge.quality.EmbeddingPrefetch}); null: no prefetch.
   */
  public GenerateCandidates withPrefetch(String model) {
    this.prefetchModel = model;
    return this;
  }

  /**
   * Batch mode: every request of the round in one element, so that one worker writes the batches
   * within the provider's limits, polls them, and emits every outcome; the parse step is shared.
   */
  private PCollection<CallOutcome> batchOutcomes(PCollection<GenerationRequest> requests) {
    return requests
        .apply("OneBatchPlan", WithKeys.of((GenerationRequest r) -> 0).withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), JsonCoder.of(GenerationRequest.class)))
        .apply("GroupPlan", BundledGroupByKey.create())
        .apply("Plan", Values.create())
        .apply("CallBatchApi", ParDo.of(new BatchCallFn(settings, run, batch)))
        .setCoder(JsonCoder.of(CallOutcome.class));
  }

  /** Submits, polls and collects the round's batches (see {@link BatchCalls}). */
  static final class BatchCallFn extends DoFn<Iterable<GenerationRequest>, CallOutcome> {
    private final ModelSettings settings;
    private final RunContext run;
    private final BatchSettings batch;

    BatchCallFn(ModelSettings settings, RunContext run, BatchSettings batch) {
      this.settings = settings;
      this.run = run;
      this.batch = batch;
    }

    @ProcessElement
    public void process(@Element Iterable<GenerationRequest> plan, OutputReceiver<CallOutcome> out) {
      List<GenerationRequest> all = new ArrayList<>();
      plan.forEach(all::add);
      all.sort(java.util.Comparator.comparing(GenerationRequest::id));
      for (CallOutcome o : new BatchCalls(settings, run, batch, System.getenv(), System.err).call(all)) {
        out.output(o);
      }
    }
  }

  @Override
  public PCollectionTuple expand(PCollection<GenerationRequest> requests) {
    if (batch != null && batch.on()) {
      return parse(batchOutcomes(requests));
    }
    // Requests travel to the calls in batches (grouped by a hash of the id, bundle by bundle first:
    // the DirectRunner copies a plain GroupByKey's whole bag for every bundle that reaches it). Not one by one:
    // the DirectRunner splits the planned requests into ever smaller bundles (250, 125, ... 1)
    // and a Reshuffle.viaRandomKey gave CallFn bundles of one element; as a bundle's calls must
    // finish inside it, small bundles capped the calls in flight at the runner's few threads. A
    // batch is one element that keeps llm.concurrency calls in flight by itself; on a cluster the
    // batches spread over the workers. A batch holds its runner thread until its slowest call
    // ends, so there are never more batches than the runner runs at once: a batch left waiting for
    // a thread while the others wait on stalled calls would leave the free call slots idle.
    PCollection<CallOutcome> outcomes =
        inBatches(requests, batches, "Batch")
            .apply("Call", ParDo.of(new CallFn(settings, run, prefetchModel)))
            .setCoder(JsonCoder.of(CallOutcome.class));
    return parse(outcomes);
  }

  /** How many batches {@code planned} requests make: about four times {@code concurrency} requests each. */
  public static int batchCount(int planned, int concurrency) {
    return (int) Math.max(1, Math.min(4096, Math.ceil(planned / (4.0 * concurrency))));
  }

  /**
   * The requests grouped into at most {@code batches} batches by a hash of their id, and never more
   * than the runner runs at once (see {@link #expand}); {@code name} names the steps.
   */
  public static PCollection<Iterable<GenerationRequest>> inBatches(PCollection<GenerationRequest> requests, int batches, String name) {
    int n = Math.min(batches, runnerThreads(requests.getPipeline().getOptions()));
    return requests
        .apply(name, WithKeys.of((GenerationRequest r) -> Math.floorMod(r.id().hashCode(), n)).withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), JsonCoder.of(GenerationRequest.class)))
        .apply("Group" + name, BundledGroupByKey.create())
        .apply(name + "es", Values.create());
  }

  private PCollectionTuple parse(PCollection<CallOutcome> outcomes) {
    PCollectionTuple parsed =
        outcomes.apply(
            "Parse",
            ParDo.of(new ParseFn(settings.task(), run.round()))
                .withOutputTags(CANDIDATES, TupleTagList.of(REJECTIONS).and(FAILURES).and(LEDGER).and(CALLS)));
    parsed.get(CANDIDATES).setCoder(JsonCoder.of(Candidate.class));
    parsed.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    parsed.get(FAILURES).setCoder(JsonCoder.of(Failure.class));
    parsed.get(LEDGER).setCoder(Ledger.coder());
    parsed.get(CALLS).setCoder(JsonCoder.of(CallRecord.class));
    return parsed;
  }

  /**
   * How many bundles of a step the runner processes at once, where it says: the DirectRunner's
   * {@code --targetParallelism}; otherwise unbounded (the batches' size alone decides).
   */
  static int runnerThreads(PipelineOptions options) {
    Class<?> runner = options.getRunner();
    if (runner != null && runner.getName().equals("org.apache.beam.runners.direct.DirectRunner")) {
      return Math.max(1, options.as(DirectOptions.class).getTargetParallelism());
    }
    return Integer.MAX_VALUE;
  }

  /**
   * Calls the model for a batch of requests on the worker's shared pool: up to {@code concurrency}
   * calls in flight per JVM (shared by every batch and DoFn instance). Outcomes are emitted from
   * the processing thread as they complete, as Beam requires. Each request is answered from the
   * response cache when it can be; each response is stored there as soon as it arrives.
   */
  static final class CallFn extends DoFn<Iterable<GenerationRequest>, CallOutcome> {
    private final ModelSettings settings;
    private final RunContext run;
    private final String prefetchModel;
    private transient Calls calls;
    private transient dev.seedforge.quality.EmbeddingPrefetch prefetch;

    CallFn(ModelSettings settings, RunContext run, String prefetchModel) {
      this.settings = settings;
      this.run = run;
      this.prefetchModel = prefetchModel;
    }

    @Setup
    public void setup() {
      calls = new Calls(settings, run, new LangChainCaller(settings, System.getenv()));
      if (prefetchModel != null && dev.seedforge.quality.EmbeddingPrefetch.enabled()) {
        prefetch = dev.seedforge.quality.EmbeddingPrefetch.of(prefetchModel);
        TaskType task = settings.task();
        calls.onOutcome(o -> prefetch.offer(usableItems(o, task), task));
      }
    }

    @ProcessElement
    public void process(@Element Iterable<GenerationRequest> batch, OutputReceiver<CallOutcome> out) throws Exception {
      try (AutoCloseable calling = prefetch == null ? () -> {} : prefetch.open()) {
        List<Future<CallOutcome>> pending = new ArrayList<>();
        for (GenerationRequest request : batch) {
          pending.add(calls.submit(request));
          emitDone(pending, out);
        }
        for (Future<CallOutcome> f : pending) {
          out.output(Calls.join(f));
        }
      }
    }

    private static void emitDone(List<Future<CallOutcome>> pending, OutputReceiver<CallOutcome> out) throws Exception {
      for (int i = 0; i < pending.size(); ) {
        Future<CallOutcome> f = pending.get(i);
        if (f.isDone()) {
          out.output(Calls.join(f));
          pending.remove(i);
        } else {
          i++;
        }
      }
    }
  }

  /**
   * Parses a response into candidates; a response or an item that can't be used is a rejection.
   * Every outcome also goes out as its round's {@link CallRecord}, the account of the call.
   */
  static final class ParseFn extends DoFn<CallOutcome, Candidate> {
    private final TaskType task;
    private final int round;

    ParseFn(TaskType task, int round) {
      this.task = task;
      this.round = round;
    }

    @ProcessElement
    public void process(@Element CallOutcome o, MultiOutputReceiver out) {
      GenerationRequest r = o.request();
      String label = r.label();
      if (!o.ok()) {
        out.get(CALLS).output(o.record(round, 0));
        out.get(FAILURES)
            .output(new Failure(r.id(), label, r.strategy(), r.templateId(), r.params().model(), o.errorKind(), o.errorMessage(), o.attempts()));
        return;
      }
      OutputReceiver<KV<Ledger.Key, Long>> ledger = out.get(LEDGER);
      ResponseParser.Parsed parsed = parsed(o, task);
      Candidate.Provenance provenance =
          new Candidate.Provenance(r.seedIds(), r.strategy(), r.templateId(), r.params().provider(), r.params().model(), r.id(), r.round(),
              r.grounding());
      if (parsed.problem() != null) {
        out.get(CALLS).output(o.record(round, 0));
        ledger.output(Ledger.count(Counter.REJECTED, "parse/" + parsed.filter(), label, 1));
        out.get(REJECTIONS)
            .output(
                new Rejection(
                    r.id(), label, "parse", parsed.filter(), parsed.problem(), null, null, null, null, o.text(),
                    r.id(), r.strategy(), r.templateId(), r.params().provider()));
        return;
      }
      int position = 0;
      int usable = 0;
      for (ResponseParser.Item item : parsed.items()) {
        Candidate c = Candidate.of(label, withSetting(item.fields(), r), provenance, position++);
        if (item.problem() != null) {
          ledger.output(Ledger.count(Counter.REJECTED, "parse/schema", label, 1));
          out.get(REJECTIONS).output(Rejection.of(c, "parse", "schema", item.problem(), null, null, null));
        } else {
          ledger.output(Ledger.count(Counter.GENERATED, label, 1));
          out.get(CANDIDATES).output(c);
          usable++;
        }
      }
      out.get(CALLS).output(o.record(round, usable));
    }
  }

  /** The response of a completed call as {@link ParseFn} reads it. */
  static ResponseParser.Parsed parsed(CallOutcome o, TaskType task) {
    GenerationRequest r = o.request();
    return ResponseParser.parse(o.text(), task, "length".equals(o.finishReason()), r.grounding() == null ? List.of() : List.of(OutputContract.EVIDENCE));
  }

  /** The fields of the candidates {@link ParseFn} makes of an outcome (none for a failed call or an unusable response). */
  static List<java.util.Map<String, String>> usableItems(CallOutcome o, TaskType task) {
    if (!o.ok()) {
      return List.of();
    }
    ResponseParser.Parsed parsed = parsed(o, task);
    if (parsed.problem() != null) {
      return List.of();
    }
    List<java.util.Map<String, String>> out = new ArrayList<>();
    for (ResponseParser.Item item : parsed.items()) {
      if (item.problem() == null) {
        out.add(withSetting(item.fields(), o.request()));
      }
    }
    return out;
  }

  /** A parsed item's fields with its request's setting (a conversation's persona, scenario, system prompt); the item's own fields win. */
  static java.util.Map<String, String> withSetting(java.util.Map<String, String> fields, GenerationRequest r) {
    if (r.setting().isEmpty()) {
      return fields;
    }
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>(r.setting());
    out.putAll(fields);
    return out;
  }
}
