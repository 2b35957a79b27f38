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
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * llm.mode: batch end to end against the loopback server's files and batches endpoints: the
 * bodies are the synchronous path's, every request is paid once at the batch price, expired and
 * cancelled batches give back only what they left unanswered, a killed run re-attaches, and large
 * plans are split within the provider's limits.
 */
@Timeout(240)
class BatchModeTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  static final double IN = 0.15;
  static final double OUT = 0.60;
  static final double BATCH_IN = 0.075;
  static final double BATCH_OUT = 0.30;

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  /** The example pack, 20 requests (10 labels × 2 strategies), in batch mode with polls of a few ms. */
  Path pipeline(String baseUrl, String mode, String batchExtra, String llmExtra) throws IOException {
    Path f = dir.resolve("p-" + mode + ".yaml");
    Files.writeString(f, String.join("\n",
        "name: batch",
        "pack: " + PACK,
        "llm:",
        "  provider: openai",
        "  base_url: " + baseUrl,
        "  cache: " + dir.resolve("cache-" + mode + ".sqlite"),
        "  max_tokens: 400",
        "  concurrency: 4",
        "  mode: " + mode,
        "  price: {input_per_million: " + IN + ", output_per_million: " + OUT + "}",
        "  batch: {poll_initial_ms: 5, poll_max_ms: 40, price: {input_per_million: " + BATCH_IN + ", output_per_million: " + BATCH_OUT + "}"
            + (batchExtra.isEmpty() ? "" : ", " + batchExtra) + "}",
        llmExtra.isEmpty() ? "" : "  " + llmExtra,
        "generation: {examples_per_call: 5, calls_per_label: 1}",
        "quality: {language: \"off\"}",
        "targets: {per_label: 5}",
        "output: {dir: " + dir.resolve("out-" + mode) + "}",
        ""));
    return f;
  }

  /** Runs {@code seedforge run}; the progress lines the batch worker prints on stderr are kept in {@code err} too. */
  int run(Path pipeline, String... more) {
    String[] args = new String[2 + more.length];
    args[0] = "run";
    args[1] = pipeline.toString();
    System.arraycopy(more, 0, args, 2, more.length);
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream progress = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(progress, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    } finally {
      System.setErr(stderr);
      err.append(progress.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  JsonNode manifest(String mode) throws IOException {
    return Json.mapper().readTree(dir.resolve("out-" + mode + "/manifest.json").toFile());
  }

  static long total(JsonNode m, String section, String name) {
    return m.path(section).path(name).path("total").asLong();
  }

  static double batchCost(LoopbackLlmServer s) {
    return (s.billedPromptTokens() * BATCH_IN + s.billedCompletionTokens() * BATCH_OUT) / 1e6;
  }

  @Test
  void should_answer_every_request_through_the_batch_api_once_at_the_batch_price_with_failed_items() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given: items answered 500 or 400 inside the batch, processed a few lines per poll
      server.batchLinesPerPoll(3).withProbability(Behavior.SERVER_ERROR, 0.1).withProbability(Behavior.BAD_REQUEST, 0.05);

      // when
      int code = run(pipeline(server.baseUrl(), "batch", "", ""));

      // then: one batch of 20 lines; failed items are failures of their kind; the cost is the batch price of what the server billed
      JsonNode m = manifest("batch");
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      assertThat(server.batchesCreated()).isEqualTo(1);
      assertThat(server.batchLinesSubmitted()).isEqualTo(20);
      assertThat(server.batchRequestsAnsweredTwice()).isZero();
      long errors = server.count(Behavior.SERVER_ERROR) + server.count(Behavior.BAD_REQUEST);
      assertThat(errors).isPositive();
      assertThat(total(m, "calls", "made")).isEqualTo(server.count(Behavior.OK));
      assertThat(total(m, "calls", "failed")).isEqualTo(errors);
      assertThat(m.path("calls").path("failures_by_kind").path("server_error").asLong()).isEqualTo(server.count(Behavior.SERVER_ERROR));
      assertThat(m.path("calls").path("failures_by_kind").path("http_400").asLong()).isEqualTo(server.count(Behavior.BAD_REQUEST));
      assertThat(total(m, "tokens", "input")).isEqualTo(server.billedPromptTokens());
      assertThat(total(m, "tokens", "output")).isEqualTo(server.billedCompletionTokens());
      assertThat(m.path("cost").path("total").asDouble()).isCloseTo(batchCost(server), Offset.offset(1e-9));
      assertThat(m.path("cost").path("mode").asText()).isEqualTo("batch");
      assertThat(m.path("cost").path("sync_equivalent").asDouble())
          .isCloseTo((server.billedPromptTokens() * IN + server.billedCompletionTokens() * OUT) / 1e6, Offset.offset(1e-9));
      assertThat(err.toString()).contains("seedforge: submitted batch batch_").contains("requests completed");
    }
  }

  @Test
  void should_send_in_each_batch_line_exactly_the_body_of_the_synchronous_call() throws IOException {
    try (LoopbackLlmServer sync = new LoopbackLlmServer(1); LoopbackLlmServer batch = new LoopbackLlmServer(1)) {
      // given: the same pipeline, once per mode
      assertThat(run(pipeline(sync.baseUrl(), "sync", "", ""))).isEqualTo(ExitCodes.OK);

      // when
      assertThat(run(pipeline(batch.baseUrl(), "batch", "", ""))).isEqualTo(ExitCodes.OK);

      // then: byte for byte the same request bodies, and the same dataset
      assertThat(batch.batchBodies()).hasSize(20);
      assertThat(trees(batch.batchBodies())).isEqualTo(trees(sync.requestBodies()));
      assertThat(Files.readString(dir.resolve("out-batch/train.jsonl"))).isEqualTo(Files.readString(dir.resolve("out-sync/train.jsonl")));
    }
  }

  @Test
  void should_resubmit_only_the_requests_an_expired_batch_left_without_a_response() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      // given: the first batch expires after 8 of its 20 requests
      server.expireNextBatchAfter(8).batchLinesPerPoll(4);

      // when
      int code = run(pipeline(server.baseUrl(), "batch", "", ""));

      // then: a second batch holds the 12 others; no request is answered twice; the requests it resubmitted count as one more request each
      JsonNode m = manifest("batch");
      assertThat(code).isEqualTo(ExitCodes.OK);
      assertThat(server.batchesCreated()).isEqualTo(2);
      assertThat(server.batchLinesSubmitted()).isEqualTo(32);
      assertThat(server.batchRequestsAnsweredTwice()).isZero();
      assertThat(total(m, "calls", "made")).isEqualTo(20);
      assertThat(total(m, "calls", "attempts")).isEqualTo(32);
      assertThat(m.path("cost").path("total").asDouble()).isCloseTo(batchCost(server), Offset.offset(1e-9));
      assertThat(err.toString()).contains("ended expired: submitting the 12 requests it left without a response again");
    }
  }

  @Test
  void should_name_requests_that_expired_in_every_resubmission_as_batch_expired() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      // given: every batch expires after 5 requests; one resubmission allowed
      server.expireNextBatchAfter(5).expireNextBatchAfter(5);

      // when
      run(pipeline(server.baseUrl(), "batch", "max_resubmits: 1", ""));

      // then: 5 + 5 answered, 10 failed as batch_expired, none answered twice
      JsonNode m = manifest("batch");
      assertThat(total(m, "calls", "made")).isEqualTo(10);
      assertThat(m.path("calls").path("failures_by_kind").path("batch_expired").asLong()).isEqualTo(10);
      assertThat(server.batchRequestsAnsweredTwice()).isZero();
      String failed = Files.readString(dir.resolve("out-batch/failed.jsonl"));
      assertThat(failed).contains("without a response for this request (batch_expired), after 1 resubmissions (llm.batch.max_resubmits)");
    }
  }

  @Test
  void should_split_a_plan_into_batches_within_the_providers_limits() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: a provider that takes at most 6 requests per file, and a pipeline that says so
      server.batchLimits(6, 1_000_000);

      // when
      int code = run(pipeline(server.baseUrl(), "batch", "max_requests: 6", ""));

      // then: 4 batches (6 + 6 + 6 + 2), all accepted, every request answered once
      assertThat(code).isEqualTo(ExitCodes.OK);
      assertThat(server.batchesCreated()).isEqualTo(4);
      assertThat(server.largestBatch()).isEqualTo(6);
      assertThat(total(manifest("batch"), "calls", "made")).isEqualTo(20);
    }
  }

  @Test
  void should_split_by_bytes_when_the_file_would_pass_max_bytes() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: files of at most 12 KB (each line is a few KB)
      server.batchLimits(50_000, 12 * 1024);

      // when
      int code = run(pipeline(server.baseUrl(), "batch", "max_bytes: 12288", ""));

      // then
      assertThat(code).isEqualTo(ExitCodes.OK);
      assertThat(server.batchesCreated()).isGreaterThan(1);
      assertThat(total(manifest("batch"), "calls", "made")).isEqualTo(20);
    }
  }

  @Test
  void should_reserve_batch_requests_against_the_budget_before_submitting_them() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: a budget of 8 calls for 20 requests
      int code = run(pipeline(server.baseUrl(), "batch", "", "budget: {max_calls: 8}"));

      // then: only 8 lines were ever submitted; the others were never sent
      JsonNode m = manifest("batch");
      assertThat(code).isEqualTo(ExitCodes.BUDGET_EXHAUSTED);
      assertThat(server.batchLinesSubmitted()).isEqualTo(8);
      assertThat(m.path("calls").path("failures_by_kind").path("budget_exhausted").asLong()).isEqualTo(12);
    }
  }

  @Test
  void should_re_attach_to_its_batch_after_a_kill_instead_of_submitting_it_again() throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(9)) {
      // given: a run killed with SIGKILL while it polls a batch that has answered some of its requests
      server.batchLinesPerPoll(1);
      Path p = pipeline(server.baseUrl(), "batch", "", "");
      Files.writeString(p, Files.readString(p).replace("poll_initial_ms: 5, poll_max_ms: 40", "poll_initial_ms: 100, poll_max_ms: 100"));
      Process child = dev.seedforge.testing.ChildRun.start(p, dir.resolve("child.log"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (server.batchLinesProcessed() < 3 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      assertThat(server.batchesCreated()).as(Files.readString(dir.resolve("child.log"))).isEqualTo(1);
      assertThat(server.batchLinesProcessed()).isLessThan(20);

      // when: the same command again
      Files.writeString(p, Files.readString(p).replace("poll_initial_ms: 100, poll_max_ms: 100", "poll_initial_ms: 5, poll_max_ms: 40"));
      server.batchLinesPerPoll(5);
      int code = run(p);

      // then: no new batch, every request answered once, all of it accounted for at the batch price
      JsonNode m = manifest("batch");
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      assertThat(server.batchesCreated()).isEqualTo(1);
      assertThat(server.batchLinesSubmitted()).isEqualTo(20);
      assertThat(server.batchRequestsAnsweredTwice()).isZero();
      assertThat(total(m, "calls", "made")).isEqualTo(20);
      assertThat(m.path("cost").path("total").asDouble()).isCloseTo(batchCost(server), Offset.offset(1e-9));
      assertThat(total(m, "calls", "attempts")).isEqualTo(20);
      assertThat(total(m, "calls", "retried")).isZero();
      assertThat(m.path("budget").path("earlier_attempts").asInt()).isEqualTo(1);
      assertThat(m.path("budget").path("spent").path("calls").asLong()).as("counted with the attempt that submitted them").isZero();
      assertThat(err.toString()).contains("re-attaching to batch batch_");
    }
  }

  @Test
  void should_cancel_running_batches_and_submit_only_what_they_left_unanswered_on_the_next_run() throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(9)) {
      // given: a killed run whose batch answered some requests and still runs
      server.batchLinesPerPoll(2);
      Path p = pipeline(server.baseUrl(), "batch", "", "");
      Files.writeString(p, Files.readString(p).replace("poll_initial_ms: 5, poll_max_ms: 40", "poll_initial_ms: 100, poll_max_ms: 100"));
      Process child = dev.seedforge.testing.ChildRun.start(p, dir.resolve("child.log"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (server.batchLinesProcessed() < 4 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

      // when: --cancel-batches, then the same command again
      int cancel = run(p, "--cancel-batches");
      long answered = server.batchLinesProcessed();
      Files.writeString(p, Files.readString(p).replace("poll_initial_ms: 100, poll_max_ms: 100", "poll_initial_ms: 5, poll_max_ms: 40"));
      int code = run(p);

      // then: the cancelled batch's answers were kept, and only the rest went out again
      assertThat(cancel).isEqualTo(ExitCodes.OK);
      assertThat(out.toString()).contains("seedforge: cancelled 1 batch;");
      assertThat(server.batchCalls()).containsEntry("cancel", 1);
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      assertThat(server.batchesCreated()).isEqualTo(2);
      assertThat(server.batchLinesSubmitted()).isEqualTo(20 + (20 - answered));
      assertThat(server.batchRequestsAnsweredTwice()).isZero();
      assertThat(total(manifest("batch"), "calls", "made")).isEqualTo(20);
    }
  }

  /** The pipeline priced from prices.yaml (gpt-4o-mini), whose cached-input and batch rates then apply. */
  Path tablePriced(String baseUrl, String mode) throws IOException {
    Path p = pipeline(baseUrl, mode, "", "");
    String yaml = Files.readString(p).replaceAll("(?m)^  price: .*\n", "").replaceAll(", price: \\{[^}]*\\}", "");
    Files.writeString(p, yaml);
    return p;
  }

  @Test
  void should_record_and_price_the_prompt_tokens_the_provider_served_from_its_prompt_cache() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(4)) {
      // given: a provider that reports cached prompt tokens in blocks of 128
      server.promptCacheBlock(128);

      // when
      assertThat(run(tablePriced(server.baseUrl(), "sync"))).isEqualTo(ExitCodes.OK);

      // then: the manifest has the cached tokens and their share, priced at prices.yaml's cached rate
      JsonNode m = manifest("sync");
      long prompt = server.billedPromptTokens();
      long cached = server.billedCachedPromptTokens();
      assertThat(cached).isPositive();
      assertThat(total(m, "tokens", "prompt_cache_input")).isEqualTo(cached);
      assertThat(m.path("tokens").path("prompt_cache_share").asDouble()).isCloseTo((double) cached / prompt, Offset.offset(1e-4));
      assertThat(m.path("cost").path("cached_input_per_million").asDouble()).isEqualTo(0.075);
      double expected = ((prompt - cached) * 0.15 + cached * 0.075 + server.billedCompletionTokens() * 0.60) / 1e6;
      assertThat(m.path("cost").path("total").asDouble()).isCloseTo(expected, Offset.offset(1e-9));
      assertThat(m.path("cost").path("sync_equivalent").asDouble()).isCloseTo(expected, Offset.offset(1e-9));
    }
  }

  @Test
  void should_read_cached_prompt_tokens_from_the_batch_output_and_price_the_batch_from_the_table() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(4)) {
      // given
      server.promptCacheBlock(128);

      // when
      assertThat(run(tablePriced(server.baseUrl(), "batch"))).isEqualTo(ExitCodes.OK);

      // then: cached tokens recorded; the cost is prices.yaml's batch price (cached prompt tokens at the batch input price)
      JsonNode m = manifest("batch");
      assertThat(total(m, "tokens", "prompt_cache_input")).isEqualTo(server.billedCachedPromptTokens()).isPositive();
      assertThat(m.path("cost").path("batch_price_source").asText()).startsWith("prices.yaml batch prices as of");
      double expected = (server.billedPromptTokens() * 0.075 + server.billedCompletionTokens() * 0.30) / 1e6;
      assertThat(m.path("cost").path("total").asDouble()).isCloseTo(expected, Offset.offset(1e-9));
      assertThat(m.path("cost").path("sync_equivalent").asDouble()).isGreaterThan(expected);
    }
  }

  @Test
  void should_refuse_batch_mode_for_native_ollama_naming_the_field() throws IOException {
    // given
    Path p = dir.resolve("o.yaml");
    Files.writeString(p, String.join("\n", "name: o", "pack: " + PACK, "llm: {provider: ollama, mode: batch}", ""));

    // when
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "run", p.toString());

    // then
    assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("llm.mode").contains("Ollama has none");
  }

  static java.util.Set<JsonNode> trees(List<String> bodies) throws IOException {
    java.util.Set<JsonNode> out = new HashSet<>();
    for (String b : bodies) {
      out.add(Json.mapper().readTree(b));
    }
    return out;
  }
}
