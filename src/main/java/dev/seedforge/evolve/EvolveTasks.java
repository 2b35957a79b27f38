package dev.seedforge.evolve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.accounting.CallRecord;
import dev.seedforge.accounting.RunContext;
import dev.seedforge.generate.CallOutcome;
import dev.seedforge.generate.Calls;
import dev.seedforge.generate.GenerateCandidates;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Failure;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.LangChainCaller;
import dev.seedforge.generate.ModelSettings;
import dev.seedforge.generate.Rejection;
import dev.seedforge.generate.ResponseParser;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The Evol-Instruct step of a round: each rewrite request is sent, its rewritten task judged by
 * the elimination rules (a task that copies the prompt or adds nothing is never answered, so its
 * answer is never paid for), and the tasks that pass are answered by a second call. Every request
 * of either kind ends as a candidate, a rejection or a failure, and as one call record.
 */
public final class EvolveTasks extends PTransform<PCollection<GenerationRequest>, PCollectionTuple> {
  public static final TupleTag<Candidate> CANDIDATES = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};
  public static final TupleTag<CallRecord> CALLS = new TupleTag<>() {};

  private final ModelSettings settings;
  private final RunContext run;
  private final EvolutionPlanner planner;
  private final int planned;

  public EvolveTasks(ModelSettings settings, RunContext run, EvolutionPlanner planner, int planned) {
    this.settings = settings;
    this.run = run;
    this.planner = planner;
    this.planned = planned;
  }

  @Override
  public PCollectionTuple expand(PCollection<GenerationRequest> rewrites) {
    // batches as in generation: each keeps llm.concurrency calls in flight, never more than the runner runs at once
    PCollectionTuple out = GenerateCandidates.inBatches(rewrites, GenerateCandidates.batchCount(planned, settings.concurrency()), "RewriteBatch")
        .apply("RewriteAndAnswer", ParDo.of(new EvolveFn(settings, run, planner))
            .withOutputTags(CANDIDATES, TupleTagList.of(REJECTIONS).and(FAILURES).and(LEDGER).and(CALLS)));
    out.get(CANDIDATES).setCoder(JsonCoder.of(Candidate.class));
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(FAILURES).setCoder(JsonCoder.of(Failure.class));
    out.get(LEDGER).setCoder(Ledger.coder());
    out.get(CALLS).setCoder(JsonCoder.of(CallRecord.class));
    return out;
  }

  /** A rewritten task that passed the rules, waiting for its answer. */
  private record Pending(GenerationRequest rewrite, String instruction, String input, Future<CallOutcome> answer) {}

  static final class EvolveFn extends DoFn<Iterable<GenerationRequest>, Candidate> {
    private final ModelSettings settings;
    private final RunContext run;
    private final EvolutionPlanner planner;
    private transient Calls calls;
    private transient EvolutionRules rules;

    EvolveFn(ModelSettings settings, RunContext run, EvolutionPlanner planner) {
      this.settings = settings;
      this.run = run;
      this.planner = planner;
    }

    @Setup
    public void setup() {
      calls = new Calls(settings, run, new LangChainCaller(settings, System.getenv()));
      rules = new EvolutionRules(planner.promptTexts());
    }

    @ProcessElement
    public void process(@Element Iterable<GenerationRequest> batch, MultiOutputReceiver out) throws Exception {
      Map<GenerationRequest, Future<CallOutcome>> sent = new LinkedHashMap<>();
      for (GenerationRequest r : batch) {
        sent.put(r, calls.submit(r));
      }
      List<Pending> answers = new ArrayList<>();
      for (Map.Entry<GenerationRequest, Future<CallOutcome>> e : sent.entrySet()) {
        Pending p = rewritten(e.getKey(), Calls.join(e.getValue()), out);
        if (p != null) {
          answers.add(p);
        }
      }
      for (Pending p : answers) {
        answered(p, Calls.join(p.answer()), out);
      }
    }

    /** Judges a rewrite; returns the answer call it started, or null when the rewrite ended here. */
    private Pending rewritten(GenerationRequest r, CallOutcome o, MultiOutputReceiver out) throws InterruptedException {
      Candidate.Evolution step = r.evolving().step();
      count(out, step, "planned", r.label());
      if (!o.ok()) {
        fail(r, o, out);
        return null;
      }
      String[] task = rewrittenTask(o.text());
      Candidate c = candidate(r, r, task[0], task[1], "");
      if (task[0].isBlank()) {
        out.get(CALLS).output(o.record(run.round(), 0));
        reject(out, c, "parse", "empty_response", "the rewrite had no instruction", null, null, step.parentId());
        return null;
      }
      out.get(CALLS).output(o.record(run.round(), 1));
      Map<String, String> parent = r.evolving().parent();
      EvolutionRules.Verdict v = rules.judgeRewrite(task[0] + "\n" + task[1],
          parent.getOrDefault("instruction", "") + "\n" + parent.getOrDefault("input", ""));
      if (v.rejected()) {
        reject(out, c, "evolve", v.filter(), v.reason(), v.score(), v.threshold(), step.parentId());
        return null;
      }
      count(out, step, "rewritten", r.label());
      GenerationRequest answer = planner.answer(r, task[0], task[1]);
      return new Pending(r, task[0], task[1], calls.submit(answer));
    }

    private void answered(Pending p, CallOutcome o, MultiOutputReceiver out) {
      GenerationRequest a = o.request();
      if (!o.ok()) {
        fail(a, o, out);
        return;
      }
      String answer = answerOf(o.text(), "length".equals(o.finishReason()));
      Candidate c = candidate(p.rewrite(), a, p.instruction(), p.input(), answer == null ? "" : answer);
      Candidate.Evolution step = p.rewrite().evolving().step();
      if (answer == null || answer.isBlank()) {
        out.get(CALLS).output(o.record(run.round(), 0));
        reject(out, c, "parse", "empty_response", "the answer to the evolved task had no output", null, null, step.parentId());
        return;
      }
      out.get(CALLS).output(o.record(run.round(), 1));
      EvolutionRules.Verdict v = rules.judgeAnswer(answer);
      if (v.rejected()) {
        reject(out, c, "evolve", v.filter(), v.reason(), v.score(), v.threshold(), step.parentId());
        return;
      }
      count(out, step, "answered", c.label());
      out.get(LEDGER).output(Ledger.count(Counter.GENERATED, c.label(), 1));
      out.get(CANDIDATES).output(c);
    }

    private Candidate candidate(GenerationRequest rewrite, GenerationRequest call, String instruction, String input, String output) {
      Candidate.Provenance provenance = new Candidate.Provenance(rewrite.seedIds(), EvolutionPlanner.STRATEGY, call.templateId(),
          call.params().provider(), call.params().model(), call.id(), call.round(), null, rewrite.evolving().step());
      return Candidate.of(rewrite.label(), Map.of("instruction", instruction, "input", input, "output", output), provenance, 0);
    }

    private void fail(GenerationRequest r, CallOutcome o, MultiOutputReceiver out) {
      out.get(CALLS).output(o.record(run.round(), 0));
      out.get(FAILURES).output(new Failure(r.id(), r.label(), r.strategy(), r.templateId(), r.params().model(), o.errorKind(), o.errorMessage(),
          o.attempts()));
    }

    private static void reject(MultiOutputReceiver out, Candidate c, String stage, String filter, String why, Double score, Double threshold,
        String related) {
      Candidate.Evolution step = c.evolution();
      String reason = why + " (depth " + step.depth() + ", " + step.operation() + ", parent " + step.parentId() + ")";
      out.get(LEDGER).output(Ledger.count(Counter.REJECTED, stage + "/" + filter, c.label(), 1));
      out.get(REJECTIONS).output(Rejection.of(c, stage, filter, reason, score, threshold, related));
    }

    private static void count(MultiOutputReceiver out, Candidate.Evolution step, String outcome, String label) {
      out.get(LEDGER).output(Ledger.count(Counter.EVOLUTION, "depth/" + step.depth() + "/" + outcome, label, 1));
      out.get(LEDGER).output(Ledger.count(Counter.EVOLUTION, "operation/" + step.operation() + "/" + outcome, label, 1));
    }
  }

  /** The instruction and input of a rewrite reply: the contract's JSON, or, from a model that ignored it, the reply's text as the instruction. */
  static String[] rewrittenTask(String text) {
    if (text == null) {
      return new String[] {"", ""};
    }
    if (ResponseParser.firstJsonValue(text) == null) {
      return new String[] {text.strip(), ""};
    }
    JsonNode item = firstItem(text);
    return item == null ? new String[] {"", ""} : new String[] {textOf(item, "instruction"), textOf(item, "input")};
  }

  /** The output of an answer reply (null when the reply has JSON without one); plain text is the output itself. */
  static String answerOf(String text, boolean truncated) {
    if (text == null) {
      return null;
    }
    JsonNode item = truncated ? null : firstItem(text);
    if (item == null) {
      ResponseParser.Parsed parsed = ResponseParser.parse(text, dev.seedforge.seed.TaskType.INSTRUCTION, truncated);
      if (!parsed.items().isEmpty() && parsed.items().get(0).problem() == null) {
        return parsed.items().get(0).fields().get("output");
      }
      return ResponseParser.firstJsonValue(text) == null ? text.strip() : null;
    }
    return item.has("output") ? textOf(item, "output") : null;
  }

  private static JsonNode firstItem(String text) {
    JsonNode root = ResponseParser.firstJsonValue(text);
    if (root == null) {
      return null;
    }
    if (root.isObject() && root.has("examples") && root.get("examples").isArray()) {
      root = root.get("examples");
    }
    if (root.isArray()) {
      return root.isEmpty() || !root.get(0).isObject() ? null : root.get(0);
    }
    return root.isObject() ? root : null;
  }

  private static String textOf(JsonNode item, String field) {
    JsonNode v = item.get(field);
    return v == null || v.isNull() ? "" : v.isValueNode() ? v.asText().strip() : v.toString();
  }
}
