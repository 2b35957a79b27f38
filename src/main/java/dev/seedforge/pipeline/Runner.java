package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.accounting.RunAccount;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Runs a planned job on the configured Beam runner, one round, and writes manifest.json when it
 * ends. {@link TopUp#run} runs the rounds of a whole {@code seedforge run}.
 */
public final class Runner {
  private Runner() {}

  /**
   * How a run ended, typed: its status and why it stopped, the account of its calls (null for
   * runs without calls), the manifest written, the run folder, and every round's call records.
   */
  public record Outcome(RunStatus status, String stopMessage, RunAccount account, ObjectNode manifest, Path outDir,
      java.util.List<dev.seedforge.accounting.CallRecord> calls) {
    public Outcome {
      calls = java.util.List.copyOf(calls);
    }
  }

  public static Outcome run(RunPlan plan, PipelineOptions options) throws IOException {
    return run(plan, options, null);
  }

  /** With {@code curateInput}, the records of that JSONL file take the place of generation. */
  public static Outcome run(RunPlan plan, PipelineOptions options, String curateInput) throws IOException {
    Invocation run = Invocation.start(plan, options, curateInput);
    try {
      run.round(plan, plan.requests().size());
      return run.finish(plan, null, java.util.Map.of());
    } catch (RuntimeException | IOException | Error e) {
      run.abandon();
      throw e;
    }
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
