package dev.seedforge.cli;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.generate.Preflight;
import dev.seedforge.pipeline.BakeOff;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.util.AtomicFiles;
import dev.seedforge.util.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seedforge compare PIPELINE.yaml --models a,b,c}: the same sample of the plan on each model. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the same sample of a pipeline's planned requests on each model, through the whole pipeline,",
      "and prints per model: acceptance after the gate and dedup, rejections by filter, label agreement",
      "(classification), distinct-1/2, tokens, latency, cost per accepted example and the projected cost",
      "of the full plan; then the cheapest model whose yield (acceptance x label agreement) is within",
      "--tolerance of the best. Each model's",
      "run goes to OUT/compare/<provider-model>/ (OUT: --out or output.dir), the comparison to",
      "OUT/compare/compare.json. Models on another provider than the pipeline's go to that provider's",
      "default endpoint. Sampled answers stay in the response cache, so a full run with the chosen model",
      "does not pay for them again; llm.budget applies to each model's run.",
      "Other options (--runner, --targetParallelism, ...) go to Apache Beam.",
      "Exit codes: 0 ok, 1 runtime failure, 2 bad input or configuration."
    })
public final class CompareCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PIPELINE.yaml", description = "The pipeline file, e.g. pipelines/support-intents.yaml")
  Path pipeline;

  @Option(names = "--models", required = true, split = ",", paramLabel = "M",
      description = "Models to compare, comma-separated; PROVIDER:MODEL for another provider (openai, azure, anthropic, ollama)")
  List<String> models = new ArrayList<>();

  @Option(names = "--sample", paramLabel = "N", description = "Requests of the plan to run on each model, taken in turn from each label (default: 20)")
  int sample = BakeOff.DEFAULT_SAMPLE;

  @Option(names = "--tolerance", paramLabel = "T",
      description = "Yield within T of the best, as a share, for a cheaper model to be chosen (default: 0.05)")
  double tolerance = BakeOff.DEFAULT_TOLERANCE;

  @CommandLine.Mixin SharedOptions.RunDir out = new SharedOptions.RunDir();

  /** Applies to the models on the pipeline's own provider; the others go to their provider's default endpoint. */
  @Option(names = "--base-url", paramLabel = "URL", description = "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 (default: llm.base_url)")
  String baseUrl;

  @CommandLine.Mixin SharedOptions.PipelineSeed seed = new SharedOptions.PipelineSeed();

  @CommandLine.Unmatched List<String> beamArgs = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = commandSpec.commandLine().getErr();
    PrintWriter outw = commandSpec.commandLine().getOut();
    if (sample < 1) {
      throw new InvalidInputException("--sample: expected at least 1 request, got " + sample);
    }
    if (tolerance < 0 || tolerance > 1) {
      throw new InvalidInputException("--tolerance: expected a share between 0 and 1, got " + tolerance);
    }
    PipelineSpec spec = SpecLoader.load(pipeline, System.getenv(), new SpecLoader.Overrides(null, null, baseUrl, seed.seed, out.dir));
    String provider = "auto".equals(spec.llm().provider()) || "lexical".equals(spec.llm().provider()) ? "openai" : spec.llm().provider();
    List<BakeOff.Contender> contenders = models.stream().filter(m -> !m.isBlank()).map(m -> BakeOff.Contender.parse(m, provider)).toList();
    Path dir = Path.of(spec.output().dir()).resolve("compare");
    for (BakeOff.Contender c : contenders) {
      RunPlan plan = RunPlan.prepare(spec.withLlm(spec.llm().withModel(c.provider(), c.model(), c.provider().equals(provider) ? spec.llm().baseUrl() : null)),
          System.getenv());
      if (plan.usesLlm()) {
        Preflight.check(plan.modelSettings(), System.getenv());
      }
    }
    err.printf(Locale.ROOT, "seedforge: comparing %d model%s on %d requests of %s%n", contenders.size(), contenders.size() == 1 ? "" : "s",
        sample, spec.name());
    err.flush();
    BakeOff.Comparison c = BakeOff.run(spec, System.getenv(), contenders, sample, tolerance, dir, RunCommand.beamOptions(beamArgs), line -> {
      outw.println(line);
      outw.flush();
    });
    AtomicFiles.writeString(dir.resolve("compare.json"), Json.pretty(c) + "\n");
    Path runDir = dir.getParent();
    if (java.nio.file.Files.isRegularFile(runDir.resolve("manifest.json"))) {
      // the run folder's own report gets the comparison as a section
      dev.seedforge.report.HtmlReport.write(runDir);
    }
    outw.printf(Locale.ROOT, "seedforge: %d sampled requests of the plan's %d; wrote %s%n", c.sampleRequests(), c.planRequests(), dir.resolve("compare.json"));
    outw.println(c.choice() == null ? "seedforge: no choice: " + c.reason() : "seedforge: choose " + c.choice() + ": " + c.reason());
    outw.flush();
    return ExitCodes.OK;
  }
}
