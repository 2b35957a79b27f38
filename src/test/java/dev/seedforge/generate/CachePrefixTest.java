package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generation.cache_prefix} on the example pack, whose prompts (900–950 tokens) stay under
 * OpenAI's 1,024-token prompt-cache minimum: shaped, every call shares a static start over the
 * minimum, so the estimate expects most input tokens from the cache; unshaped, none.
 */
class CachePrefixTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  @TempDir Path dir;

  private RunPlan plan(boolean cachePrefix, String provider) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, String.join("\n",
        "name: cache-prefix",
        "pack: " + PACK,
        "llm: {provider: " + provider + ", model: gpt-4o-mini, base_url: http://127.0.0.1:9/v1, cache: \"off\"}",
        "generation: {calls_per_label: 3, cache_prefix: " + cachePrefix + "}",
        ""));
    PipelineSpec spec = SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());
    return RunPlan.prepare(spec, Map.of());
  }

  private static int sharedPrefixTokens(List<GenerationRequest> requests, TokenCounter counter) {
    int min = Integer.MAX_VALUE;
    for (int i = 1; i < requests.size(); i++) {
      String a = requests.get(i - 1).messages().get(0).content() + "\n" + requests.get(i - 1).messages().get(1).content();
      String b = requests.get(i).messages().get(0).content() + "\n" + requests.get(i).messages().get(1).content();
      int n = 0;
      while (n < Math.min(a.length(), b.length()) && a.charAt(n) == b.charAt(n)) {
        n++;
      }
      min = Math.min(min, counter.count(a.substring(0, n)));
    }
    return min;
  }

  @Test
  void should_lengthen_the_static_start_of_every_prompt_past_the_cache_minimum_with_reference_seeds() throws IOException {
    TokenCounter counter = TokenCounter.forModel("gpt-4o-mini");
    List<GenerationRequest> plain = plan(false, "openai").requests();
    List<GenerationRequest> shaped = plan(true, "openai").requests();

    // unshaped, the prompts share less than the minimum and the estimate expects nothing cached
    assertThat(sharedPrefixTokens(plain, counter)).isLessThan(Estimator.PROMPT_CACHE_MIN_TOKENS);
    assertThat(Estimator.promptCacheShare(plain, counter)).isZero();

    // shaped: one system message for every call, with reference seeds of every label
    Set<String> systems = shaped.stream().map(r -> r.messages().get(0).content()).collect(Collectors.toSet());
    assertThat(systems).hasSize(1);
    String system = systems.iterator().next();
    assertThat(system).startsWith(plain.get(0).messages().get(0).content()).contains("Reference examples of every label");
    for (String label : List.of("order_status", "billing_charge", "complaint", "damaged_item")) {
      assertThat(system).contains(label + ": {\"text\":");
    }
    // the user messages are unchanged, and the calls of each strategy share at least the minimum
    assertThat(shaped.stream().map(r -> r.messages().get(1).content()).toList())
        .isEqualTo(plain.stream().map(r -> r.messages().get(1).content()).toList());
    Map<String, List<GenerationRequest>> byStrategy = shaped.stream().collect(Collectors.groupingBy(GenerationRequest::strategy));
    assertThat(byStrategy).hasSizeGreaterThan(1);
    byStrategy.forEach((strategy, rs) ->
        assertThat(sharedPrefixTokens(rs, counter)).as(strategy).isGreaterThanOrEqualTo(Estimator.PROMPT_CACHE_MIN_TOKENS));
    assertThat(Estimator.promptCacheShare(shaped, counter)).isGreaterThan(0.5);
  }

  @Test
  void should_leave_prompts_alone_for_a_provider_that_does_not_cache_prefixes_by_itself() throws IOException {
    List<GenerationRequest> plain = plan(false, "ollama").requests();
    List<GenerationRequest> shaped = plan(true, "ollama").requests();
    assertThat(shaped.get(0).messages()).isEqualTo(plain.get(0).messages());
  }
}
