package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.Main;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EstimatorTest {
  static final Path PIPELINE = Path.of("pipelines/support-intents.yaml");
  @TempDir Path dir;

  @Test
  void should_estimate_the_input_tokens_the_server_then_receives_within_10_percent() throws Exception {
    PipelineSpec offline = SpecLoader.load(PIPELINE, Map.of("XDG_CACHE_HOME", dir.toString()), SpecLoader.Overrides.none());
    RunPlan estimatePlan = RunPlan.prepareForEstimate(offline);
    Estimator.Estimate e = Estimator.estimate(estimatePlan.spec(), estimatePlan.seeds(), estimatePlan.requests());
    assertThat(e.encoding()).isEqualTo("o200k_base");
    assertThat(e.total().calls()).isEqualTo(60);
    assertThat(e.rows()).hasSize(10);
    assertThat(e.total().outputLow()).isPositive().isLessThan(e.total().outputHigh());
    assertThat(e.total().outputHigh()).isEqualTo(60L * 1024);
    assertThat(e.total().costLow()).isPositive().isLessThan(e.total().costHigh());

    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      PipelineSpec spec = SpecLoader.load(PIPELINE, Map.of("XDG_CACHE_HOME", dir.toString()),
          new SpecLoader.Overrides("openai", null, server.baseUrl(), null, dir.resolve("out").toString()));
      Runner.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());
      assertThat(server.requestBodies()).hasSize(60);
      TokenCounter counter = TokenCounter.forModel("gpt-4o-mini");
      long received = 0;
      for (String body : server.requestBodies()) {
        for (JsonNode m : Json.mapper().readTree(body).path("messages")) {
          received += counter.count(m.path("content").asText());
        }
      }
      assertThat((double) e.total().inputTokens()).isBetween(received * 0.9, received * 1.1);
    }
  }

  @Test
  void should_print_the_estimate_without_a_key_or_a_server() {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      code = Main.execute("estimate", PIPELINE.toString());
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).isZero();
    assertThat(out).contains("o200k_base", "order_status", "total", "duration", "concurrency 8");
  }

  @Test
  void should_pick_the_encoding_by_model_family() {
    assertThat(TokenCounter.forModel("gpt-4o-mini").encodingName()).isEqualTo("o200k_base");
    assertThat(TokenCounter.forModel("gpt-4.1-nano").encodingName()).isEqualTo("o200k_base");
    assertThat(TokenCounter.forModel("o3-mini").encodingName()).isEqualTo("o200k_base");
    assertThat(TokenCounter.forModel("gpt-5").encodingName()).isEqualTo("o200k_base");
    assertThat(TokenCounter.forModel("gpt-3.5-turbo").encodingName()).isEqualTo("cl100k_base");
    assertThat(TokenCounter.forModel("llama3.1").encodingName()).isEqualTo("cl100k_base");
  }

  @Test
  void should_price_by_longest_prefix_and_let_the_spec_override() {
    Prices p = Prices.table();
    assertThat(p.priceOf("gpt-4o-mini-2024-07-18", null).inputPerMillion()).isEqualTo(0.15);
    assertThat(p.priceOf("gpt-4o", null).inputPerMillion()).isEqualTo(2.50);
    assertThat(p.priceOf("my-local-model", null)).isNull();
    assertThat(p.priceOf("gpt-4o", new PipelineSpec.Price(1, 2)).outputPerMillion()).isEqualTo(2);
    assertThat(Prices.cost(new PipelineSpec.Price(1, 2), 1_000_000, 500_000)).isEqualTo(2.0);
  }

  static GenerationRequest request(String system, String user) {
    GenerationRequest.Params params = new GenerationRequest.Params("openai", "https://api.openai.com/v1", "gpt-4o-mini", 0.9, 1, 400, 5, "json_schema", 1);
    return GenerationRequest.of("l", "s", "t", java.util.List.of(), java.util.List.of(new ChatTurn("system", system), new ChatTurn("user", user)), params, 0, 0);
  }

  @Test
  void should_expect_no_prompt_cache_hits_below_the_providers_1024_token_minimum() {
    // given: prompts that share a 600-token prefix
    String shared = "word ".repeat(600);
    java.util.List<GenerationRequest> r = java.util.List.of(request(shared, "first"), request(shared, "second"), request(shared, "third"));

    // when
    double share = Estimator.promptCacheShare(r, TokenCounter.forModel("gpt-4o-mini"));

    // then
    assertThat(share).isZero();
  }

  @Test
  void should_expect_the_shared_prefix_in_steps_of_128_tokens_for_every_prompt_but_the_first() {
    // given: four prompts whose system message (about 2,000 tokens) is the same, with short different user messages
    TokenCounter counter = TokenCounter.forModel("gpt-4o-mini");
    String shared = "word ".repeat(2000);
    java.util.List<GenerationRequest> r = java.util.List.of(request(shared, "alpha one"), request(shared, "beta two"),
        request(shared, "gamma three"), request(shared, "delta four"));
    long all = r.stream().mapToLong(x -> counter.promptTokens(x.messages())).sum();

    // when
    double share = Estimator.promptCacheShare(r, counter);

    // then: three of the four prompts are served their prefix, rounded down to whole 128-token steps
    long prefix = counter.count("system\n" + shared + "\nuser\n");
    assertThat(share).isCloseTo(3.0 * (prefix / 128 * 128) / all, org.assertj.core.data.Offset.offset(0.02));
  }
}
