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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Calls that stall, fail or echo the key, end to end through the loopback server: what the run does and what it writes. */
@Timeout(120)
class FailedCallsTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  static final String KEY_ENV = "SEEDFORGE_TEST_API_KEY";
  @TempDir Path dir;

  /** A pipeline on the example pack (20 labels × {@code callsPerLabel} calls), one round, no cache. */
  Path pipeline(String baseUrl, int callsPerLabel, String llmExtra) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, String.join("\n",
        "name: failed-calls-test",
        "pack: " + PACK,
        "seed: 42",
        "llm:",
        "  provider: openai",
        "  model: gpt-4o-mini",
        "  base_url: " + baseUrl,
        "  cache: \"off\"",
        "  max_tokens: 512",
        llmExtra.lines().map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse(""),
        "generation:",
        "  calls_per_label: " + callsPerLabel,
        "  examples_per_call: 5",
        "  max_rounds: 1",
        "quality:",
        "  language: \"off\"",
        "  label_check: false",
        "  domain_check: false",
        ""));
    return f;
  }

  static JsonNode run(Path pipeline, Path out) throws IOException {
    PipelineSpec spec = SpecLoader.load(pipeline, Map.of(), new SpecLoader.Overrides(null, null, null, null, out.toString()));
    return Runner.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create()).manifest();
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

  @Test
  void should_time_out_stalled_bodies_while_the_other_slots_keep_calling() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given 400 calls on 8 slots, of which the first 6 stall half way through the body at every
      // attempt; more batches than the runner has threads, each of the first ones with a stall
      Map<String, List<Long>> stalled = new LinkedHashMap<>();
      server.script((n, body) -> {
        synchronized (stalled) {
          if (stalled.containsKey(body) || stalled.size() < 6) {
            stalled.computeIfAbsent(body, b -> new ArrayList<>()).add(server.nowMillis());
            return Behavior.STALL_BODY;
          }
          return null;
        }
      });
      int timeout = 4;
      Path out = dir.resolve("a");

      // when
      JsonNode m = run(pipeline(server.baseUrl(), 20, "concurrency: 8\ntimeout_seconds: " + timeout + "\nmax_attempts: 2"), out);

      // then each stalled call ends as a timeout after two attempts; everything else was answered
      assertThat(server.count(Behavior.STALL_BODY)).isEqualTo(12);
      assertThat(m.path("calls").path("failures_by_kind").path("timeout").asLong()).isEqualTo(6);
      assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(394);
      assertThat(lines(out.resolve("failed.jsonl"))).hasSize(6).allSatisfy(f -> {
        assertThat(f.path("errorKind").asText()).isEqualTo("timeout");
        assertThat(f.path("attempts").asInt()).isEqualTo(2);
        assertThat(f.path("message").asText()).contains("no complete response within 4 s");
      });
      // each retry went out when its first attempt's deadline passed (plus a backoff under a second)
      assertThat(stalled.values()).allSatisfy(times -> {
        assertThat(times).hasSize(2);
        assertThat(times.get(1) - times.get(0)).isBetween(timeout * 1000L - 100, timeout * 1000L + 3_000);
      });
      // and while the first attempts stalled, the other 394 requests went through the 2 free slots
      List<Long> arrivals = server.arrivalMillis();
      long firstDeadline = arrivals.get(0) + timeout * 1000L;
      assertThat(arrivals.stream().filter(t -> t < firstDeadline).count()).isEqualTo(400);
    }
  }

  @Test
  void should_name_each_failure_after_what_the_server_did() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given one request body per fault, at every attempt
      List<Behavior> faults = List.of(Behavior.BAD_REQUEST, Behavior.NOT_JSON, Behavior.HTML_PAGE, Behavior.HTML_LOGIN,
          Behavior.SERVER_ERROR, Behavior.RATE_LIMIT, Behavior.HANG, Behavior.STALL_BODY, Behavior.DROP);
      Map<String, Behavior> assigned = new LinkedHashMap<>();
      server.script((n, body) -> {
        synchronized (assigned) {
          if (!assigned.containsKey(body) && assigned.size() < faults.size()) {
            assigned.put(body, faults.get(assigned.size()));
          }
          return assigned.get(body);
        }
      }).retryAfterSeconds(0);
      Path out = dir.resolve("a");

      // when
      JsonNode m = run(pipeline(server.baseUrl(), 3, "concurrency: 4\ntimeout_seconds: 1\nmax_attempts: 2"), out);

      // then
      JsonNode byKind = m.path("calls").path("failures_by_kind");
      assertThat(Json.mapper().convertValue(byKind, Map.class)).isEqualTo(Map.of(
          "http_400", 1L, "not_json", 1L, "html_response", 2L, "server_error", 1L, "rate_limited", 1L, "timeout", 2L, "connection", 1L));
      Map<String, List<String>> messages = new LinkedHashMap<>();
      for (JsonNode f : lines(out.resolve("failed.jsonl"))) {
        messages.computeIfAbsent(f.path("errorKind").asText(), k -> new ArrayList<>()).add(f.path("message").asText());
      }
      assertThat(messages.get("http_400")).singleElement().asString().startsWith("HTTP 400: Invalid value for 'messages'");
      assertThat(messages.get("not_json")).singleElement().asString().contains("HTTP 200", "not JSON", "text/plain", "service warming up");
      assertThat(messages.get("html_response")).hasSize(2).allSatisfy(msg -> assertThat(msg).contains("HTML page", "llm.base_url"))
          .anySatisfy(msg -> assertThat(msg).contains("HTTP 403", "Sign in"))
          .anySatisfy(msg -> assertThat(msg).contains("HTTP 200", "guest network"));
      assertThat(messages.get("server_error")).singleElement().asString().startsWith("HTTP 500: ");
      assertThat(messages.get("rate_limited")).singleElement().asString().startsWith("HTTP 429: Rate limit reached");
      assertThat(messages.get("timeout")).hasSize(2).allSatisfy(msg -> assertThat(msg).contains("within 1 s"));
      assertThat(messages.get("connection")).singleElement().asString().startsWith("connection failed");
      // not retried: a 400, a page, a body that is not JSON; retried: the rest
      assertThat(server.requestCount()).isEqualTo(60 - 9 + 4 + 5 * 2);
    }
  }

  @Test
  void should_keep_an_echoed_key_out_of_every_file_and_stream() throws IOException {
    String key = System.getenv(KEY_ENV);
    assertThat(key).as(KEY_ENV + " (set by surefire in pom.xml)").isNotBlank();
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given a gateway that checks the key and quotes the request's headers in every error body
      server.requireApiKey(key).echoApiKey(true).retryAfterSeconds(0);
      List<Behavior> faults = List.of(Behavior.BAD_REQUEST, Behavior.BAD_REQUEST, Behavior.SERVER_ERROR, Behavior.RATE_LIMIT);
      Map<String, Behavior> assigned = new LinkedHashMap<>();
      server.script((n, body) -> {
        synchronized (assigned) {
          if (!assigned.containsKey(body) && assigned.size() < faults.size()) {
            assigned.put(body, faults.get(assigned.size()));
          }
          return assigned.get(body);
        }
      });
      Path p = pipeline(server.baseUrl(), 3, "api_key_env: " + KEY_ENV + "\nconcurrency: 4\nmax_attempts: 2");
      StringBuilder printed = new StringBuilder();

      // when: a run with failed calls, a run whose calls are refused, a run whose key check is refused
      assertThat(main(printed, "run", p.toString(), "--out", dir.resolve("a").toString())).isEqualTo(ExitCodes.OK);
      server.script((n, body) -> Behavior.UNAUTHORIZED);
      assertThat(main(printed, "run", p.toString(), "--out", dir.resolve("b").toString())).isEqualTo(ExitCodes.RUNTIME_FAILURE);
      server.script(null).requireApiKey("sk-some-other-key-0000000000");
      assertThat(main(printed, "run", p.toString(), "--out", dir.resolve("c").toString())).isEqualTo(ExitCodes.RUNTIME_FAILURE);

      // then the errors were recorded and reported, with the key redacted
      List<JsonNode> failed = lines(dir.resolve("a/failed.jsonl"));
      assertThat(failed).hasSize(4).allSatisfy(f -> assertThat(f.path("message").asText()).contains("Bearer [redacted]"));
      assertThat(printed).contains("refused the API key (HTTP 401)", KEY_ENV);
      // and the key is nowhere: not in any file the runs wrote (the third stopped before writing any), not on stdout or stderr
      String secretPart = key.substring(key.length() - 12);
      assertThat(dir.resolve("c")).doesNotExist();
      for (Path out : List.of(dir.resolve("a"), dir.resolve("b"))) {
        try (Stream<Path> files = Files.walk(out)) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(secretPart);
          }
        }
      }
      assertThat(printed.toString()).doesNotContain(secretPart);
      // Azure's api-key header never went to this (non-Azure) server
      assertThat(server.azureKeyHeaders()).isZero();
    }
  }

  /** Runs the command line, appending everything it printed (its writers, System.out and System.err) to {@code printed}. */
  static int main(StringBuilder printed, String... args) {
    StringWriter writers = new StringWriter();
    ByteArrayOutputStream streams = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    PrintStream capture = new PrintStream(streams, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      return Main.execute(new PrintWriter(writers, true), new PrintWriter(writers, true), args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      printed.append(writers).append(streams.toString(StandardCharsets.UTF_8));
    }
  }
}
