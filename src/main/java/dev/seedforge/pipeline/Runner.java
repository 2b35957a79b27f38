package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.generate.FatalCallException;
import dev.seedforge.generate.ProgressReporter;
import dev.seedforge.generate.RunState;
import dev.seedforge.report.Manifest;
import dev.seedforge.util.AtomicFiles;
import dev.seedforge.util.Json;
import dev.seedforge.util.Timings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/** Runs a planned job on the configured Beam runner and writes manifest.json when it ends. */
public final class Runner {
  private Runner() {}

  public record Outcome(ObjectNode manifest, Path outDir) {}

  public static Outcome run(RunPlan plan, PipelineOptions options) throws IOException {
    return run(plan, options, null);
  }

  /** With {@code curateInput}, the records of that JSONL file take the place of generation. */
  public static Outcome run(RunPlan plan, PipelineOptions options, String curateInput) throws IOException {
    Path outDir = Path.of(plan.spec().output().dir());
    Files.createDirectories(outDir);
    Instant start = Instant.now();
    Pipeline p = Pipeline.create(options);
    String runId = java.util.UUID.randomUUID().toString();
    SeedforgePipeline.build(p, plan, runId, curateInput);
    ProgressReporter progress = plan.usesLlm() && curateInput == null ? ProgressReporter.start(runId, plan.requests().size()) : null;
    try {
      Timings.time(Timings.JOB, () -> p.run().waitUntilFinish());
    } catch (RuntimeException e) {
      FatalCallException fatal = findCause(e, FatalCallException.class);
      if (fatal != null) {
        throw fatal;
      }
      throw e;
    } finally {
      if (progress != null) {
        progress.close();
      }
    }
    RunState state = RunState.find(runId);
    RunState.forget(runId);
    Duration wall = Duration.between(start, Instant.now());
    Path ledgerFile = outDir.resolve(SeedforgePipeline.LEDGER);
    List<String> ledger = Files.readAllLines(ledgerFile, StandardCharsets.UTF_8);
    ObjectNode run = Json.mapper().createObjectNode();
    run.put("started_at", start.toString());
    run.put("wall_time_seconds", wall.toMillis() / 1000.0);
    run.put("runner", options.getRunner().getSimpleName());
    long manifestStart = System.nanoTime();
    ObjectNode manifest =
        Manifest.build(
            plan,
            ledger,
            outDir,
            SeedforgePipeline.allFiles(plan.spec()).stream().filter(f -> !f.startsWith(".")).toList(),
            run);
    Timings.add(Timings.MANIFEST, System.nanoTime() - manifestStart);
    if (state != null && state.stopMessage() != null && manifest.has("stopped")) {
      ((ObjectNode) manifest.get("stopped")).put("message", state.stopMessage());
    }
    AtomicFiles.writeString(outDir.resolve("manifest.json"), Json.pretty(manifest) + "\n");
    Files.deleteIfExists(ledgerFile);
    Files.deleteIfExists(outDir.resolve(SeedforgePipeline.FINAL));
    return new Outcome(manifest, outDir);
  }

  static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
