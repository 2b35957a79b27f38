package dev.seedforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seedforge run PIPELINE.yaml}: the batch job. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a pipeline: seeds -> generate -> quality gate -> dedup -> balance -> split -> JSONL.",
      "Other options (--runner, --targetParallelism, ...) go to Apache Beam.",
      "Exit codes: 0 ok, 1 runtime failure, 2 bad input or configuration, 3 stopped by llm.budget."
    })
public final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PIPELINE.yaml", description = "The pipeline file, e.g. pipelines/support-intents.yaml")
  Path pipeline;

  @CommandLine.Mixin RunOptions runOptions = new RunOptions();

  @Option(names = "--timings", description = "Print where the seconds went (start-up, job, manifest, model loads) to stderr")
  boolean timings;

  @Option(names = "--cancel-batches", description = "Cancel this pipeline's provider batches that are still running (llm.mode: batch), then exit;"
      + " the next run collects what they finished and submits the rest again")
  boolean cancelBatches;

  @CommandLine.Unmatched List<String> beamArgs = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = commandSpec.commandLine().getErr();
    PrintWriter outw = commandSpec.commandLine().getOut();
    // Beam's options (reflection over every options interface) are parsed while the plan is made
    java.util.concurrent.CompletableFuture<PipelineOptions> beamOptions = java.util.concurrent.CompletableFuture.supplyAsync(() -> beamOptions(beamArgs));
    PipelineSpec spec = runOptions.load(pipeline);
    RunPlan plan = RunPlan.prepare(spec, System.getenv());
    if (cancelBatches) {
      return cancelBatches(plan, outw);
    }
    PipelineOptions options = dev.seedforge.util.Futures.join(beamOptions);
    dev.seedforge.pipeline.SeedforgePipeline.warmUpLexical(plan, options);
    java.util.Optional<String> relevanceNote = dev.seedforge.pipeline.SeedforgePipeline.relevanceNote(plan);
    err.println("seedforge: " + plan.generatorNote());
    plan.warnings().forEach(w -> err.println("seedforge: warning: " + w));
    err.println("seedforge: " + plan.seeds().size() + " seeds, " + (plan.usesLlm() ? plan.requests().size() + " calls planned" : "offline generation"));
    relevanceNote.ifPresent(n -> err.println("seedforge: " + n));
    err.flush();
    if (plan.usesLlm()) {
      dev.seedforge.generate.Preflight.check(plan.modelSettings(), System.getenv());
    }
    Runner.Outcome outcome = dev.seedforge.pipeline.TopUp.run(plan, options);
    printSummary(outw, outcome);
    if (timings) {
      long[] ahead = dev.seedforge.quality.EmbeddingPrefetch.totals();
      err.println("seedforge: timings: " + dev.seedforge.util.Timings.summary()
          + (ahead[0] + ahead[1] == 0 ? "" : String.format(java.util.Locale.ROOT,
              "; embedded while the candidates were being made: %,d texts (%,d left to the gate)", ahead[0], ahead[1])));
    }
    switch (outcome.status()) {
      case BUDGET_EXHAUSTED -> {
        err.println("seedforge: stopped by the budget: " + (outcome.stopMessage() == null ? "llm.budget reached" : outcome.stopMessage())
            + "; the dataset was written from the responses received");
        err.flush();
        return ExitCodes.BUDGET_EXHAUSTED;
      }
      case CALLS_FAILED -> {
        err.println("seedforge: the run failed: " + outcome.stopMessage() + "; the dataset was written from the usable answers");
        err.flush();
        return ExitCodes.RUNTIME_FAILURE;
      }
      case CIRCUIT_OPEN -> {
        err.println("seedforge: stopped making calls: " + outcome.stopMessage() + "; the dataset was written from the responses received");
        err.flush();
        return ExitCodes.RUNTIME_FAILURE;
      }
      default -> {
        return ExitCodes.OK;
      }
    }
  }

  /** --cancel-batches: asks the provider to cancel the batches this pipeline's endpoint still runs; makes no other call. */
  private static int cancelBatches(RunPlan plan, PrintWriter out) {
    if (!plan.usesLlm()) {
      throw new InvalidInputException("--cancel-batches: this pipeline generates offline (no llm configured): it has no batches");
    }
    Path ledger = dev.seedforge.accounting.SpendLedger.fileFor(Path.of(plan.spec().output().dir()));
    int n = dev.seedforge.generate.BatchCalls.cancelOpen(plan.modelSettings(),
        new dev.seedforge.accounting.RunContext("cancel-batches", 0, ledger.toString()), System.getenv(), out);
    out.println("seedforge: cancelled " + n + " batch" + (n == 1 ? "" : "es") + "; run the same command without --cancel-batches to collect"
        + " what they finished and submit the rest again");
    out.flush();
    return ExitCodes.OK;
  }

  public static PipelineOptions beamOptions(List<String> args) {
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new InvalidInputException("unexpected argument \"" + a + "\"; Beam options are written --name=value");
      }
    }
    if (args.stream().anyMatch(a -> a.toLowerCase(java.util.Locale.ROOT).matches("--runner=(.*\\.)?flink(runner)?"))
        && args.stream().noneMatch(a -> a.startsWith("--fasterCopy"))) {
      // records are immutable, so Flink need not copy them between chained operators
      args = new java.util.ArrayList<>(args);
      args.add("--fasterCopy=true");
    }
    try {
      PipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).create();
      // The DirectRunner's immutability and encodability checks re-encode every element: right for
      // tests (which keep them on), a large cost for users. Their own flags still win.
      org.apache.beam.runners.direct.DirectOptions direct = options.as(org.apache.beam.runners.direct.DirectOptions.class);
      if (args.stream().noneMatch(a -> a.startsWith("--enforceImmutability"))) {
        direct.setEnforceImmutability(false);
      }
      if (args.stream().noneMatch(a -> a.startsWith("--enforceEncodability"))) {
        direct.setEnforceEncodability(false);
      }
      dev.seedforge.pipeline.WorkerThreads.record(options, args);
      return options;
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("Beam pipeline option: " + e.getMessage());
    }
  }

  static void printSummary(PrintWriter out, Runner.Outcome outcome) {
    JsonNode m = outcome.manifest();
    out.printf("seedforge: wrote %s%n", outcome.outDir());
    out.printf("  train %d, validation %d%s, rejected %d%s%n",
        m.path("stages").path("train").path("total").asLong(),
        m.path("stages").path("validation").path("total").asLong(),
        m.path("stages").has("test") ? ", test " + m.path("stages").path("test").path("total").asLong() : "",
        m.path("rejections").path("all").path("total").asLong(),
        outcome.account() == null ? "" : ", failed calls " + outcome.account().calls().failed().total());
    JsonNode byFilter = m.path("rejections").path("by_filter");
    byFilter.fieldNames().forEachRemaining(f -> out.printf("  rejected by %-32s %d%n", f, byFilter.path(f).path("total").asLong()));
    JsonNode byStrategy = m.path("acceptance").path("by_strategy");
    byStrategy.fieldNames().forEachRemaining(st -> out.printf(java.util.Locale.ROOT, "  strategy %-29s kept %d of %d generated (%.0f%%)%n",
        st, byStrategy.path(st).path("kept").asLong(), byStrategy.path(st).path("generated").asLong(), 100 * byStrategy.path(st).path("rate").asDouble()));
    dev.seedforge.accounting.RunAccount a = outcome.account();
    if (a != null) {
      out.printf(java.util.Locale.ROOT, "  calls: %d planned, %d made, %d cached, %d failed; %d sent in %d round%s, %d retries; tokens in %d, out %d (cached: in %d, out %d); cost $%.4f%n",
          a.calls().planned().total(), a.calls().made().total(), a.calls().cached().total(), a.calls().failed().total(),
          a.calls().sent().total(), a.rounds().size(), a.rounds().size() == 1 ? "" : "s", a.calls().retried().total(),
          a.tokens().input().total(), a.tokens().output().total(), a.tokens().cachedInput().total(), a.tokens().cachedOutput().total(),
          a.cost().total());
    }
    if (m.has("judge")) {
      JsonNode j = m.path("judge");
      out.printf(java.util.Locale.ROOT, "  judge: %d judged (%d from the cache), %d unjudged, %d rejected; %d calls made, %d cached; tokens in %d, out %d; cost $%.4f%n",
          j.path("judged").path("total").asLong(), j.path("verdicts_from_cache").path("total").asLong(), j.path("unjudged").path("total").asLong(),
          j.path("rejected").path("judge_score").path("total").asLong() + j.path("rejected").path("judge_label").path("total").asLong(),
          j.path("calls").path("made").path("total").asLong(), j.path("calls").path("cached").path("total").asLong(),
          j.path("tokens").path("input").path("total").asLong(), j.path("tokens").path("output").path("total").asLong(), j.path("cost").path("total").asDouble());
    }
    if (m.path("quality").has("token_bounds")) {
      out.println("  token_count keeps " + m.path("quality").path("token_bounds").path("description").asText());
    }
    JsonNode warnings = m.path("warnings");
    warnings.fieldNames().forEachRemaining(w -> out.println("  warning: " + warnings.path(w).asText()));
    out.flush();
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
