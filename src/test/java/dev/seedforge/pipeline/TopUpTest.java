package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quotas the first round cannot meet are topped up, paying only for new calls. */
class TopUpTest {
  @TempDir Path dir;

  @Test
  void should_top_up_short_labels_until_every_quota_is_met_paying_each_call_once() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      Path f = dir.resolve("p.yaml");
      Files.writeString(f, String.join("\n",
          "pack: " + Path.of("prompts/customer-support").toAbsolutePath(),
          "llm: {provider: openai, base_url: \"" + server.baseUrl() + "\", cache: \"" + dir.resolve("cache.sqlite") + "\"}",
          "generation: {calls_per_label: 1, examples_per_call: 5, max_rounds: 6}",
          "quality: {language: \"off\"}",
          "targets: {per_label: 25}",
          "output: {dir: out}",
          ""));
      PipelineSpec spec = SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());

      Runner.Outcome outcome = TopUp.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());

      JsonNode m = outcome.manifest();
      assertThat(m.path("rounds").size()).isGreaterThan(1);
      assertThat(m.path("rounds").get(0).path("new_calls").asLong()).isEqualTo(20);
      m.path("balance").forEach(label -> assertThat(label.path("kept").asLong()).isEqualTo(25));
      assertThat(m.path("warnings").path("unmet_quota/order_status").isMissingNode()).isTrue();
      long planned = m.path("calls").path("planned").path("total").asLong();
      assertThat(server.requestCount()).as("every planned call paid for exactly once across rounds").isEqualTo((int) planned);
      assertThat(Json.mapper().readTree(outcome.outDir().resolve("manifest.json").toFile()).path("rounds").size())
          .isEqualTo(m.path("rounds").size());
    }
  }

  @Test
  void should_ask_for_calls_in_proportion_to_each_labels_shortfall_and_yield() throws IOException {
    JsonNode manifest = Json.mapper().readTree("""
        {"balance": {"a": {"available": 12}, "b": {"available": 40}, "c": {"available": 3}},
         "calls": {"planned": {"per_label": {"a": 2, "b": 2, "c": 2}}},
         "seeds": {"per_label": {"a": 2, "b": 2, "c": 3}}}
        """);
    Path f = dir.resolve("x.yaml");
    Files.createDirectories(dir.resolve("prompts/p"));
    Files.writeString(dir.resolve("prompts/p/pack.yaml"), "system_prompt: s\n");
    Files.writeString(f, "pack: prompts/p\ntargets: {per_label: 30}\n");
    PipelineSpec spec = SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());

    Map<String, Integer> needed = TopUp.callsNeeded(manifest, spec);

    // a: 10 generated over 2 calls = 5 a call, 18 short -> 4 calls; c: nothing kept, assume 0.5 a call
    assertThat(needed).containsExactly(Map.entry("a", 4), Map.entry("c", 54));
  }
}
