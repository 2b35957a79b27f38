package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seedforge.seed.TaskType;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real LangChain4j OpenAI client, through LangChainCaller, against the loopback server. */
@Timeout(20)
class LangChainCallerTest {
  private static final String KEY_ENV = "SEEDFORGE_TEST_KEY";
  private static final String KEY = "sk-test-very-secret-value-0123456789";
  private static final Map<String, String> ENV = Map.of(KEY_ENV, KEY);

  private LoopbackLlmServer server;

  @BeforeEach
  void start() {
    server = new LoopbackLlmServer(7);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ModelSettings settings(TaskType task, int timeoutSeconds, int maxAttempts) {
    return new ModelSettings("openai", "test-model", server.baseUrl(), KEY_ENV, timeoutSeconds, maxAttempts, 4, task);
  }

  private LangChainCaller caller(TaskType task, int timeoutSeconds, int maxAttempts) {
    return new LangChainCaller(settings(task, timeoutSeconds, maxAttempts), ENV, 5);
  }

  static GenerationRequest request(TaskType task, int n, String model) {
    GenerationRequest.Params params = new GenerationRequest.Params("openai", "http://127.0.0.1/v1", model, 0.8, 0.95, 1024, n, "json_object", 1234);
    List<ChatTurn> messages =
        List.of(
            new ChatTurn("system", "You write realistic training data for a support classifier.\n\n" + OutputContract.instructions(task, n)),
            new ChatTurn(
                "user",
                "Label: billing. Examples:\n- I was charged twice for my subscription this month.\n- Why is my invoice higher than usual?"));
    return GenerationRequest.of("billing", "paraphrase", "t1", List.of("s1", "s2"), messages, params, 0, 0);
  }

  private static CallOutcome ok(LangChainCaller c, TaskType task, int n) {
    CallOutcome out = c.call(request(task, n, "test-model"));
    assertThat(out.ok()).as("error %s: %s", out.errorKind(), out.errorMessage()).isTrue();
    return out;
  }

  @Test
  void should_return_examples_and_token_usage_on_success() throws Exception {
    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 3), TaskType.CLASSIFICATION, 4);

