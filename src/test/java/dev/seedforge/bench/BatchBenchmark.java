package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import dev.seedforge.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch mode at scale against the loopback Batch API: 10,000 requests split into batches of at most
 * 4,000 (the server's limit), 2% of the items failing with 500 and 1% with 400, the first batch
 * expiring after 3,000 of its requests, and the run killed with SIGKILL while it polls. The same
 * command then re-attaches to the batches, submits only what the expired one left unanswered, and
 * must end with every request answered or failed once: no request line answered twice, no batch
 * submitted again, and the manifest's cost at the batch price of exactly what the server billed.
 *
 * <p>{@code mvn -B test -Pbench -Dtest=BatchBenchmark [-Dbench.requests=10000]}
 */
@Tag("benchmark")
class BatchBenchmark {
  static final double BATCH_IN = 0.075;
  static final double BATCH_OUT = 0.30;
  @TempDir Path dir;

  static void print(String format, Object... args) {
    System.out.println("BENCH batch: " + String.format(Locale.ROOT, format, args));
  }

  @Test
  void ten_thousand_requests_with_expiry_failures_and_a_kill() throws Exception {
    int planned = Integer.getInteger("bench.requests", 10_000);
    int perLabel = planned / 20;
    try (LoopbackLlmServer server = new LoopbackLlmServer(31)) {
      server.batchLimits(4000, 200L * 1024 * 1024).batchLinesPerPoll(500).expireNextBatchAfter(3000).keepBodies(0)
          .withProbability(Behavior.SERVER_ERROR, 0.02).withProbability(Behavior.BAD_REQUEST, 0.01);
      Path out = dir.resolve("out");
      Path p = dir.resolve("p.yaml");
      Files.writeString(p, String.join("\n",
          "pack: " + Path.of("prompts/customer-support").toAbsolutePath(),
          "llm: {provider: openai, base_url: \"" + server.baseUrl() + "\", cache: \"" + dir.resolve("cache.sqlite") + "\", max_tokens: 400,",
          "  mode: batch, batch: {max_requests: 4000, poll_initial_ms: 200, poll_max_ms: 1000,",
          "    price: {input_per_million: " + BATCH_IN + ", output_per_million: " + BATCH_OUT + "}}}",
          // one example a call keeps the stages after generation small: the batch round trip is what is measured
          "generation: {calls_per_label: " + perLabel + ", examples_per_call: 1, max_rounds: 1}",
          "quality: {language: \"off\"}",
          "output: {dir: \"" + out + "\"}",
          ""));
      long t0 = System.nanoTime();

      Process first = dev.seedforge.testing.ChildRun.start(p, dir.resolve("first.log"));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (server.batchLinesProcessed() < 1000 && first.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      int batchesAtKill = server.batchesCreated();
      long processedAtKill = server.batchLinesProcessed();
      double firstSeconds = (System.nanoTime() - t0) / 1e9;

      Process second = dev.seedforge.testing.ChildRun.start(p, dir.resolve("second.log"));
      assertThat(second.waitFor(40, TimeUnit.MINUTES)).isTrue();
      double seconds = (System.nanoTime() - t0) / 1e9;

      JsonNode m = Json.mapper().readTree(out.resolve("manifest.json").toFile());
      JsonNode calls = m.path("calls");
      long made = calls.path("made").path("total").asLong();
      long failed = calls.path("failed").path("total").asLong();
      long cached = calls.path("cached").path("total").asLong();
      double billed = (server.billedPromptTokens() * BATCH_IN + server.billedCompletionTokens() * BATCH_OUT) / 1e6;
      print("planned %d requests; first attempt killed (SIGKILL) after %.1f s while polling: %d batches submitted, %d lines processed",
          planned, firstSeconds, batchesAtKill, processedAtKill);
      print("resumed run: exit %d, status %s; made %d, failed %d, cached %d; failed by kind %s", second.exitValue(), m.path("status").asText(),
          made, failed, cached, calls.path("failures_by_kind"));
      print("server: %d batches created (largest %d lines), %d lines submitted, %d expired and resubmitted, %d lines processed, %d answered twice;"
              + " API calls %s", server.batchesCreated(), server.largestBatch(), server.batchLinesSubmitted(), server.batchLinesExpired(),
          server.batchLinesProcessed(), server.batchRequestsAnsweredTwice(), server.batchCalls());
      print("cost: manifest $%.4f (%s), server's usage at the batch price $%.4f, the same usage at the sync price $%.4f",
          m.path("cost").path("total").asDouble(), m.path("cost").path("batch_price_source").asText(), billed,
          m.path("cost").path("sync_equivalent").asDouble());
      print("wall time %.1f s (both attempts)", seconds);

      assertThat(second.exitValue()).isZero();
      assertThat(batchesAtKill).isEqualTo((planned + 3999) / 4000);
      assertThat(server.batchesCreated()).isEqualTo(batchesAtKill + 1);
      assertThat(server.batchRequestsAnsweredTwice()).isZero();
      assertThat(server.batchLinesSubmitted()).isEqualTo(planned + server.batchLinesExpired());
      assertThat(made + failed).isEqualTo(planned);
      assertThat(server.batchLinesProcessed()).isEqualTo(planned);
      assertThat(m.path("cost").path("total").asDouble()).isCloseTo(billed, org.assertj.core.data.Offset.offset(1e-9));
    }
  }
}
