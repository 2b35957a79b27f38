package dev.seedforge.cli;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.generate.Estimator;
import dev.seedforge.pipeline.RunPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code seedforge estimate PIPELINE.yaml}: calls, tokens, cost and time, before paying for any. */
@Command(
    name = "estimate",
    mixinStandardHelpOptions = true,
    description = {
      "Renders every prompt a run would send, without calling the model (no key needed), and prints",
      "calls, input tokens (jtokkit), output tokens as a range (low: the seeds' length x examples_per_call;",
      "high: max_tokens), cost range, and duration at llm.concurrency and the llm rate limits, per label.",
      "Exit codes: 0 ok, 2 bad input or configuration."
    })
public final class EstimateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PIPELINE.yaml", description = "The pipeline file, e.g. pipelines/support-intents.yaml")
  Path pipeline;

  @CommandLine.Mixin SharedOptions.GenerationModel model;

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = commandSpec.commandLine().getErr();
    PrintWriter out = commandSpec.commandLine().getOut();
    PipelineSpec spec = SpecLoader.load(pipeline, System.getenv(), new SpecLoader.Overrides(null, model.model, null, null, null));
    RunPlan plan = RunPlan.prepareForEstimate(spec);
    Estimator.Estimate e = Estimator.estimate(plan.spec(), plan.seeds(), plan.requests());
    print(out, plan.spec(), e);
    return ExitCodes.OK;
  }

  static void print(PrintWriter out, PipelineSpec spec, Estimator.Estimate e) {
    out.printf(Locale.ROOT, "seedforge estimate: %s, model %s (nothing was sent)%n", spec.name(), spec.llm().model());
    out.printf(Locale.ROOT, "  input tokens counted with jtokkit %s%s%n", e.encoding(),
        e.encoding().equals("o200k_base") ? "" : " (exact for gpt-4/gpt-3.5 models, an approximation for others)");
    out.printf(Locale.ROOT, "  price: %s%s%n", e.priceSource(),
        e.price() == null ? "" : String.format(Locale.ROOT, " ($%.2f / $%.2f per 1M input / output tokens)", e.price().inputPerMillion(), e.price().outputPerMillion()));
    out.printf(Locale.ROOT, "  %-26s %7s %12s %23s %21s%n", "label", "calls", "input tok", "output tok (low-high)", "cost USD (low-high)");
    for (Estimator.Row r : e.rows()) {
      line(out, r.label() == null || r.label().isEmpty() ? "(no label)" : r.label(), r);
    }
    line(out, "total", e.total());
    out.printf(Locale.ROOT, "  duration: %s to %s (limited by %s; assumes %.1f s to first token and %.0f output tokens/s per call)%n",
        human(e.secondsLow()), human(e.secondsHigh()), e.bottleneck(), Estimator.FIRST_TOKEN_SECONDS, Estimator.OUTPUT_TOKENS_PER_SECOND);
    out.println("  cached responses (llm.cache) cost nothing on a re-run; this estimate assumes none are cached.");
    out.flush();
  }

  private static void line(PrintWriter out, String label, Estimator.Row r) {
    out.printf(Locale.ROOT, "  %-26s %7d %12d %11d-%-11d %10.4f-%-10.4f%n", label, r.calls(), r.inputTokens(), r.outputLow(), r.outputHigh(), r.costLow(), r.costHigh());
  }

  static String human(double seconds) {
    long s = Math.round(Math.ceil(seconds));
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
