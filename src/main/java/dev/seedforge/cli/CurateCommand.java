package dev.seedforge.cli;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.CurateInput;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seedforge curate INPUT.jsonl --pipeline P.yaml}: the pipeline's later stages on existing records. */
@Command(
    name = "curate",
    mixinStandardHelpOptions = true,
    description = {
      "Curates existing records: quality gate -> dedup -> balance -> split -> JSONL, as configured in",
      "the pipeline file, with no generation. INPUT.jsonl holds chat records {\"messages\": [...]}",
      "(classification: the assistant turn is the label), {\"text\", \"label\"} or",
      "{\"instruction\", \"input\", \"output\"} lines. The pack's seeds still train the label model,",
      "calibrate the filters, and win duplicate groups (and join the output if output.include_seeds).",
      "Exit codes: 0 ok, 1 runtime failure, 2 bad input or configuration."
    })
public final class CurateCommand implements Callable<Integer> {
  public static final String GENERATOR = "curate";

  @Parameters(index = "0", paramLabel = "INPUT.jsonl", description = "The records to curate")
  Path input;

  @Option(names = "--pipeline", required = true, paramLabel = "P.yaml", description = "The pipeline file whose pack, quality, dedup, targets, split and output apply")
  Path pipeline;

  @CommandLine.Mixin SharedOptions.RunDir out;

  @CommandLine.Mixin SharedOptions.PipelineSeed seed;

  @Option(names = "--timings", description = "Print where the seconds went (start-up, job, manifest, model loads) to stderr")
  boolean timings;

  @CommandLine.Unmatched List<String> beamArgs = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = commandSpec.commandLine().getErr();
    PrintWriter outw = commandSpec.commandLine().getOut();
    if (!Files.isRegularFile(input)) {
      throw new InvalidInputException(input + ": no such input file");
    }
    Runner.Outcome outcome = curate(input, pipeline, out.dir, seed.seed, RunCommand.beamOptions(beamArgs), err);
    RunCommand.printSummary(outw, outcome);
    if (timings) {
      err.println("seedforge: timings: " + dev.seedforge.util.Timings.summary());
      err.flush();
    }
    return ExitCodes.OK;
  }

  /** Loads the pipeline (no LLM needed) and runs it on the input's records. */
  public static Runner.Outcome curate(Path input, Path pipeline, String out, Long seed, PipelineOptions options, PrintWriter err) throws java.io.IOException {
    PipelineSpec spec = SpecLoader.load(pipeline, System.getenv(), new SpecLoader.Overrides("lexical", null, null, seed, out));
    RunPlan prepared = RunPlan.prepare(spec, System.getenv());
    if (prepared.pack().task() == dev.seedforge.seed.TaskType.PREFERENCE) {
      throw new InvalidInputException(SpecLoader.display(pipeline) + ": pack: curate reads single-answer records, and "
          + SpecLoader.display(Path.of(prepared.pack().dir(), "pack.yaml")) + " is a preference pack; run it with seedforge run instead");
    }
    RunPlan plan = prepared.withoutGeneration(GENERATOR, "input: " + input.getFileName() + " (curate: no generation)");
    String inputWarning = checkInput(input, plan);
    if (inputWarning != null) {
      plan = plan.withWarnings(List.of(inputWarning));
    }
    if (err != null) {
      err.println("seedforge: curating " + input + " with " + plan.seeds().size() + " seeds from the pack");
      plan.warnings().forEach(w -> err.println("seedforge: warning: " + w));
      dev.seedforge.pipeline.SeedforgePipeline.relevanceNote(plan).ifPresent(n -> err.println("seedforge: " + n));
      err.flush();
    }
    Runner.Outcome outcome = Runner.run(plan, options, input.toAbsolutePath().toString());
    return outcome;
  }

  /**
   * Bad input when no line of {@code input} is a record to curate; a warning when fewer than half
   * of its lines are (the rest would only fill rejected.jsonl), else null.
   */
  static String checkInput(Path input, RunPlan plan) throws java.io.IOException {
    CurateInput parser = new CurateInput(plan.pack().task(), plan.pack().labels().keySet(), input.getFileName().toString());
    CurateInput.Summary s = parser.summarize(input);
    String source = SpecLoader.display(input);
    if (s.records() == 0) {
      String detail = s.lines() == 0 ? "the file has no lines" : s.lines() + " lines; " + s.breakdown();
      throw new InvalidInputException(source + ": no line is a record to curate (" + detail + ")"
          + (s.firstProblem().isEmpty() ? "" : "; " + String.join("; ", s.firstProblem().values()))
          + "; each line must be {\"messages\": [...]}, " + (plan.pack().task() == dev.seedforge.seed.TaskType.CLASSIFICATION
              ? "or {\"text\", \"label\"} with one of the pack's labels" : "or {\"instruction\", \"input\", \"output\"}"));
    }
    if (s.records() * 2 < s.lines()) {
      return source + ": only " + s.records() + " of " + s.lines() + " lines are readable records (" + s.breakdown()
          + "); the others go to rejected.jsonl (stage input)";
    }
    return null;
  }
}
