package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.seed.TaskType;
import org.junit.jupiter.api.Test;

/** The worker's shared token limit, its pause, and the progress line. */
class WorkerLimitsTest {
  private static ModelSettings settings(String url, double rpm, double tpm, int maxTokens) {
    return new ModelSettings("openai", "m", url, "K", 5, 1, 4, TaskType.CLASSIFICATION)
        .withLimits(rpm, tpm, null, null)
        .withCache(null, false);
  }

  @Test
  void should_hold_calls_to_the_token_limit_and_learn_the_real_output_size() {
    ModelSettings s = new ModelSettings("openai", "m", "http://tpm", "K", 5, 1, 4, TaskType.CLASSIFICATION, null, false, 0, 60_000, 100,
        null, null, "t");
    WorkerResources w = WorkerResources.of(s);
    // 1,000 tokens per second (less 2% headroom); each call is 400 prompt + 100 expected output
    long t0 = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      w.beforeAttempt(400);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(seconds).isGreaterThan(1.8);
    assertThat(w.expectedOutput()).isEqualTo(100);
    for (int i = 0; i < 5; i++) {
      w.reportUsage(20);
    }
    assertThat(w.expectedOutput()).isEqualTo(20);
  }

  @Test
  void should_pause_every_thread_when_told() {
    WorkerResources w = WorkerResources.of(settings("http://pause", 0, 0, 10));
    w.pauseFor(300);
    long t0 = System.nanoTime();
    w.beforeAttempt(1);
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(250);
  }

  @Test
  void should_say_calls_cached_failed_accepted_tokens_cost_and_eta() {
    ModelSettings s = settings("http://progress", 0, 0, 10).withRunId("progress-test");
    RunState r = RunState.of(s);
    r.done.set(50);
    r.cached.set(10);
    r.failed.set(2);
    r.accepted.set(200);
    r.tokensIn.set(1234);
    r.tokensOut.set(567);
    r.costMicros.set(12_500);
    ProgressReporter p = new ProgressReporter("progress-test", 100, System.err, false, 5000);
    assertThat(p.line()).contains("calls 50/100", "cached 10", "failed 2", "accepted 200", "tokens 1234 in / 567 out", "$0.0125", "ETA");
    RunState.forget("progress-test");
    assertThat(p.line()).isNull();
  }

  @Test
  void should_stop_at_the_budget_before_going_over() {
    RunState r = new RunState(new dev.seedforge.config.PipelineSpec.Budget(0, 1000, 0), null);
    assertThat(r.tryReserve(300, 200)).isTrue();
    assertThat(r.tryReserve(300, 200)).isTrue();
    assertThat(r.tryReserve(1, 1)).isFalse();
    assertThat(r.stopKind()).isEqualTo("budget_exhausted");
    assertThat(r.stopMessage()).contains("max_tokens 1000");
  }
}
