package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.seed.TaskType;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import dev.seedforge.testing.SpecFixture;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anthropic's Messages API and Azure OpenAI deployments, each through the real LangChain4j client
 * against the loopback server speaking that provider's wire format.
 */
@Timeout(120)
class ProvidersTest {
  /** Set by the pom for the test JVM, so the pipeline's workers read it from the environment as they would a real key. */
  private static final String KEY_ENV = "SEEDFORGE_TEST_API_KEY";
  private static final String KEY = "sk-seedforge-test-4f1d2c9a8b7e6d5c3b2a";
  private static final Map<String, String> ENV = Map.of(KEY_ENV, KEY);

  private LoopbackLlmServer server;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    server = new LoopbackLlmServer(11).requireApiKey(KEY);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ModelSettings settings(String provider, String baseUrl) {
    return new ModelSettings(provider, "claude-haiku-4-5", baseUrl, KEY_ENV, 10, 3, 2, TaskType.CLASSIFICATION, null, false, 0, 0, 512,
        null, null, null);
  }

  private static GenerationRequest request(String provider, String responseFormat) {
    GenerationRequest.Params params = new GenerationRequest.Params(provider, "http://127.0.0.1/v1", "claude-haiku-4-5", 0.8, 1.0, 512, 4,
        responseFormat, 1234);
    List<ChatTurn> messages = List.of(
        new ChatTurn("system", "You write realistic training data for a support classifier.\n\n" + OutputContract.instructions(TaskType.CLASSIFICATION, 4)),
        new ChatTurn("user", "Label: billing. Examples:\n- I was charged twice for my subscription this month."));
    return GenerationRequest.of("billing", "paraphrase", "t1", List.of("s1"), messages, params, 0, 0);
  }

