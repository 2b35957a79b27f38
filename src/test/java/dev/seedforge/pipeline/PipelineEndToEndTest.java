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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole flow on the DirectRunner, on the example pack, through the real LangChain4j client. */
class PipelineEndToEndTest {
  static final Path PIPELINE = Path.of("pipelines/support-intents.yaml");
  @TempDir Path out;

  static PipelineSpec spec(String provider, String baseUrl, Path out) {
    // the response cache goes to a temporary folder, never the user's
    return SpecLoader.load(PIPELINE, Map.of("XDG_CACHE_HOME", out.resolve("cache").toString()), new SpecLoader.Overrides(provider, null, baseUrl, null, out.toString()));
  }

  static Runner.Outcome run(PipelineSpec spec) throws IOException {
    RunPlan plan = RunPlan.prepare(spec, Map.of());
    return Runner.run(plan, PipelineOptionsFactory.create());
  }

  static List<JsonNode> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream().map(l -> {
      try {
        return Json.mapper().readTree(l);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  @Test
  void should_generate_through_the_loopback_llm_and_account_for_every_request() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      server.script((n, body) -> switch (n % 20) {
        case 3 -> LoopbackLlmServer.Behavior.PROSE;
        case 7 -> LoopbackLlmServer.Behavior.FENCED;
        default -> null;
      });
      server.withProbability(LoopbackLlmServer.Behavior.SERVER_ERROR, 0.05);
      PipelineSpec spec = spec("openai", server.baseUrl(), out);

      Runner.Outcome outcome = run(spec);

      JsonNode m = outcome.manifest();
      long planned = m.path("calls").path("planned").path("total").asLong();
      long made = m.path("calls").path("made").path("total").asLong();
      long failed = m.path("calls").path("failed").path("total").asLong();
      assertThat(planned).isEqualTo(60);
      assertThat(made + failed).isEqualTo(planned);
      assertThat(lines(out.resolve("failed.jsonl"))).hasSize((int) failed);
      assertThat(m.path("tokens").path("input").path("total").asLong()).isPositive();
      List<JsonNode> rejected = lines(out.resolve("rejected.jsonl"));
      assertThat(rejected).anySatisfy(r -> {
        assertThat(r.path("stage").asText()).isEqualTo("parse");
        assertThat(r.path("filter").asText()).isEqualTo("not_json");
        assertThat(r.path("raw").asText()).isNotEmpty();
      });
      List<JsonNode> train = lines(out.resolve("train.jsonl"));
      List<JsonNode> validation = lines(out.resolve("validation.jsonl"));
      assertThat(train).isNotEmpty();
      assertThat(validation).isNotEmpty();
      JsonNode first = train.get(0).path("messages");
      assertThat(first.get(0).path("role").asText()).isEqualTo("system");
      assertThat(first.get(1).path("role").asText()).isEqualTo("user");
      assertThat(first.get(2).path("role").asText()).isEqualTo("assistant");
      Set<String> labels = new HashSet<>();
      train.forEach(t -> labels.add(t.path("messages").get(2).path("content").asText()));
      assertThat(labels).hasSize(10);
      // Every generated candidate is in the output or has a rejection.
      long generated = m.path("stages").path("generated").path("total").asLong();
      long seeds = m.path("seeds").path("total").asLong();
      long qualityOrLater = rejected.stream().filter(r -> !r.path("stage").asText().equals("parse")).count();
      assertThat(train.size() + validation.size() + qualityOrLater).isEqualTo(generated + seeds);
      assertThat(Files.exists(out.resolve("manifest.json"))).isTrue();
      assertThat(Files.exists(out.resolve(SeedforgePipeline.LEDGER))).isFalse();
      assertThat(Files.readString(out.resolve("manifest.json"))).doesNotContain("sk-");
    }
  }

  @Test
  void should_run_offline_with_the_lexical_generator_and_give_byte_identical_data() throws IOException {
    PipelineSpec spec = spec("auto", null, out.resolve("a"));
    Runner.Outcome a = run(spec);
    Runner.Outcome b = run(spec("auto", null, out.resolve("b")));

    assertThat(a.manifest().path("generator").path("kind").asText()).isEqualTo("lexical");
    for (String f : List.of("train.jsonl", "validation.jsonl", "rejected.jsonl", "failed.jsonl")) {
      assertThat(Files.readAllBytes(out.resolve("a").resolve(f))).as(f).isEqualTo(Files.readAllBytes(out.resolve("b").resolve(f)));
    }
    JsonNode balance = a.manifest().path("balance");
    assertThat(balance.size()).isEqualTo(10);
    balance.forEach(l -> assertThat(l.path("kept").asLong()).isEqualTo(Math.min(40, l.path("available").asLong())));
    assertThat(a.manifest().path("files").path("train.jsonl").path("sha256").asText())
        .isEqualTo(b.manifest().path("files").path("train.jsonl").path("sha256").asText());
  }
}
