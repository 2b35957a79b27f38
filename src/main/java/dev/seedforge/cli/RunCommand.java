package dev.seedforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.generate.FatalCallException;
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
      "Exit codes: 0 ok, 1 runtime failure, 2 bad input or configuration."
    })
public final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PIPELINE.yaml", description = "The pipeline file, e.g. pipelines/support-intents.yaml")
  Path pipeline;

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: output.dir of the pipeline file)")
  String out;

  @Option(names = "--provider", paramLabel = "P", description = "auto, lexical, openai or ollama (default: llm.provider)")
  String provider;

  @Option(names = "--model", paramLabel = "M", description = "Model name (default: llm.model)")
  String model;

  @Option(names = "--base-url", paramLabel = "URL", description = "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1")
  String baseUrl;

  @Option(names = "--seed", paramLabel = "N", description = "Pipeline seed for every random choice (default: seed)")
  Long seed;

  @CommandLine.Unmatched List<String> beamArgs = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() {
    PrintWriter err = commandSpec.commandLine().getErr();
    PrintWriter outw = commandSpec.commandLine().getOut();
    try {
      PipelineSpec spec = SpecLoader.load(pipeline, System.getenv(), new SpecLoader.Overrides(provider, model, baseUrl, seed, out));
      RunPlan plan = RunPlan.prepare(spec, System.getenv());
      PipelineOptions options = beamOptions(beamArgs);
      err.println("seedforge: " + plan.generatorNote());
      err.println("seedforge: " + plan.seeds().size() + " seeds, " + (plan.usesLlm() ? plan.requests().size() + " calls planned" : "offline generation"));
      err.flush();
      Runner.Outcome outcome = Runner.run(plan, options);
      printSummary(outw, outcome);
      return ExitCodes.OK;
    } catch (InvalidInputException e) {
      e.problems().forEach(p -> err.println("seedforge: " + p));
      return ExitCodes.BAD_INPUT;
    } catch (FatalCallException e) {
      err.println("seedforge: stopped: " + e.getMessage());
      return ExitCodes.RUNTIME_FAILURE;
    } catch (Exception e) {
      err.println("seedforge: run failed: " + rootMessage(e));
      return ExitCodes.RUNTIME_FAILURE;
    }
  }

  static PipelineOptions beamOptions(List<String> args) {
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new InvalidInputException("unexpected argument \"" + a + "\"; Beam options are written --name=value");
      }
    }
    try {
      return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).create();
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("Beam pipeline option: " + e.getMessage());
    }
  }

  static void printSummary(PrintWriter out, Runner.Outcome outcome) {
    JsonNode m = outcome.manifest();
    out.printf("seedforge: wrote %s%n", outcome.outDir());
    out.printf("  train %d, validation %d, rejected %d, failed calls %d%n",
        m.path("stages").path("train").path("total").asLong(),
        m.path("stages").path("validation").path("total").asLong(),
        m.path("rejections").path("all").path("total").asLong(),
        m.path("calls").path("failed").path("total").asLong());
    JsonNode byFilter = m.path("rejections").path("by_filter");
    byFilter.fieldNames().forEachRemaining(f -> out.printf("  rejected by %-32s %d%n", f, byFilter.path(f).path("total").asLong()));
    JsonNode byStrategy = m.path("acceptance").path("by_strategy");
    byStrategy.fieldNames().forEachRemaining(st -> out.printf(java.util.Locale.ROOT, "  strategy %-29s kept %d of %d generated (%.0f%%)%n",
        st, byStrategy.path(st).path("kept").asLong(), byStrategy.path(st).path("generated").asLong(), 100 * byStrategy.path(st).path("rate").asDouble()));
    if (m.path("calls").path("planned").path("total").asLong() > 0) {
      out.printf("  calls: %d made, %d failed; tokens in %d, out %d%n",
          m.path("calls").path("made").path("total").asLong(),
          m.path("calls").path("failed").path("total").asLong(),
          m.path("tokens").path("input").path("total").asLong(),
          m.path("tokens").path("output").path("total").asLong());
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
