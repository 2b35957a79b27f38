package dev.seedforge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.testing.SpecFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The llm keys of issue 3: cache, rate limits, budget, price. */
class SpecLoaderLlmTest {
  @TempDir Path dir;
  SpecFixture fixture;
  Path pipelines;

  @BeforeEach
  void pack() throws IOException {
    fixture = new SpecFixture(dir);
    pipelines = fixture.pipelines;
  }

  private PipelineSpec load(String llm, Map<String, String> env) throws IOException {
    return fixture.load("llm:\n" + llm, env);
  }

  @Test
  void should_default_the_cache_to_the_user_cache_dir_and_read_limits_budget_and_price() throws IOException {
    PipelineSpec s = load("  requests_per_minute: 3000\n  tokens_per_minute: 150000\n"
        + "  budget: {max_calls: 10, max_tokens: 5000, max_cost_usd: 1.5}\n  price: {input_per_million: 1, output_per_million: 2}\n",
        Map.of("XDG_CACHE_HOME", dir.resolve("xdg").toString()));
    assertThat(s.llm().cache()).isEqualTo(dir.resolve("xdg/seedforge/responses.sqlite").toString());
    assertThat(s.llm().requestsPerMinute()).isEqualTo(3000);
    assertThat(s.llm().tokensPerMinute()).isEqualTo(150000);
    assertThat(s.llm().budget()).isEqualTo(new PipelineSpec.Budget(10, 5000, 1.5));
    assertThat(s.llm().price()).isEqualTo(new PipelineSpec.Price(1, 2));
  }

  @Test
  void should_take_a_cache_path_relative_to_the_file_or_off() throws IOException {
    assertThat(load("  cache: ../c/r.sqlite\n", Map.of()).llm().cache()).isEqualTo(dir.resolve("c/r.sqlite").toString());
    assertThat(load("  cache: off\n", Map.of()).llm().cache()).isNull();
    assertThat(load("  cache: \"off\"\n", Map.of()).llm().cache()).isNull();
    PipelineSpec none = load("  model: m\n", Map.of());
    assertThat(none.llm().budget()).isEqualTo(PipelineSpec.Budget.none());
    assertThat(none.llm().price()).isNull();
  }

  @Test
  void should_report_bad_budget_and_half_a_price() {
    assertThatThrownBy(() -> load("  budget: {max_calls: -1, max_money: 3}\n  price: {input_per_million: 1}\n", Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("llm.budget.max_calls"))
            .anySatisfy(p -> assertThat(p).contains("llm.budget.max_money: unknown key"))
            .anySatisfy(p -> assertThat(p).contains("llm.price: give both")));
  }

  @Test
  void should_default_to_sync_calls_and_read_the_batch_section() throws IOException {
    // given / when
    PipelineSpec sync = load("  model: m\n", Map.of());
    PipelineSpec batch = load("  mode: batch\n  batch: {poll_initial_ms: 50, poll_max_ms: 500, max_requests: 1000, max_bytes: 4096,"
        + " max_resubmits: 1, price: {input_per_million: 0.5, output_per_million: 1}}\n", Map.of());

    // then
    assertThat(sync.llm().batch().on()).isFalse();
    assertThat(sync.llm().batch()).isEqualTo(PipelineSpec.Batch.sync());
    assertThat(batch.llm().batch()).isEqualTo(new PipelineSpec.Batch("batch", 50, 500, "24h", 1000, 4096, 1, new PipelineSpec.Price(0.5, 1)));
  }

  @Test
  void should_report_an_unknown_mode_a_batch_over_the_providers_limits_and_a_poll_range_upside_down() {
    assertThatThrownBy(() -> load("  mode: async\n  batch: {max_requests: 200000, poll_initial_ms: 900, poll_max_ms: 100, size: 3}\n", Map.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("llm.mode").contains("expected sync or batch, got \"async\""))
            .anySatisfy(p -> assertThat(p).contains("llm.batch.max_requests"))
            .anySatisfy(p -> assertThat(p).contains("llm.batch.poll_max_ms: must be at least poll_initial_ms (900)"))
            .anySatisfy(p -> assertThat(p).contains("llm.batch.size: unknown key")));
  }
}
