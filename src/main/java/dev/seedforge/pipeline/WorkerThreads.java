package dev.seedforge.pipeline;

import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How many worker threads the DirectRunner gets when the user does not say
 * ({@code --targetParallelism}).
 *
 * <p>The DirectRunner's driver resubmits itself to its own worker pool without pause, so every
 * worker thread with no bundle to run fires timers over the whole graph, a core's worth of work
 * that does nothing while a step runs alone; on two cores it also takes CPU from the steps that
 * use both cores by themselves (the gate's chunks, the embedding batches, the label model's
 * folds). A job that makes no model call is all such steps, so it runs on one worker thread: the
 * driver then runs only between bundles. A job with calls in flight keeps Beam's default (the
 * processors, at least 3), so calls, the gate and the writers overlap. Other runners ignore it.
 */
public final class WorkerThreads {
  private WorkerThreads() {}

  /** Whether the command line chose the DirectRunner's worker threads; set by {@link #record}. */
  @Hidden
  public interface Chosen extends PipelineOptions {
    @Description("Set by seedforge when --targetParallelism was given on the command line")
    @Default.Boolean(false)
    boolean getTargetParallelismChosen();

    void setTargetParallelismChosen(boolean chosen);
  }

  /** Notes in {@code options} whether {@code args} (the Beam arguments of the command line) chose the worker threads. */
  public static void record(PipelineOptions options, java.util.List<String> args) {
    options.as(Chosen.class).setTargetParallelismChosen(args.stream().anyMatch(a -> a.startsWith("--targetParallelism")));
  }

  /** Beam's own default: the processors, at least 3. */
  static int beamDefault() {
    return Math.max(Runtime.getRuntime().availableProcessors(), 3);
  }

  /**
   * One DirectRunner worker thread for a job that makes no model call, Beam's default for one
   * that does (the same options may serve several jobs), unless the command line chose.
   */
  static void forJob(PipelineOptions options, boolean makesCalls) {
    if (!options.as(Chosen.class).getTargetParallelismChosen()) {
      options.as(DirectOptions.class).setTargetParallelism(makesCalls ? beamDefault() : 1);
    }
  }
}
