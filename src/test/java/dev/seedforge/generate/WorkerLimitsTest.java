package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.accounting.SpendLedger;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.seed.TaskType;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
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
        null, null);
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
  void should_say_calls_cached_failed_tokens_cost_and_eta_from_the_run_ledger(@TempDir Path dir) {
    SpendLedger ledger = SpendLedger.open(dir.resolve("ledger.sqlite"));
    ledger.startRun("progress-test", "p");
    ProgressReporter p = new ProgressReporter(ledger, "progress-test", 100, System.err, false, 5000);
    PipelineSpec.Budget none = PipelineSpec.Budget.none();
    for (int i = 0; i < 10; i++) {
      ledger.cacheHit("progress-test");
    }
    for (int i = 0; i < 40; i++) {
      long id = ledger.reserve("progress-test", none, "r" + i, 0, "a", 100, 0).callId();
      ledger.settle("progress-test", id, i < 2 ? "server_error" : null, 1, i < 2 ? 0 : 30, i < 2 ? 0 : 10, i < 2 ? 0 : 1_000_000_000L);
    }
    assertThat(p.line()).contains("calls 50/100", "cached 10", "failed 2", "40 requests sent", "1520 tokens", "$0.0380", "ETA");
  }
}
