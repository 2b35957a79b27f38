package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run through every fault at once, killed with SIGKILL half way and resumed: 10% 429, 5% 500,
 * 2% stalled bodies, 5% malformed replies and 2% HTML pages, from a server that echoes the API key
 * in its error bodies. Prints what was planned, made, retried, failed by kind and paid twice, and
 * checks that every request is accounted for and that the key is in no output, cache, ledger or log.
 *
 * <p>{@code mvn -B test -Pbench -Dtest=ReliabilityBenchmark [-Dbench.calls=400]}
 */
@Tag("benchmark")
class ReliabilityBenchmark {
  static final String KEY = "sk-reliability-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
  @TempDir Path dir;

  static void print(String format, Object... args) {
    System.out.println("BENCH reliability: " + String.format(Locale.ROOT, format, args));
  }

  Process start(Path pipeline, Path log) throws IOException {
    return dev.seedforge.testing.ChildRun.start(pipeline, log, java.util.Map.of("OPENAI_API_KEY", KEY));
  }

  @Test
  void faults_kill_and_resume() throws Exception {
    int perLabel = Integer.getInteger("bench.calls", 400) / 20;
    try (LoopbackLlmServer server = new LoopbackLlmServer(23)) {
      server.requireApiKey(KEY).echoApiKey(true).latencyMillis(20).retryAfterSeconds(0).keepBodies(0)
          .withProbability(Behavior.RATE_LIMIT, 0.10)
          .withProbability(Behavior.SERVER_ERROR, 0.05)
          .withProbability(Behavior.STALL_BODY, 0.02)
          .withProbability(Behavior.MALFORMED_JSON, 0.05)
          .withProbability(Behavior.HTML_PAGE, 0.02);
      Path out = dir.resolve("out");
      Path p = dir.resolve("p.yaml");
      Files.writeString(p, String.join("\n",
          "pack: " + Path.of("prompts/customer-support").toAbsolutePath(),
          "llm: {provider: openai, base_url: \"" + server.baseUrl() + "\", cache: \"" + dir.resolve("cache.sqlite")
              + "\", timeout_seconds: 2, max_attempts: 4, concurrency: 8, max_tokens: 400}",
          "generation: {calls_per_label: " + perLabel + ", examples_per_call: 5, max_rounds: 1}",
          "quality: {language: \"off\"}",
          "output: {dir: \"" + out + "\"}",
          ""));
      long t0 = System.nanoTime();

      // the first attempt, killed with SIGKILL once about half the requests were answered
      int planned = perLabel * 20;
      Process first = start(p, dir.resolve("first.log"));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (server.count(Behavior.OK) < planned / 2 && first.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      int inFlightAtKill = server.inFlight();
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      long atKill = server.requestCount();
      long repeatedBeforeResume = server.repeatedCompletions();
      Thread.sleep(2500); // stalled and in-flight requests of the dead client run out on the server

      // the same command again
      Process second = start(p, dir.resolve("second.log"));
      assertThat(second.waitFor(10, TimeUnit.MINUTES)).isTrue();
      double seconds = (System.nanoTime() - t0) / 1e9;

      JsonNode m = Json.mapper().readTree(out.resolve("manifest.json").toFile());
      JsonNode calls = m.path("calls");
      long made = calls.path("made").path("total").asLong();
      long cached = calls.path("cached").path("total").asLong();
      long failed = calls.path("failed").path("total").asLong();
      long usable = calls.path("usable").path("total").asLong();
      long failedLines = Files.readAllLines(out.resolve("failed.jsonl")).size();
      long parseRejected = 0;
      for (String l : Files.readAllLines(out.resolve("rejected.jsonl"))) {
        JsonNode r = Json.mapper().readTree(l);
        if (r.path("stage").asText().equals("parse") && r.hasNonNull("raw")) {
          parseRejected++;
        }
      }
      long repeated = server.repeatedCompletions();
      print("planned %d calls; first attempt killed (SIGKILL) after %d requests with %d in flight", planned, atKill, inFlightAtKill);
      print("resumed run: exit %d, status %s; made %d, cached (paid by the killed attempt) %d, failed %d, retried %d, sent %d",
          second.exitValue(), m.path("status").asText(), made, cached, failed, calls.path("retried").path("total").asLong(),
          calls.path("sent").path("total").asLong());
      print("failed by kind %s", calls.path("failures_by_kind"));
      print("server: %d requests in all, %s", server.requestCount(), server.counts());
      long afterStall = server.repeatedAfterStall();
      print("paid twice: %d answers generated for a request answered before: %d for stalled bodies retried (%d stalls), %d for requests"
              + " lost at the kill (%d in flight then; %d repeats before the resume)",
          repeated, afterStall, server.count(Behavior.STALL_BODY), repeated - afterStall, inFlightAtKill, repeatedBeforeResume);
      print("accounted: planned %d = usable %d + unusable answers %d + failed %d; failed.jsonl %d lines, whole responses rejected by the parser %d",
          planned, usable, made + cached - usable, failed, failedLines, parseRejected);
      print("wall time %.1f s (both attempts)", seconds);

      assertThat(made + cached + failed).isEqualTo(planned);
      assertThat(failedLines).isEqualTo(failed);
      assertThat(made + cached - usable).isGreaterThanOrEqualTo(parseRejected);
      assertThat(afterStall).isLessThanOrEqualTo(server.count(Behavior.STALL_BODY));
      assertThat(repeated - afterStall).as("paid twice because of the kill").isLessThanOrEqualTo(8);
      long hits = 0;
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          if (new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1).contains(KEY)) {
            hits++;
            print("the key is in %s", f);
          }
        }
      }
      print("files holding the key (outputs, cache, ledger, logs of both attempts): %d", hits);
      assertThat(hits).isZero();
      assertThat(m.path("status").asText()).isEqualTo("complete");
    }
  }
}
