package dev.seedforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code seedforge compare} against the loopback server, where one model answers half its calls with prose. */
@Timeout(300)
class CompareCommandTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  @TempDir Path dir;

  private Path pipeline(String baseUrl) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, String.join("\n",
        "name: compare-test",
        "pack: " + PACK,
        "llm:",
        "  provider: openai",
        "  model: gpt-4o-mini",
        "  base_url: " + baseUrl,
        "  api_key_env: SEEDFORGE_TEST_API_KEY",
        "  cache: " + dir.resolve("cache.sqlite"),
        "  max_tokens: 512",
        "generation:",
        "  calls_per_label: 2",
        "  examples_per_call: 5",
        "quality:",
        "  language: \"off\"",
        "  label_check: false",
        "  domain_check: false",
        "output:",
        "  dir: " + dir.resolve("out"),
        ""));
    return f;
  }

  private static String messages(String body) {
    try {
      return Json.mapper().readTree(body).path("messages").toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int run(StringBuilder printed, String... args) {
    StringWriter w = new StringWriter();
    int code = Main.execute(new PrintWriter(w, true), new PrintWriter(w, true), args);
    printed.append(w);
    return code;
  }

  @Test
  void should_run_the_same_sample_on_every_model_and_choose_the_cheapest_within_tolerance_of_the_best() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given a cheap model that answers every other call with prose, a mid-priced good one and an expensive good one
      Map<String, Integer> perModel = new HashMap<>();
      Map<String, Set<String>> requestsPerModel = new HashMap<>();
      server.script((n, body) -> {
        String model = body.contains("\"gpt-4.1-nano\"") ? "nano" : body.contains("\"gpt-4o\"") ? "4o" : "mini";
        synchronized (perModel) {
          int k = perModel.merge(model, 1, Integer::sum);
          requestsPerModel.computeIfAbsent(model, m -> new HashSet<>()).add(messages(body));
          return "nano".equals(model) && k % 2 == 0 ? Behavior.PROSE : null;
        }
      });
      Path p = pipeline(server.baseUrl());
      StringBuilder printed = new StringBuilder();

      // when
      int code = run(printed, "compare", p.toString(), "--models", "gpt-4.1-nano,gpt-4o-mini,gpt-4o", "--sample", "8", "--tolerance", "0.2");

      // then every model got the same 8 requests (the same messages), each paid once
      assertThat(code).as(printed.toString()).isZero();
      assertThat(perModel).containsEntry("nano", 8).containsEntry("mini", 8).containsEntry("4o", 8);
      assertThat(requestsPerModel.get("nano")).isEqualTo(requestsPerModel.get("mini")).isEqualTo(requestsPerModel.get("4o"));
      JsonNode c = Json.mapper().readTree(dir.resolve("out/compare/compare.json").toFile());
      List<JsonNode> models = new ArrayList<>();
      c.path("models").forEach(models::add);
      assertThat(models).hasSize(3);
      assertThat(models.stream().mapToLong(m -> m.path("calls_made").asLong()).sum()).isEqualTo(server.requestCount());
      assertThat(models).as(c.toPrettyString()).allSatisfy(m -> {
        assertThat(m.path("calls").asLong()).isEqualTo(8);
        assertThat(m.path("latency_p50_ms").isNumber()).isTrue();
        assertThat(m.path("distinct2").asDouble()).isBetween(0.0, 1.0);
        assertThat(m.path("label_agreement").isNumber()).isTrue();
        assertThat(m.path("projected_usd").asDouble()).isPositive();
      });
      JsonNode nano = models.get(0);
      JsonNode mini = models.get(1);
      assertThat(nano.path("rejections").path("parse/not_json").asLong() + nano.path("calls_failed").asLong()
          + (mini.path("generated").asLong() - nano.path("generated").asLong())).isPositive();
      assertThat(nano.path("accepted").asLong()).isLessThan(mini.path("accepted").asLong());
      // the projection scales the sample's cost per call to the whole plan
      assertThat(c.path("plan_requests").asInt()).isGreaterThan(c.path("sample_requests").asInt());
      assertThat(mini.path("projected_usd").asDouble())
          .isCloseTo(mini.path("sample_usd").asDouble() / 8 * c.path("plan_requests").asInt(), org.assertj.core.data.Offset.offset(1e-3));
      // nano yields about half of what the others do; mini and 4o are within 0.2 of each other, and mini is cheaper
      assertThat(c.path("choice").asText()).as(c.toPrettyString()).isEqualTo("openai:gpt-4o-mini");
      assertThat(printed).contains("choose openai:gpt-4o-mini");

      // and a second comparison is answered from the cache: nothing is paid again
      int before = server.requestCount();
      assertThat(run(new StringBuilder(), "compare", p.toString(), "--models", "gpt-4o-mini", "--sample", "8")).isZero();
      assertThat(server.requestCount()).isEqualTo(before);
      JsonNode again = Json.mapper().readTree(dir.resolve("out/compare/compare.json").toFile()).path("models").path(0);
      assertThat(again.path("calls_cached").asLong()).isEqualTo(8);
      assertThat(again.path("accepted").asLong()).isEqualTo(mini.path("accepted").asLong());

      // and the full run with the chosen model pays only for the requests outside the sample,
      // and its report shows the comparison
      int beforeRun = server.requestCount();
      StringBuilder runOut = new StringBuilder();
      assertThat(run(runOut, "run", p.toString())).as(runOut.toString()).isZero();
      assertThat(server.requestCount() - beforeRun).isEqualTo(c.path("plan_requests").asInt() - 8);
      String report = Files.readString(dir.resolve("out/report.html"));
      // (the last comparison, of gpt-4o-mini alone)
      assertThat(report.contains("<h2>Model comparison</h2>")).isTrue();
      assertThat(report.contains("<td>openai:gpt-4o-mini</td>")).isTrue();
      assertThat(report.contains("Choice: openai:gpt-4o-mini")).isTrue();
    }
  }

  @Test
  void should_refuse_a_sample_of_nothing() throws IOException {
    StringBuilder printed = new StringBuilder();
    assertThat(run(printed, "compare", pipeline("http://127.0.0.1:9/v1").toString(), "--models", "a", "--sample", "0")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(printed).contains("--sample");
  }
}
