package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InvocationTest {
  @TempDir Path out;

  @Test
  void should_say_what_to_do_when_the_job_reports_done_but_wrote_nothing() {
    // given a run folder without the job's work files (a worker died of OutOfMemoryError)
    // when / then
    assertThatThrownBy(() -> Invocation.checkFinished(PipelineResult.State.DONE, out))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without writing " + out.resolve(SeedforgePipeline.CALLS))
        .hasMessageContaining("ran out of memory")
        .hasMessageContaining("-Xmx")
        .hasMessageContaining("--runner=FlinkRunner");
  }

  @Test
  void should_fail_when_the_job_did_not_finish() throws Exception {
    Files.writeString(out.resolve(SeedforgePipeline.CALLS), "");
    assertThatThrownBy(() -> Invocation.checkFinished(PipelineResult.State.FAILED, out))
        .hasMessageStartingWith("the job ended FAILED");
  }

  @Test
  void should_accept_a_finished_job_with_its_files() throws Exception {
    Files.writeString(out.resolve(SeedforgePipeline.CALLS), "");
    assertThatCode(() -> Invocation.checkFinished(PipelineResult.State.DONE, out)).doesNotThrowAnyException();
  }
}
