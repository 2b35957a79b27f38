package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import dev.seedforge.seed.TaskType;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins how LangChain4j 1.19's OpenAI client (JDK HTTP client + ExceptionMapper) turns HTTP errors
 * with OpenAI-shaped bodies into exceptions, which LangChainCaller relies on.
 */
@Timeout(20)
class LangChain4jErrorMappingTest {
  private LoopbackLlmServer server;
  private ChatModel model;
  private LangChainCaller caller;

  @BeforeEach
  void start() {
    server = new LoopbackLlmServer();
    ModelSettings s = new ModelSettings("openai", "test-model", server.baseUrl(), "SEEDFORGE_TEST_KEY", 1, 1, 1, TaskType.CLASSIFICATION);
    model = LangChainCaller.build(s, Map.of("SEEDFORGE_TEST_KEY", "sk-x"));
    caller = new LangChainCaller(s, Map.of(), 1);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @ParameterizedTest
  @CsvSource({
    "UNAUTHORIZED, dev.langchain4j.exception.AuthenticationException, 401",
    "MODEL_NOT_FOUND, dev.langchain4j.exception.ModelNotFoundException, 404",
    "RATE_LIMIT, dev.langchain4j.exception.RateLimitException, 429",
    "SERVER_ERROR, dev.langchain4j.exception.InternalServerException, 500",
    "SERVICE_UNAVAILABLE, dev.langchain4j.exception.InternalServerException, 503",
  })
  void should_map_status_codes_to_langchain4j_exceptions(Behavior behavior, Class<? extends Throwable> type, int status) {
    server.script((n, body) -> behavior);
    var request = caller.toChatRequest(LangChainCallerTest.request(TaskType.CLASSIFICATION, 2, "test-model"));

    assertThatThrownBy(() -> model.chat(request))
        .isInstanceOf(type)
        .satisfies(e -> assertThat(statusOf(e)).isEqualTo(status));
  }

  @ParameterizedTest
  @CsvSource({"HANG"})
  void should_map_hung_request_to_timeout(Behavior behavior) {
    server.script((n, body) -> behavior);
    var request = caller.toChatRequest(LangChainCallerTest.request(TaskType.CLASSIFICATION, 2, "test-model"));

    assertThatThrownBy(() -> model.chat(request)).isInstanceOf(TimeoutException.class);
  }

  private static int statusOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpException h) {
        return h.statusCode();
      }
    }
    return -1;
  }
}
