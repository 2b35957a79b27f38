package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContextWindowsTest {
  final ContextWindows table = ContextWindows.table();

  @Test
  void should_find_the_window_by_the_longest_model_name_prefix() {
    assertThat(table.of("gpt-4o-mini-2024-07-18")).hasValue(128_000);
    assertThat(table.of("gpt-4.1-nano")).hasValue(1_047_576);
    assertThat(table.of("gpt-5-mini")).hasValue(400_000);
    assertThat(table.of("gpt-3.5-turbo-0125")).hasValue(16_385);
    assertThat(table.of("o3-mini")).hasValue(200_000);
  }

  @Test
  void should_give_fine_tuned_and_prefixed_models_their_base_window() {
    assertThat(table.of("ft:gpt-4o-mini-2024-07-18:acme::abc123")).hasValue(128_000);
    assertThat(table.of("openai/gpt-4o")).hasValue(128_000);
  }

  @Test
  void should_know_nothing_of_local_models_and_lookalike_names() {
    assertThat(table.of("llama3.1")).isEmpty();
    assertThat(table.of("gpt-4ofake")).isEmpty();
    assertThat(table.of(null)).isEmpty();
    assertThat(table.asOf()).isEqualTo("2025-08");
  }
}