    assertThat(out.attempts()).isEqualTo(1);
    assertThat(out.finishReason()).isEqualTo("stop");
    assertThat(out.inputTokens()).isPositive();
    assertThat(out.outputTokens()).isPositive();
    assertThat(out.cached()).isFalse();
    ResponseParser.Parsed parsed = ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, false);
    assertThat(parsed.problem()).isNull();
    assertThat(parsed.items()).hasSize(4);
    for (ResponseParser.Item item : parsed.items()) {
      assertThat(item.problem()).isNull();
      assertThat(item.fields().get("text").split("\\s+").length).isGreaterThanOrEqualTo(8);
    }
    assertThat(parsed.items().stream().map(i -> i.fields().get("text")).distinct()).hasSize(4);

    // what the client actually sent
    assertThat(server.requestCount()).isEqualTo(1);
    JsonNode sent = new ObjectMapper().readTree(server.lastRequestBody());
    assertThat(sent.path("model").asText()).isEqualTo("test-model");
    assertThat(sent.path("messages")).hasSize(2);
    assertThat(sent.path("response_format").path("type").asText()).isEqualTo("json_object");
  }

  @Test
  void should_return_instruction_examples() {
    CallOutcome out = ok(caller(TaskType.INSTRUCTION, 5, 3), TaskType.INSTRUCTION, 3);

    ResponseParser.Parsed parsed = ResponseParser.parse(out.text(), TaskType.INSTRUCTION, false);
    assertThat(parsed.items()).hasSize(3).allSatisfy(i -> assertThat(i.problem()).isNull());
    assertThat(parsed.items().get(0).fields()).containsKeys("instruction", "input", "output");
  }

  @Test
  void should_be_deterministic_for_the_same_request() {
    LangChainCaller c = caller(TaskType.CLASSIFICATION, 5, 3);
    assertThat(ok(c, TaskType.CLASSIFICATION, 3).text()).isEqualTo(ok(c, TaskType.CLASSIFICATION, 3).text());
  }

  @Test
  void should_retry_on_429_then_succeed() {
    server.next(Behavior.RATE_LIMIT, 2);

    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 4), TaskType.CLASSIFICATION, 2);

    assertThat(out.attempts()).isEqualTo(3);
    assertThat(server.requestCount()).isEqualTo(3);
    assertThat(server.tooManyRequestsSent()).isEqualTo(2);
    assertThat(server.count(Behavior.OK)).isEqualTo(1);
  }

  @Test
  void should_retry_on_500_and_503_then_succeed() {
    server.next(Behavior.SERVER_ERROR, 1).next(Behavior.SERVICE_UNAVAILABLE, 1);

    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 3), TaskType.CLASSIFICATION, 2);

    assertThat(out.attempts()).isEqualTo(3);
    assertThat(server.count(Behavior.SERVER_ERROR)).isEqualTo(1);
    assertThat(server.count(Behavior.SERVICE_UNAVAILABLE)).isEqualTo(1);
  }

  @Test
  void should_record_failure_after_max_attempts() {
    server.next(Behavior.SERVICE_UNAVAILABLE, 10);
    CallOutcome out = caller(TaskType.CLASSIFICATION, 5, 3).call(request(TaskType.CLASSIFICATION, 2, "test-model"));

    assertThat(out.ok()).isFalse();
    assertThat(out.errorKind()).isEqualTo("server_error");
    assertThat(out.attempts()).isEqualTo(3);
    assertThat(out.errorMessage()).isNotBlank();
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void should_record_rate_limited_failure_after_max_attempts() {
    server.script((n, body) -> Behavior.RATE_LIMIT);
    CallOutcome out = caller(TaskType.CLASSIFICATION, 5, 2).call(request(TaskType.CLASSIFICATION, 2, "test-model"));

    assertThat(out.ok()).isFalse();
    assertThat(out.errorKind()).isEqualTo("rate_limited");
    assertThat(out.attempts()).isEqualTo(2);
    assertThat(server.tooManyRequestsSent()).isEqualTo(2);
  }

  @Test
  void should_time_out_hung_connection_and_record_failure() {
    server.script((n, body) -> Behavior.HANG);
    long start = System.nanoTime();
    CallOutcome out = caller(TaskType.CLASSIFICATION, 1, 1).call(request(TaskType.CLASSIFICATION, 2, "test-model"));
    long ms = (System.nanoTime() - start) / 1_000_000;

    assertThat(out.ok()).isFalse();
    assertThat(out.errorKind()).isEqualTo("timeout");
    assertThat(out.attempts()).isEqualTo(1);
    assertThat(ms).isBetween(900L, 5_000L);
    assertThat(server.count(Behavior.HANG)).isEqualTo(1);
  }

  @Test
  void should_retry_after_a_timeout_and_succeed() {
    server.next(Behavior.HANG, 1);
    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 1, 2), TaskType.CLASSIFICATION, 2);

    assertThat(out.attempts()).isEqualTo(2);
  }

  @Test
  void should_time_out_a_body_that_stalls_half_way_and_retry_it() {
    // given a server that sends the headers and half of every body, then nothing
    server.script((n, body) -> Behavior.STALL_BODY);

    // when
    long start = System.nanoTime();
    CallOutcome out = caller(TaskType.CLASSIFICATION, 1, 2).call(request(TaskType.CLASSIFICATION, 2, "test-model"));
    long ms = (System.nanoTime() - start) / 1_000_000;

    // then each attempt ends at the timeout, body included
    assertThat(out.ok()).isFalse();
    assertThat(out.errorKind()).isEqualTo("timeout");
    assertThat(out.errorMessage()).contains("1 s");
    assertThat(out.attempts()).isEqualTo(2);
    assertThat(server.count(Behavior.STALL_BODY)).isEqualTo(2);
    assertThat(ms).isBetween(1_900L, 6_000L);
  }

  @Test
  void should_succeed_on_the_retry_after_a_stalled_body() {
    server.next(Behavior.STALL_BODY, 1);

    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 1, 2), TaskType.CLASSIFICATION, 2);

    assertThat(out.attempts()).isEqualTo(2);
    assertThat(ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, false).items()).hasSize(2);
  }

  @ParameterizedTest
  @CsvSource({
    "BAD_REQUEST, http_400, 1, HTTP 400",
    "NOT_JSON, not_json, 1, HTTP 200",
    "HTML_PAGE, html_response, 1, HTTP 200",
    "HTML_LOGIN, html_response, 1, HTTP 403",
    "SERVER_ERROR, server_error, 2, HTTP 500",
    "SERVICE_UNAVAILABLE, server_error, 2, HTTP 503",
    "RATE_LIMIT, rate_limited, 2, HTTP 429",
    "HANG, timeout, 2, timed out",
    "STALL_BODY, timeout, 2, timed out",
    "DROP, connection, 2, connection failed",
  })
  void should_name_the_failure_kind_after_what_the_server_did(Behavior behavior, String kind, int attempts, String says) {
    // given
    server.script((n, body) -> behavior).retryAfterSeconds(0);

    // when
    CallOutcome out = caller(TaskType.CLASSIFICATION, 1, 2).call(request(TaskType.CLASSIFICATION, 2, "test-model"));

    // then
    assertThat(out.ok()).isFalse();
    assertThat(out.errorKind()).isEqualTo(kind);
    assertThat(out.attempts()).as("attempts").isEqualTo(attempts);
    assertThat(out.errorMessage()).contains(says);
    assertThat(server.requestCount()).isEqualTo(attempts);
  }

  @Test
  void should_call_a_refused_connection_a_connection_failure() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    ModelSettings s = new ModelSettings("openai", "test-model", "http://127.0.0.1:" + closedPort + "/v1", KEY_ENV, 1, 2, 4,
        TaskType.CLASSIFICATION);

    CallOutcome out = new LangChainCaller(s, ENV, 5).call(request(TaskType.CLASSIFICATION, 2, "test-model"));

    assertThat(out.errorKind()).isEqualTo("connection");
    assertThat(out.attempts()).isEqualTo(2);
  }

  @Test
  void should_keep_an_echoed_key_out_of_the_failure_message() {
    // given a gateway that quotes the request's headers in its 400
    server.script((n, body) -> Behavior.BAD_REQUEST).echoApiKey(true);

    // when
    CallOutcome out = caller(TaskType.CLASSIFICATION, 1, 2).call(request(TaskType.CLASSIFICATION, 2, "test-model"));

    // then the message keeps what the server said, without the key
    assertThat(out.errorKind()).isEqualTo("http_400");
    assertThat(out.errorMessage()).contains("Invalid value for 'messages'").doesNotContain(KEY).doesNotContain("very-secret");
  }

  @Test
  void should_stop_with_message_naming_env_var_on_401() {
    server.requireApiKey("sk-the-right-key-which-we-do-not-have");
    LangChainCaller c = caller(TaskType.CLASSIFICATION, 5, 3);

    assertThatThrownBy(() -> c.call(request(TaskType.CLASSIFICATION, 2, "test-model")))
        .isInstanceOf(FatalCallException.class)
        .hasMessageContaining(KEY_ENV)
        .hasMessageContaining("401")
        .hasMessageNotContaining(KEY);
    assertThat(server.requestCount()).as("no retries on 401").isEqualTo(1);
    assertThat(server.count(Behavior.UNAUTHORIZED)).isEqualTo(1);
  }

  @Test
  void should_name_the_model_on_404() {
    server.knownModels("test-model");
    LangChainCaller c = caller(TaskType.CLASSIFICATION, 5, 3);

    assertThatThrownBy(() -> c.call(request(TaskType.CLASSIFICATION, 2, "gpt-nonexistent")))
        .isInstanceOf(FatalCallException.class)
        .hasMessageContaining("test-model")
        .hasMessageContaining("404");
    assertThat(server.requestCount()).as("no retries on 404").isEqualTo(1);
    assertThat(server.count(Behavior.MODEL_NOT_FOUND)).isEqualTo(1);
  }

  @Test
  void should_salvage_complete_examples_from_truncated_output() {
    server.next(Behavior.TRUNCATED, 1);
    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 3), TaskType.CLASSIFICATION, 4);

    assertThat(out.finishReason()).isEqualTo("length");
    assertThat(out.text()).isNotBlank();
    ResponseParser.Parsed parsed = ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, true);
    // Every complete example before the cut is kept; the cut-off one is not.
    assertThat(parsed.items()).isNotEmpty().hasSizeLessThan(4);
    assertThat(parsed.items()).allSatisfy(i -> {
      assertThat(i.problem()).isNull();
      assertThat(out.text()).contains(i.fields().get("text"));
    });
  }

  @Test
  void should_report_truncated_output_without_a_complete_example() {
    server.next(Behavior.TRUNCATED, 1);
    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 3), TaskType.CLASSIFICATION, 1);

    assertThat(out.finishReason()).isEqualTo("length");
    ResponseParser.Parsed parsed = ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, "length".equals(out.finishReason()));
    assertThat(parsed.items()).isEmpty();
    assertThat(parsed.filter()).isEqualTo("truncated_response");
  }

  @Test
  void should_parse_code_fenced_output() {
    server.next(Behavior.FENCED, 1);
    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 3), TaskType.CLASSIFICATION, 3);

    assertThat(out.finishReason()).isEqualTo("stop");
    assertThat(out.text()).contains("```json");
    ResponseParser.Parsed parsed = ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, false);
    assertThat(parsed.problem()).isNull();
    assertThat(parsed.items()).hasSize(3).allSatisfy(i -> assertThat(i.problem()).isNull());
  }

  @Test
  void should_report_prose_as_not_json() {
    server.next(Behavior.PROSE, 1);
    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 3), TaskType.CLASSIFICATION, 3);

    ResponseParser.Parsed parsed = ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, false);
    assertThat(parsed.items()).isEmpty();
    assertThat(parsed.filter()).isEqualTo("not_json");
  }

  @Test
  void should_report_malformed_json_as_not_json() {
    server.next(Behavior.MALFORMED_JSON, 1);
    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 3), TaskType.CLASSIFICATION, 3);

    ResponseParser.Parsed parsed = ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, false);
    assertThat(parsed.items()).isEmpty();
    assertThat(parsed.filter()).isEqualTo("not_json");
  }

  @Test
  void should_report_empty_content() {
    server.next(Behavior.EMPTY, 1);
    CallOutcome out = ok(caller(TaskType.CLASSIFICATION, 5, 3), TaskType.CLASSIFICATION, 3);

    assertThat(out.finishReason()).isEqualTo("stop");
    ResponseParser.Parsed parsed = ResponseParser.parse(out.text(), TaskType.CLASSIFICATION, false);
    assertThat(parsed.items()).isEmpty();
    assertThat(parsed.filter()).isEqualTo("empty_response");
  }
}
