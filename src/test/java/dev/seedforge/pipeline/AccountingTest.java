package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.ExitCodes;
import dev.seedforge.cli.Main;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The money, end to end against the loopback server: what the server counted and billed is what
 * the manifest says, in every round, and llm.budget holds for the whole run, across top-up rounds
 * and across a kill and a resume.
 */
@Timeout(240)
class AccountingTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  /** USD per million tokens, so the manifest's cost can be checked against the server's usage. */
  static final double IN_PRICE = 0.15;
  static final double OUT_PRICE = 0.60;

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  /** The example pack, 20 calls in round 0 (10 labels × 2 strategies × 1), with the given extra sections. */
  Path pipeline(String baseUrl, String llmExtra, String generation, int perLabel) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, String.join("\n",
        "name: accounting",
        "pack: " + PACK,
        "llm:",
        "  provider: openai",
        "  base_url: " + baseUrl,
        "  cache: " + dir.resolve("cache.sqlite"),
        "  max_tokens: 400",
        "  concurrency: 4",
        "  price: {input_per_million: " + IN_PRICE + ", output_per_million: " + OUT_PRICE + "}",
        llmExtra.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n"),
        "generation: {examples_per_call: 5" + (generation.contains("calls_per_label") ? "" : ", calls_per_label: 1")
            + (generation.isEmpty() ? "" : ", " + generation) + "}",
        "quality: {language: \"off\"}",
        "targets: {per_label: " + perLabel + "}",
        "output: {dir: " + dir.resolve("out") + "}",
        ""));
    return f;
  }

  int run(Path pipeline, String... more) {
    String[] args = new String[2 + more.length];
    args[0] = "run";
    args[1] = pipeline.toString();
    System.arraycopy(more, 0, args, 2, more.length);
    return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  JsonNode manifest() throws IOException {
    return Json.mapper().readTree(dir.resolve("out/manifest.json").toFile());
  }

  static long total(JsonNode m, String section, String name) {
    return m.path(section).path(name).path("total").asLong();
  }

  @Test
  void should_hold_max_calls_for_the_whole_run_across_top_up_rounds() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(11)) {
      // given: round 0 plans 20 calls; quotas of 60 a label need top-up rounds far beyond 30 calls
      Path p = pipeline(server.baseUrl(), "budget: {max_calls: 30}", "max_rounds: 5", 60);

      // when
      int code = run(p);

      // then: the server saw 30 requests, the run stopped at the budget in round 1, and the manifest agrees
      JsonNode m = manifest();
      assertThat(code).isEqualTo(ExitCodes.BUDGET_EXHAUSTED);
      assertThat(server.requestCount()).isEqualTo(30);
      assertThat(m.path("status").asText()).isEqualTo("budget_exhausted");
      assertThat(m.path("rounds").size()).isGreaterThan(1);
      assertThat(total(m, "calls", "attempts")).isEqualTo(server.requestCount());
      assertThat(total(m, "calls", "made") + total(m, "calls", "retried")).isEqualTo(server.requestCount());
      assertThat(m.path("budget").path("spent").path("calls").asLong()).isEqualTo(30);
      assertThat(m.path("stopped").path("message").asText()).contains("llm.budget.max_calls 30");
      assertThat(total(m, "calls", "planned")).isEqualTo(total(m, "calls", "made") + total(m, "calls", "cached") + total(m, "calls", "failed"));
    }
  }

  @Test
  void should_stop_at_the_budget_when_nothing_the_generator_writes_is_usable() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(11)) {
      // given: a model that writes the same examples for every label; round 0 plans 60 calls
      server.script((n, body) -> Behavior.REPEAT);
      Path p = pipeline(server.baseUrl(), "budget: {max_calls: 30}", "calls_per_label: 3", 40);

      // when
      int code = run(p);

      // then
      JsonNode m = manifest();
      assertThat(code).isEqualTo(ExitCodes.BUDGET_EXHAUSTED);
      assertThat(server.requestCount()).isLessThanOrEqualTo(30);
      assertThat(total(m, "calls", "made") + total(m, "calls", "retried")).isEqualTo(server.requestCount());
    }
  }

  @Test
  void should_not_top_up_a_label_whose_calls_yield_nothing_and_say_why() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(11)) {
      // given: every label gets the same examples (so all are conflicting or duplicate), no budget
      server.script((n, body) -> Behavior.REPEAT);
      Path p = pipeline(server.baseUrl(), "", "max_rounds: 5", 40);
      // the label check learned from the pool runs before dedup: it would reject the copies of the
      // labels it finds least likely, leaving one label's copy without a conflict; this test is about
      // the starving labels dedup leaves, so it is off here
      Files.writeString(p, Files.readString(p).replace("quality: {language: \"off\"}", "quality: {language: \"off\", label_check: false}"));

      // when
      int code = run(p);

      // then: round 0's 20 calls and no more; the console names each starving label and its top filter
      JsonNode m = manifest();
      assertThat(code).isEqualTo(ExitCodes.OK);
      assertThat(server.requestCount()).isEqualTo(20);
      assertThat(m.path("rounds").size()).isEqualTo(1);
      assertThat(m.path("top_up").path("starved").size()).isEqualTo(10);
      JsonNode first = m.path("top_up").path("starved").get(0);
      String filter = first.path("top_filters").get(0).path("filter").asText();
      assertThat(filter).startsWith("dedup/");
      assertThat(out.toString()).contains("label " + first.path("label").asText() + " kept 0.00 records per call in round 0")
          .contains("rejected by " + filter);
    }
  }

  @Test
  void should_account_for_every_request_token_and_dollar_over_every_round_with_faults() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(13)) {
      // given: 5% of requests are answered 429 or 500; quotas that need top-up rounds
      server.withProbability(Behavior.RATE_LIMIT, 0.025).withProbability(Behavior.SERVER_ERROR, 0.025).retryAfterSeconds(0);
      Path p = pipeline(server.baseUrl(), "", "max_rounds: 4", 30);

      // when
      int code = run(p);

      // then: the totals are what the server counted and billed, and the rounds add up to them
      JsonNode m = manifest();
      assertThat(code).isEqualTo(ExitCodes.OK);
      assertThat(m.path("rounds").size()).isGreaterThan(1);
      assertThat(server.count(Behavior.RATE_LIMIT) + server.count(Behavior.SERVER_ERROR)).isPositive();
      assertThat(total(m, "calls", "attempts")).isEqualTo(server.requestCount());
      assertThat(total(m, "calls", "made")).isEqualTo(server.count(Behavior.OK));
      assertThat(total(m, "calls", "retried")).isEqualTo(server.requestCount() - total(m, "calls", "sent"));
      assertThat(total(m, "tokens", "input")).isEqualTo(server.billedPromptTokens());
      assertThat(total(m, "tokens", "output")).isEqualTo(server.billedCompletionTokens());
      double billed = (server.billedPromptTokens() * IN_PRICE + server.billedCompletionTokens() * OUT_PRICE) / 1e6;
      assertThat(m.path("cost").path("total").asDouble()).isCloseTo(billed, org.assertj.core.data.Offset.offset(1e-9));
      long sent = 0;
      long attempts = 0;
      long input = 0;
      double cost = 0;
      for (JsonNode r : m.path("rounds")) {
        sent += r.path("calls").path("sent").asLong();
        attempts += r.path("calls").path("attempts").asLong();
        input += r.path("calls").path("input_tokens").asLong();
        cost += r.path("calls").path("cost_usd").asDouble();
      }
      assertThat(sent).isEqualTo(total(m, "calls", "sent"));
      assertThat(attempts).isEqualTo(total(m, "calls", "attempts"));
      assertThat(input).isEqualTo(total(m, "tokens", "input"));
      assertThat(cost).isCloseTo(m.path("cost").path("total").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
      assertThat(total(m, "calls", "planned")).isEqualTo(total(m, "calls", "made") + total(m, "calls", "cached") + total(m, "calls", "failed"));
    }
  }

  @Test
  void should_keep_two_attempts_within_the_budget_when_the_first_is_killed() throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(17)) {
      // given: a run of 60 calls under a budget of 40, killed with SIGKILL after about 15 requests
      server.latencyMillis(150);
      Path p = pipeline(server.baseUrl(), "budget: {max_calls: 40}", "calls_per_label: 3", 40);
      Process child = dev.seedforge.testing.ChildRun.start(p, dir.resolve("child.log"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (server.requestCount() < 15 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      assertThat(Files.exists(dir.resolve("out/manifest.json"))).as("the first attempt was killed before it finished").isFalse();
      Thread.sleep(400); // the requests the dead client left in flight finish on the server
      int first = server.requestCount();

      // when: the same command again
      int code = run(p);

      // then: both attempts together sent no more than the budget, and the manifest says what the first one used
      JsonNode m = manifest();
      assertThat(code).isEqualTo(ExitCodes.BUDGET_EXHAUSTED);
      assertThat(server.requestCount()).isLessThanOrEqualTo(40);
      assertThat(m.path("budget").path("earlier_attempts").asInt()).isEqualTo(1);
      assertThat(m.path("budget").path("earlier_attempts_spent").path("calls").asLong()).isBetween((long) first - 4, (long) first + 4);
      assertThat(m.path("budget").path("charged").path("calls").asLong()).isLessThanOrEqualTo(40);
    }
  }

  @Test
  void should_not_share_cached_answers_between_two_servers_with_the_same_model_name() throws IOException {
    try (LoopbackLlmServer a = new LoopbackLlmServer(1); LoopbackLlmServer b = new LoopbackLlmServer(2)) {
      // given: one cache, two endpoints that both serve gpt-4o-mini
      assertThat(run(pipeline(a.baseUrl(), "", "max_rounds: 1", 5))).isEqualTo(ExitCodes.OK);
      assertThat(a.requestCount()).isEqualTo(20);

      // when
      assertThat(run(pipeline(b.baseUrl(), "", "max_rounds: 1", 5))).isEqualTo(ExitCodes.OK);

      // then: the second endpoint answered every call itself; the first one, asked again, is answered from the cache
      assertThat(b.requestCount()).isEqualTo(20);
      assertThat(run(pipeline(a.baseUrl() + "/", "", "max_rounds: 1", 5))).isEqualTo(ExitCodes.OK);
      assertThat(a.requestCount()).isEqualTo(20);
      assertThat(total(manifest(), "calls", "cached")).isEqualTo(20);
    }
  }

  @Test
  void should_estimate_with_the_run_options_counting_cached_calls_and_the_top_up_worst_case() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: a run that stopped at a budget of 8 calls, so 8 of the 20 planned are cached
      Path p = pipeline("http://127.0.0.1:1/v1", "budget: {max_calls: 8}", "max_rounds: 3", 60);
      assertThat(run(p, "--base-url", server.baseUrl())).isEqualTo(ExitCodes.BUDGET_EXHAUSTED);
      out.getBuffer().setLength(0);

      // when
      int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "estimate", p.toString(), "--base-url", server.baseUrl());

      // then
      assertThat(code).isEqualTo(ExitCodes.OK);
      assertThat(out.toString())
          .contains("at " + server.baseUrl())
          .contains("cached: 8 of 20 planned calls are in the response cache")
          .contains("worst case with every top-up round (generation.max_rounds 3, at most 20 new calls a round")
          .contains(": 52 calls")
          .contains("warning: llm.budget.max_calls 8 is below the 12 calls round 0 still has to pay");
      assertThat(server.requestCount()).as("estimate sends nothing").isEqualTo(8);
    }
  }
}
