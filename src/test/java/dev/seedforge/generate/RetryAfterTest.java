package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.seed.TaskType;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A 429's Retry-After reaches the caller through HeaderCapturingHttpClient and is waited out. */
@Timeout(30)
class RetryAfterTest {

  @Test
  void should_wait_as_long_as_a_429_says_and_pause_the_worker() {
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      server.retryAfterSeconds(2).next(Behavior.RATE_LIMIT, 1);
      ModelSettings s = new ModelSettings("openai", "test-model", server.baseUrl(), "K", 5, 3, 1, TaskType.CLASSIFICATION);
      // 5 ms backoff: without the header the retry would come almost at once
      LangChainCaller caller = new LangChainCaller(s, Map.of(), 5);
      AtomicLong paused = new AtomicLong(-1);
      long t0 = System.nanoTime();
      CallOutcome out = caller.call(LangChainCallerTest.request(TaskType.CLASSIFICATION, 2, "test-model"), new LangChainCaller.Gate() {
        @Override
        public void beforeAttempt() {}

        @Override
        public void pause(long millis) {
          paused.set(millis);
        }
      });
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(out.ok()).isTrue();
      assertThat(out.attempts()).isEqualTo(2);
      assertThat(paused.get()).isEqualTo(2000);
      assertThat(ms).isGreaterThanOrEqualTo(1950);
      assertThat(server.tooManyRequestsSent()).isEqualTo(1);
    }
  }

  @Test
  void should_read_retry_after_and_openai_reset_headers() {
    assertThat(HeaderCapturingHttpClient.waitMillis(Map.of("retry-after", "3"))).isEqualTo(3000);
    assertThat(HeaderCapturingHttpClient.waitMillis(Map.of("retry-after-ms", "250", "retry-after", "1"))).isEqualTo(250);
    assertThat(HeaderCapturingHttpClient.waitMillis(Map.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "6m0s"))).isEqualTo(360_000);
    assertThat(HeaderCapturingHttpClient.waitMillis(Map.of("x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "120ms"))).isEqualTo(120);
    assertThat(HeaderCapturingHttpClient.waitMillis(Map.of("x-ratelimit-remaining-requests", "5", "x-ratelimit-reset-requests", "1s"))).isEqualTo(-1);
    assertThat(HeaderCapturingHttpClient.waitMillis(Map.of())).isEqualTo(-1);
  }

  @Test
  void should_never_capture_request_headers() {
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      ModelSettings s = new ModelSettings("openai", "test-model", server.baseUrl(), "K", 5, 1, 1, TaskType.CLASSIFICATION);
      new LangChainCaller(s, Map.of("K", "sk-secret-key-123456789"), 5).call(LangChainCallerTest.request(TaskType.CLASSIFICATION, 2, "test-model"));
      assertThat(HeaderCapturingHttpClient.lastResponseHeaders().toString()).doesNotContain("sk-secret").contains("content-type");
    }
  }
}
