package dev.seedforge.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What redaction replaces, and what it leaves alone. */
class SecretsTest {
  @Test
  void should_redact_a_key_read_from_the_environment_wherever_it_appears() {
    String key = Secrets.key(Map.of("MY_KEY", "local-server-token-1234"), "MY_KEY");

    assertThat(key).isEqualTo("local-server-token-1234");
    assertThat(Secrets.redact("bad token local-server-token-1234 in 'local-server-token-1234'"))
        .isEqualTo("bad token [redacted] in '[redacted]'");
  }

  @Test
  void should_redact_what_looks_like_a_key() {
    assertThat(Secrets.redact("{\"auth\": \"Bearer abcdefgh12345678\"}")).isEqualTo("{\"auth\": \"Bearer [redacted]\"}");
    assertThat(Secrets.redact("api-key: 0123456789abcdef, x-api-key=zyxwvutsrq987654")).isEqualTo("api-key: [redacted], x-api-key=[redacted]");
    assertThat(Secrets.redact("\"api_key\": \"k-0123456789\"")).isEqualTo("\"api_key\": \"[redacted]\"");
    assertThat(Secrets.redact("Incorrect API key provided: sk-proj-AbC123xyz_456-789.")).isEqualTo("Incorrect API key provided: [redacted].");
  }

  @Test
  void should_leave_ordinary_text_alone() {
    String[] texts = {
      "the bearer of bad news", "api-key: null", "llm.api_key_env names the variable", "llm.api_key: keys never go in pipeline files",
      "sk-short", "HTTP 500: The server had an error while processing your request."
    };
    for (String t : texts) {
      assertThat(Secrets.redact(t)).isEqualTo(t);
    }
    assertThat(Secrets.key(Map.of("K", "  "), "K")).isNull();
    assertThat(Secrets.key(Map.of(), "K")).isNull();
    assertThat(Secrets.redact(null)).isNull();
  }
}
