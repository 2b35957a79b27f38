package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.ExitCodes;
import dev.seedforge.cli.Main;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The generation stage end to end through the loopback server: cache, concurrency, limits, budget, circuit breaker, faults. */
@Timeout(120)
class GenerationStageTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  @TempDir Path dir;

  /** A pipeline file on the example pack (60 planned calls) with extra llm settings (they may set cache). */
  Path pipeline(String baseUrl, String llmExtra) throws IOException {
    Path f = dir.resolve("p-" + Integer.toHexString(llmExtra.hashCode()) + ".yaml");
    Files.writeString(f, String.join("\n",
        "name: gen-test",
        "pack: " + PACK,
        "seed: 42",
        "llm:",
        "  provider: openai",
        "  model: gpt-4o-mini",
        "  base_url: " + baseUrl,
        // a key given twice is an error, so llmExtra's own cache replaces this one
        llmExtra.lines().anyMatch(l -> l.startsWith("cache:")) ? "" : "  cache: " + dir.resolve("cache/responses.sqlite"),
        "  max_tokens: 512",
        llmExtra.isEmpty() ? "" : llmExtra.lines().map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse(""),
        "generation:",
        "  calls_per_label: 3",
        "  examples_per_call: 5",
        "quality:",
        "  language: \"off\"",
        ""));
    return f;
  }

  static Runner.Outcome run(Path pipeline, Path out) throws IOException {
    PipelineSpec spec = SpecLoader.load(pipeline, Map.of(), new SpecLoader.Overrides(null, null, null, null, out.toString()));
    return Runner.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());
  }

  static long calls(JsonNode m, String name) {
    return m.path("calls").path(name).path("total").asLong();
  }

  static List<JsonNode> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream().map(l -> {
      try {
        return Json.mapper().readTree(l);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  /** planned = calls that yielded candidates or rejections + failure records, and failed.jsonl has every failure. */
  static void assertAccounted(JsonNode m, Path out) throws IOException {
    assertThat(calls(m, "made") + calls(m, "cached") + calls(m, "failed")).isEqualTo(calls(m, "planned"));
    assertThat(lines(out.resolve("failed.jsonl"))).hasSize((int) calls(m, "failed"));
  }

  @Test
  void should_answer_a_rerun_from_the_cache_and_call_again_on_refresh() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      Path p = pipeline(server.baseUrl(), "");
      JsonNode first = run(p, dir.resolve("a")).manifest();
      assertThat(server.requestCount()).isEqualTo(60);
      assertThat(calls(first, "made")).isEqualTo(60);
      long paidIn = first.path("tokens").path("input").path("total").asLong();
      assertThat(paidIn).isPositive();
      assertThat(first.path("cost").path("total").asDouble()).isPositive();

      JsonNode second = run(p, dir.resolve("b")).manifest();
      assertThat(server.requestCount()).as("a finished pipeline re-run makes no calls").isEqualTo(60);
      assertThat(calls(second, "cached")).isEqualTo(60);
      assertThat(calls(second, "made")).isZero();
      assertThat(second.path("tokens").path("input").path("total").asLong()).isZero();
      assertThat(second.path("tokens").path("cached_input").path("total").asLong()).isEqualTo(paidIn);
      assertThat(second.path("cost").path("total").asDouble()).isZero();
      for (String f : List.of("train.jsonl", "validation.jsonl", "rejected.jsonl", "failed.jsonl")) {
        assertThat(Files.readAllBytes(dir.resolve("b").resolve(f))).as(f).isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(f)));
      }

      int code = Main.execute("run", p.toString(), "--out", dir.resolve("c").toString(), "--refresh-cache");
      assertThat(code).isEqualTo(ExitCodes.OK);
      assertThat(server.requestCount()).as("--refresh-cache calls again").isEqualTo(120);
      code = Main.execute("run", p.toString(), "--out", dir.resolve("d").toString(), "--no-cache");
      assertThat(code).isEqualTo(ExitCodes.OK);
      assertThat(server.requestCount()).as("--no-cache calls again").isEqualTo(180);
      code = Main.execute("run", p.toString(), "--out", dir.resolve("e").toString());
      assertThat(server.requestCount()).isEqualTo(180);
    }
  }

  @Test
  void should_resume_paying_only_for_what_is_missing() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // the first run gets only 25 calls (budget), as if it had been stopped part way
      JsonNode first = run(pipeline(server.baseUrl(), "budget: {max_calls: 25}"), dir.resolve("a")).manifest();
      assertThat(first.path("status").asText()).isEqualTo("budget_exhausted");
      assertThat(server.requestCount()).isEqualTo(25);
      JsonNode second = run(pipeline(server.baseUrl(), ""), dir.resolve("b")).manifest();
      assertThat(server.requestCount()).isEqualTo(60);
      assertThat(calls(second, "cached")).isEqualTo(25);
      assertThat(calls(second, "made")).isEqualTo(35);
      assertThat(second.path("status").asText()).isEqualTo("complete");
    }
  }

  @Test
  void should_keep_the_configured_number_of_calls_in_flight() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      server.latencyMillis(150);
      JsonNode m = run(pipeline(server.baseUrl(), "concurrency: 16\ncache: \"off\""), dir.resolve("a")).manifest();
      assertThat(calls(m, "made")).isEqualTo(60);
      // The server counts a request until its handler returns, a moment after the client has its
      // answer and may send the next one: calls finishing together overlap by a few.
      assertThat(server.maxInFlight()).isBetween(14, 16 + 8);
    }
  }

  @Test
  void should_stay_under_the_client_side_request_rate() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      server.rateLimitPerMinute(1200);
      long t0 = System.nanoTime();
      JsonNode m = run(pipeline(server.baseUrl(), "concurrency: 16\ncache: \"off\"\nrequests_per_minute: 1200"), dir.resolve("a")).manifest();
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(calls(m, "made")).isEqualTo(60);
      assertThat(server.tooManyRequestsSent()).isZero();
      // 60 calls at 20 per second take about 3 s
      assertThat(seconds).isGreaterThan(2.5);
    }
  }

  @Test
  void should_stop_at_the_budget_write_what_was_received_and_exit_with_3() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      Path p = pipeline(server.baseUrl(), "concurrency: 4\nbudget: {max_calls: 10}");
      Path out = dir.resolve("a");
      int code = Main.execute("run", p.toString(), "--out", out.toString());
      assertThat(code).isEqualTo(ExitCodes.BUDGET_EXHAUSTED);
      assertThat(server.requestCount()).isEqualTo(10);
      JsonNode m = Json.mapper().readTree(out.resolve("manifest.json").toFile());
      assertThat(m.path("status").asText()).isEqualTo("budget_exhausted");
      assertThat(m.path("stopped").path("spent").path("calls").asLong()).isEqualTo(10);
      assertThat(m.path("stopped").path("message").asText()).contains("max_calls");
      assertThat(m.path("calls").path("failures_by_kind").path("budget_exhausted").asLong()).isEqualTo(50);
      assertAccounted(m, out);
      assertThat(lines(out.resolve("failed.jsonl"))).allSatisfy(f -> {
        assertThat(f.path("errorKind").asText()).isEqualTo("budget_exhausted");
        assertThat(f.path("attempts").asInt()).isZero();
      });
      assertThat(lines(out.resolve("train.jsonl"))).isNotEmpty();
    }
  }

  @Test
  void should_never_spend_more_tokens_than_the_budget() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      JsonNode m = run(pipeline(server.baseUrl(), "concurrency: 8\ncache: \"off\"\nbudget: {max_tokens: 20000}"), dir.resolve("a")).manifest();
      assertThat(m.path("status").asText()).isEqualTo("budget_exhausted");
      long spent = m.path("tokens").path("input").path("total").asLong() + m.path("tokens").path("output").path("total").asLong();
      assertThat(spent).isPositive().isLessThanOrEqualTo(20000);
      assertThat(calls(m, "made")).isBetween(1L, 59L);
      assertAccounted(m, dir.resolve("a"));
    }
  }

  @Test
  void should_open_the_circuit_when_most_calls_fail() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      server.script((n, body) -> Behavior.SERVER_ERROR);
      Path p = pipeline(server.baseUrl(), "concurrency: 2\nmax_attempts: 1\ncache: \"off\"");
      Path out = dir.resolve("a");
      int code = Main.execute("run", p.toString(), "--out", out.toString());
      assertThat(code).isEqualTo(ExitCodes.RUNTIME_FAILURE);
      JsonNode m = Json.mapper().readTree(out.resolve("manifest.json").toFile());
      assertThat(m.path("status").asText()).isEqualTo("circuit_open");
      assertThat(server.requestCount()).isBetween(20, 23);
      long open = m.path("calls").path("failures_by_kind").path("circuit_open").asLong();
      assertThat(open).isEqualTo(60 - server.requestCount());
      assertAccounted(m, out);
    }
  }

  @Test
  void should_stop_at_once_on_a_refused_key_or_an_unknown_model() throws IOException {
    for (Behavior fatal : List.of(Behavior.UNAUTHORIZED, Behavior.MODEL_NOT_FOUND)) {
      try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
        server.script((n, body) -> fatal);
        Path p = pipeline(server.baseUrl(), "concurrency: 2\ncache: \"off\"");
        int code = Main.execute("run", p.toString(), "--out", dir.resolve(fatal.name()).toString());
        assertThat(code).as(fatal.name()).isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(server.requestCount()).as(fatal.name()).isLessThanOrEqualTo(8);
      }
    }
  }

  @Test
  void should_account_for_every_request_under_every_fault() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      Behavior[] faults = {Behavior.TRUNCATED, Behavior.PROSE, Behavior.MALFORMED_JSON, Behavior.FENCED, Behavior.EMPTY,
          Behavior.SERVER_ERROR, Behavior.SERVICE_UNAVAILABLE, Behavior.RATE_LIMIT, Behavior.HANG};
      // every 6th request of a request body hits one fault, the retries of that body get the next one
      server.script((n, body) -> n % 6 == 0 ? faults[(n / 6) % faults.length] : null);
      server.hangMillis(5000).retryAfterSeconds(0);
      Path p = pipeline(server.baseUrl(), "concurrency: 8\ntimeout_seconds: 1\nmax_attempts: 2\ncache: \"off\"");
      Path out = dir.resolve("a");
      JsonNode m = run(p, out).manifest();
      assertAccounted(m, out);
      assertThat(calls(m, "retried")).isPositive();
      List<JsonNode> rejected = lines(out.resolve("rejected.jsonl"));
      long parseRejectedResponses = rejected.stream()
          .filter(r -> r.path("stage").asText().equals("parse") && !r.path("raw").isMissingNode() && !r.path("raw").isNull()).count();
      assertThat(parseRejectedResponses).isPositive();
      for (Behavior b : faults) {
        assertThat(server.count(b)).as(b.name()).isPositive();
      }
    }
  }
}
