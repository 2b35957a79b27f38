package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.cli.RunCommand;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;

class WorkerThreadsTest {
  private static int threads(PipelineOptions o) {
    return o.as(DirectOptions.class).getTargetParallelism();
  }

  @Test
  void a_job_without_model_calls_gets_one_worker_thread() {
    PipelineOptions o = RunCommand.beamOptions(List.of());
    WorkerThreads.forJob(o, false);
    assertThat(threads(o)).isEqualTo(1);
  }

  @Test
  void a_job_with_model_calls_keeps_beams_default() {
    PipelineOptions o = RunCommand.beamOptions(List.of());
    WorkerThreads.forJob(o, true);
    assertThat(threads(o)).isEqualTo(Math.max(Runtime.getRuntime().availableProcessors(), 3));
  }

  @Test
  void options_that_served_a_job_without_calls_give_the_next_job_with_calls_beams_default() {
    PipelineOptions o = RunCommand.beamOptions(List.of());
    WorkerThreads.forJob(o, false);
    WorkerThreads.forJob(o, true);
    assertThat(threads(o)).isEqualTo(Math.max(Runtime.getRuntime().availableProcessors(), 3));
  }

  @Test
  void the_command_lines_choice_wins() {
    PipelineOptions o = RunCommand.beamOptions(List.of("--targetParallelism=2"));
    WorkerThreads.forJob(o, false);
    assertThat(threads(o)).isEqualTo(2);
  }
}