  @Test
  void should_call_anthropics_messages_api_with_the_key_in_x_api_key_and_the_schema_as_output_config() throws IOException {
    // given an Anthropic caller pointed at the loopback server
    LangChainCaller caller = new LangChainCaller(settings("anthropic", server.baseUrl()), ENV, 5);

    // when one call is made with the structured-output contract
    CallOutcome out = caller.call(request("anthropic", "json_schema"));

    // then it went to /v1/messages, was accepted with the key as Anthropic takes it, and parsed
    assertThat(out.ok()).as("%s: %s", out.errorKind(), out.errorMessage()).isTrue();
    assertThat(server.anthropicRequests()).isEqualTo(1);
    assertThat(server.bearerHeaders()).isZero();
    assertThat(ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, false).items()).hasSize(4);
    JsonNode body = Json.mapper().readTree(server.lastRequestBody());
    assertThat(body.path("max_tokens").asInt()).isEqualTo(512);
    assertThat(body.path("system").toString()).contains("realistic training data");
    assertThat(body.path("output_config").path("format").path("type").asText()).isEqualTo("json_schema");
    assertThat(body.has("seed")).isFalse();
    assertThat(body.has("top_p")).as("top_p 1 is left out: current models refuse it with temperature").isFalse();
    // and the tokens counted are what the server billed
    assertThat(out.inputTokens()).isEqualTo(server.billedPromptTokens());
    assertThat(out.outputTokens()).isEqualTo(server.billedCompletionTokens());
  }

  @Test
  void should_retry_an_anthropic_rate_limit_and_stop_on_a_refused_key() throws IOException {
    LangChainCaller caller = new LangChainCaller(settings("anthropic", server.baseUrl()), ENV, 5);
    server.retryAfterSeconds(0).next(Behavior.RATE_LIMIT, 1);

    CallOutcome out = caller.call(request("anthropic", "json_object"));

    assertThat(out.ok()).as("%s: %s", out.errorKind(), out.errorMessage()).isTrue();
    assertThat(out.attempts()).isEqualTo(2);
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(Json.mapper().readTree(server.lastRequestBody()).has("output_config")).as("no schema-less JSON mode on the Messages API").isFalse();

    LangChainCaller wrongKey = new LangChainCaller(settings("anthropic", server.baseUrl()), Map.of(KEY_ENV, "sk-wrong-key-0123456789"), 5);
    assertThatThrownBy(() -> wrongKey.call(request("anthropic", "json_schema")))
        .isInstanceOf(FatalCallException.class)
        .hasMessageContaining(KEY_ENV)
        .hasMessageNotContaining("wrong-key-0123456789");
  }

  @Test
  void should_call_an_azure_deployment_with_api_version_and_the_key_only_in_api_key() {
    // given an Azure deployment on the loopback "resource"
    LangChainCaller caller = new LangChainCaller(settings("azure", server.baseUrl()), ENV, 5);

    CallOutcome out = caller.call(request("azure", "json_schema"));

    assertThat(out.ok()).as("%s: %s", out.errorKind(), out.errorMessage()).isTrue();
    assertThat(server.lastQuery()).isEqualTo("api-version=" + Provider.AZURE_DEFAULT_API_VERSION);
    assertThat(server.azureKeyHeaders()).isEqualTo(1);
    assertThat(server.bearerHeaders()).as("the key is never sent as a Bearer token to Azure").isZero();
    assertThat(server.anthropicRequests()).isZero();
  }

  @Test
  void should_check_the_key_before_any_paid_call_in_each_providers_own_header() {
    Preflight.check(settings("anthropic", server.baseUrl()), ENV);
    Preflight.check(settings("azure", server.baseUrl()), ENV);
    assertThat(server.modelListRequests()).isEqualTo(2);
    assertThat(server.requestCount()).isZero();

    assertThatThrownBy(() -> Preflight.check(settings("azure", server.baseUrl()), Map.of(KEY_ENV, "wrong-key-0123456789")))
        .isInstanceOf(FatalCallException.class)
        .hasMessageContaining(KEY_ENV);
  }

  @Test
  void should_run_a_whole_pipeline_on_anthropic_and_count_every_call_the_server_answered() throws IOException {
    SpecFixture fx = new SpecFixture(dir);
    Path pack = Path.of("prompts/customer-support").toAbsolutePath();
    Path file = fx.write(String.join("\n",
        "name: anthropic-test",
        "pack: " + pack,
        "llm:",
        "  provider: anthropic",
        "  model: claude-haiku-4-5",
        "  base_url: " + server.baseUrl(),
        "  api_key_env: " + KEY_ENV,
        "  cache: \"off\"",
        "  max_tokens: 512",
        "generation:",
        "  calls_per_label: 1",
        "  examples_per_call: 5",
        "  max_rounds: 1",
        ""));
    PipelineSpec spec = SpecLoader.load(file, ENV, new SpecLoader.Overrides(null, null, null, null, dir.resolve("out").toString()));

    JsonNode m = Runner.run(RunPlan.prepare(spec, ENV), PipelineOptionsFactory.create()).manifest();

    assertThat(server.anthropicRequests()).isEqualTo(server.requestCount()).isPositive();
    assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());
    assertThat(m.path("tokens").path("input").path("total").asLong()).isEqualTo(server.billedPromptTokens());
    assertThat(Files.readAllLines(dir.resolve("out/train.jsonl"))).isNotEmpty();
  }

  @Test
  void should_name_the_missing_resource_url_and_default_each_providers_key_variable() throws IOException {
    SpecFixture fx = new SpecFixture(dir);
    assertThatThrownBy(() -> fx.load("llm:\n  provider: azure\n  model: my-deployment\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("llm.base_url")
        .hasMessageContaining("https://RESOURCE.openai.azure.com");
    assertThat(fx.load("llm:\n  provider: azure\n  base_url: https://r.openai.azure.com\n  api_version: \"2025-01-01-preview\"\n").llm().apiVersion())
        .isEqualTo("2025-01-01-preview");
    assertThatThrownBy(() -> fx.load("llm:\n  provider: anthropic\n  mode: batch\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("llm.mode")
        .hasMessageContaining("Anthropic");
    assertThat(fx.load("llm:\n  provider: anthropic\n").llm().apiKeyEnv()).isEqualTo("ANTHROPIC_API_KEY");
    assertThat(fx.load("llm:\n  provider: azure\n  base_url: https://r.openai.azure.com\n").llm().apiKeyEnv()).isEqualTo("AZURE_OPENAI_API_KEY");
    assertThat(fx.load("llm:\n  provider: openai\n").llm().apiKeyEnv()).isEqualTo("OPENAI_API_KEY");
    assertThat(Provider.azureDeploymentUrl("https://r.openai.azure.com/openai/", "dep")).isEqualTo("https://r.openai.azure.com/openai/deployments/dep");
  }
}
