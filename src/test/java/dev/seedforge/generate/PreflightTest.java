package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.seed.TaskType;
import dev.seedforge.testing.LoopbackLlmServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The free key check before a run, against the loopback server. */
class PreflightTest {
  private static final String KEY = "sk-preflight-test-key-9a8b7c6d5e4f";

  private static ModelSettings settings(String baseUrl) {
    return new ModelSettings("openai", "m", baseUrl, "PREFLIGHT_KEY", 5, 1, 1, TaskType.CLASSIFICATION);
  }

  @Test
  void should_send_the_key_as_a_bearer_token_and_not_as_azures_api_key_to_other_hosts() {
    try (LoopbackLlmServer server = new LoopbackLlmServer()) {
      server.requireApiKey(KEY);

      assertThatCode(() -> Preflight.check(settings(server.baseUrl()), Map.of("PREFLIGHT_KEY", KEY))).doesNotThrowAnyException();

      assertThat(server.modelListRequests()).isEqualTo(1);
      assertThat(server.azureKeyHeaders()).isZero();
    }
  }

  @Test
  void should_stop_on_a_refused_key_without_repeating_the_key_the_server_echoed() {
    try (LoopbackLlmServer server = new LoopbackLlmServer()) {
      server.requireApiKey("sk-the-key-the-server-wants-000000").echoApiKey(true);

      assertThatThrownBy(() -> Preflight.check(settings(server.baseUrl()), Map.of("PREFLIGHT_KEY", KEY)))
          .isInstanceOf(FatalCallException.class)
          .hasMessageContaining("refused the API key (HTTP 401)")
          .hasMessageContaining("PREFLIGHT_KEY")
          .hasMessageNotContaining(KEY);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "https://my-resource.openai.azure.com/openai/v1, true",
    "https://My-Resource.OpenAI.Azure.com:443/openai/v1/, true",
    "https://my-hub.cognitiveservices.azure.com/openai/v1, true",
    "https://api.openai.com/v1, false",
    "https://openai.azure.com.example.net/v1, false",
    "http://localhost:8000/v1, false",
  })
  void should_tell_azure_endpoints_by_their_host(String url, boolean azure) {
    assertThat(Endpoint.isAzure(url)).isEqualTo(azure);
  }
}
