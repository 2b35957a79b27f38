package dev.seedforge.cli;

import dev.seedforge.accounting.SpendLedger;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Estimator;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.ResponseCache;
import dev.seedforge.pipeline.RunPlan;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code seedforge estimate PIPELINE.yaml}: calls, tokens, cost and time, before paying for any. */
@Command(
    name = "estimate",
    mixinStandardHelpOptions = true,
    description = {
      "Renders every prompt a run with the same options would send, without calling the model (no key",
      "needed), and prints per label: calls, how many the response cache already answers (free), input",
      "tokens (jtokkit), output tokens as a range (low: the seeds' length x examples_per_call; high:",
      "max_tokens), the cost range of the calls to pay, the worst case with every top-up round, what",
      "llm.budget will cut short, and the duration at llm.concurrency and the llm rate limits.",
      "Exit codes: 0 ok, 2 bad input or configuration."
    })
public final class EstimateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PIPELINE.yaml", description = "The pipeline file, e.g. pipelines/support-intents.yaml")
  Path pipeline;

  @CommandLine.Mixin RunOptions runOptions = new RunOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = commandSpec.commandLine().getOut();
    PipelineSpec spec = runOptions.load(pipeline);
    if ("lexical".equals(spec.llm().provider())) {
      out.printf("seedforge estimate: %s generates offline with the lexical generator: no calls, no cost%n", spec.name());
      out.flush();
      return ExitCodes.OK;
    }
    RunPlan plan = RunPlan.prepareForEstimate(spec);
    Estimator.Estimate e = Estimator.estimate(plan.spec(), plan.seeds(), plan.requests(), cached(plan));
    print(out, plan.spec(), e);
    dev.seedforge.generate.ConversationSetting.describe(plan.requests(), plan.seeds(), plan.spec()).ifPresent(out::println);
    if (dev.seedforge.judge.JudgePlan.on(plan.spec())) {
      printJudge(out, plan.spec(), e, dev.seedforge.judge.JudgeEstimate.of(plan));
    }
    if (dev.seedforge.pairs.PairPlan.on(plan)) {
      printPairs(out, plan.spec(), e, dev.seedforge.pairs.PairEstimate.of(plan));
    }
    if (dev.seedforge.evolve.EvolutionPlanner.on(plan.spec(), plan.pack())) {
      printEvolution(out, plan.spec(), e, dev.seedforge.evolve.EvolutionEstimate.of(plan.spec(), plan.pack(), plan.generator(), plan.requests()));
    }
    Set<String> answered = cached(plan);
    printModes(out, Estimator.modes(plan.spec(), e, plan.requests(), answered));
    Path ledger = SpendLedger.fileFor(Path.of(plan.spec().output().dir()));
    if (Files.exists(ledger)) {
      SpendLedger.Opening earlier = SpendLedger.open(ledger).unfinished();
      if (earlier.inheritedRuns() > 0) {
        out.printf(Locale.ROOT, "  %d unfinished earlier run%s in %s used %d calls, %d tokens, $%.4f: run counts them against llm.budget%n",
            earlier.inheritedRuns(), earlier.inheritedRuns() == 1 ? "" : "s", plan.spec().output().dir(),
            earlier.inherited().calls(), earlier.inherited().tokens(), earlier.inherited().usd());
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** The planned requests the response cache answers: a run would not pay for them (none with --refresh-cache or --no-cache). */
  static Set<String> cached(RunPlan plan) {
    String cache = plan.spec().llm().cache();
    if (cache == null || plan.spec().llm().refreshCache() || !Files.exists(Path.of(cache))) {
      return Set.of();
    }
    return ResponseCache.open(cache).stored(plan.requests().stream().map(GenerationRequest::id).toList());
  }

  static void print(PrintWriter out, PipelineSpec spec, Estimator.Estimate e) {
    out.printf(Locale.ROOT, "seedforge estimate: %s, model %s at %s (nothing was sent)%n", spec.name(), spec.llm().model(),
        dev.seedforge.generate.Endpoint.url(spec.llm().provider(), spec.llm().baseUrl()));
    out.printf(Locale.ROOT, "  input tokens counted with jtokkit %s%s%n", e.encoding(),
        e.encoding().equals("o200k_base") ? "" : " (exact for gpt-4/gpt-3.5 models, an approximation for others)");
    out.printf(Locale.ROOT, "  price: %s%s%n", e.priceSource(),
        e.price() == null ? "" : String.format(Locale.ROOT, " ($%.2f / $%.2f per 1M input / output tokens)", e.price().inputPerMillion(), e.price().outputPerMillion()));
    out.println("  round 0, the calls planned before any top-up:");
    out.printf(Locale.ROOT, "  %-24s %7s %7s %12s %23s %21s%n", "label", "calls", "cached", "input tok", "output tok (low-high)", "cost USD (low-high)");
    for (Estimator.Row r : e.rows()) {
      line(out, r.label() == null || r.label().isEmpty() ? "(no label)" : r.label(), r);
    }
    line(out, "total", e.total());
    Estimator.Row t = e.total();
    out.printf(Locale.ROOT, "  cached: %d of %d planned calls are in the response cache%s: they cost nothing; tokens and cost above are for the %d to pay%n",
        t.cached(), t.calls(), spec.llm().cache() == null ? " (off)" : " (" + spec.llm().cache() + ")", t.calls() - t.cached());
    Estimator.TopUpBound w = e.worstCase();
    if (w.maxRounds() > 1) {
      out.printf(Locale.ROOT, "  worst case with every top-up round (generation.max_rounds %d, at most %d new calls a round, every call at max_tokens): "
          + "%d calls, %d input + %d output tokens, $%.4f%n", w.maxRounds(), w.newCallsPerRound(), w.calls(), w.inputTokens(), w.outputTokens(), w.cost());
    } else {
      out.println("  no top-up rounds (generation.max_rounds 1, or no response cache): round 0 is the whole run");
    }
    out.printf(Locale.ROOT, "  duration: %s to %s (limited by %s; assumes %.1f s to first token and %.0f output tokens/s per call)%n",
        human(e.secondsLow()), human(e.secondsHigh()), e.bottleneck(), Estimator.FIRST_TOKEN_SECONDS, Estimator.OUTPUT_TOKENS_PER_SECOND);
    for (String warning : e.budgetWarnings()) {
      out.println("  warning: " + warning);
    }
  }

  /** The judge's calls on top of generation's, as an upper bound, and what llm.budget makes of both together. */
  static void printJudge(PrintWriter out, PipelineSpec spec, Estimator.Estimate e, dev.seedforge.judge.JudgeEstimate j) {
    out.printf(Locale.ROOT, "  judge (model %s, batch_size %d): at most %d candidates in round 0, so at most %d calls, %d input tokens,"
        + " %d-%d output tokens, $%.4f-$%.4f; with every top-up round at most %d calls (verdicts in the response cache cost nothing)%n",
        j.model(), j.batchSize(), j.candidates(), j.calls(), j.inputTokens(), j.outputLow(), j.outputHigh(), j.costLow(), j.costHigh(),
        j.worstCaseCalls());
    Estimator.Row t = e.total();
    long calls = t.calls() - t.cached() + j.calls();
    out.printf(Locale.ROOT, "  generation and judge together, round 0: at most %d calls, $%.4f-$%.4f%n", calls, t.costLow() + j.costLow(),
        t.costHigh() + j.costHigh());
    long max = spec.llm().budget().maxCalls();
    if (max > 0 && max < calls) {
      out.println("  warning: llm.budget.max_calls " + max + " is below the " + calls
          + " calls generation and the judge may make in round 0: the judge shares the budget, and candidates it cannot judge are kept unjudged");
    }
  }

  /** The pair calls of a preference run on top of generation's, as an upper bound, and what llm.budget makes of both together. */
  static void printPairs(PrintWriter out, PipelineSpec spec, Estimator.Estimate e, dev.seedforge.pairs.PairEstimate p) {
    out.printf(Locale.ROOT, "  pairs (method %s, %d calls a prompt): at most %d prompts in round 0, so at most %d calls, %d input tokens,"
        + " %d-%d output tokens, $%.4f-$%.4f; with every top-up round at most %d calls (answers in the response cache cost nothing)%n",
        p.method().wireName(), p.callsPerPrompt(), p.prompts(), p.calls(), p.inputTokens(), p.outputLow(), p.outputHigh(), p.costLow(), p.costHigh(),
        p.worstCaseCalls());
    Estimator.Row t = e.total();
    long calls = t.calls() - t.cached() + p.calls();
    out.printf(Locale.ROOT, "  generation and pairs together, round 0: at most %d calls, $%.4f-$%.4f%n", calls, t.costLow() + p.costLow(),
        t.costHigh() + p.costHigh());
    long max = spec.llm().budget().maxCalls();
    if (max > 0 && max < calls) {
      out.println("  warning: llm.budget.max_calls " + max + " is below the " + calls
          + " calls generation and the pairs may make in round 0: prompts whose pair calls the budget stops get no pair");
    }
  }

  /** Evol-Instruct's rewrite and answer calls over every depth, as an upper bound, and what llm.budget makes of them. */
  static void printEvolution(PrintWriter out, PipelineSpec spec, Estimator.Estimate e, dev.seedforge.evolve.EvolutionEstimate v) {
    out.printf(Locale.ROOT, "  evolution (evolution.rounds %d): depth 1 rewrites %d tasks (in round 0 above) and answers each; each later depth"
        + " at most %d rewrites and %d answers; in all at most %d calls (rounds x calls per round, rewrites and answers), %d input tokens,"
        + " %d-%d output tokens, $%.4f-$%.4f%n", v.rounds(), v.firstDepthRewrites(), v.callsPerLaterDepth(), v.callsPerLaterDepth(), v.calls(),
        v.inputTokens(), v.outputLow(), v.outputHigh(), v.costLow(), v.costHigh());
    Estimator.Row t = e.total();
    long calls = t.calls() - t.cached() - v.firstDepthRewrites() + v.calls();
    long max = spec.llm().budget().maxCalls();
    if (max > 0 && max < calls) {
      out.println("  warning: llm.budget.max_calls " + max + " is below the " + calls
          + " calls round 0's generation and every evolution depth may make: the later depths will stop at the budget");
    }
  }

  /** Sync and batch cost of round 0 side by side, and the prompt cache's expected share. */
  static void printModes(PrintWriter out, Estimator.Modes m) {
    out.printf(Locale.ROOT, "  sync vs batch (llm.mode: %s): sync $%.4f-$%.4f; batch $%.4f-$%.4f (%s%s)%n", m.mode(), m.syncLow(), m.syncHigh(),
        m.batchLow(), m.batchHigh(), m.batchSource(), m.batchPrice() == null ? ""
            : String.format(Locale.ROOT, ": $%.4f / $%.4f per 1M input / output tokens", m.batchPrice().inputPerMillion(), m.batchPrice().outputPerMillion()));
    out.printf(Locale.ROOT, "  prompt cache: about %.0f%% of the input tokens to pay are prefixes an earlier prompt shares (from %d tokens on)%s%n",
        100 * m.promptCacheShare(), Estimator.PROMPT_CACHE_MIN_TOKENS,
        m.promptCacheShare() == 0 ? ": no prompt reaches the provider's minimum, so none is expected to be cached"
            : m.cachedInputPerMillion() == null ? "; no cached-input price known: the sync cost above assumes no discount"
            : String.format(Locale.ROOT, "; the sync cost above prices them at the cached rate, $%.4f per 1M", m.cachedInputPerMillion()));
  }

  private static void line(PrintWriter out, String label, Estimator.Row r) {
    out.printf(Locale.ROOT, "  %-24s %7d %7d %12d %11d-%-11d %10.4f-%-10.4f%n", label, r.calls(), r.cached(), r.inputTokens(), r.outputLow(),
        r.outputHigh(), r.costLow(), r.costHigh());
  }

  static String human(double seconds) {
    long s = Math.round(Math.ceil(seconds));
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
