package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.testing.LoopbackLlmServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The gate's embeddings computed while the calls run, and each text embedded once by callers at the same time. */
@Timeout(180)
class EmbeddingPrefetchTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  @TempDir Path dir;

  @Test
  void should_embed_a_text_once_when_several_callers_ask_for_it_at_the_same_time() throws Exception {
    // given 240 real texts this JVM has not embedded, asked for by 4 threads at once
    SentenceEncoder encoder = SentenceEncoder.of(PipelineSpec.Relevance.MINILM);
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> real = RealTexts.clinc();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      texts.add(real.get(i * 11) + " (" + run + ")");
    }
    int callers = 4;
    CyclicBarrier start = new CyclicBarrier(callers);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    long before = encoder.embedded();
    try {
      List<Future<List<float[]>>> asked = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        List<String> mine = new ArrayList<>(texts);
        java.util.Collections.rotate(mine, c * 60); // each caller starts elsewhere in the list
        asked.add(pool.submit(() -> {
          start.await();
          return encoder.embedAll(mine, Optional.empty());
        }));
      }
      List<List<float[]>> answers = new ArrayList<>();
      for (Future<List<float[]>> f : asked) {
        answers.add(f.get());
      }

      // then the model ran once per text, and every caller got the same vector for it
      assertThat(encoder.embedded() - before).isEqualTo(texts.size());
      for (int c = 0; c < callers; c++) {
        for (int i = 0; i < texts.size(); i++) {
          int at = Math.floorMod(i - c * 60, texts.size()); // where caller c's list holds text i
          assertThat(answers.get(c).get(i)).as("caller %s, %s", c, texts.get(at)).containsExactly(answers.get(0).get(at));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void should_embed_the_responses_while_the_calls_run_and_leave_every_verdict_as_it_was() throws Exception {
    EmbeddingPrefetch prefetch = EmbeddingPrefetch.of(PipelineSpec.Relevance.MINILM);
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      server.latencyMillis(250);
      Path pipeline = pipeline(server.baseUrl());

      // when the pipeline calls the model with the prefetch on (the default)
      SentenceVectors.forgetRecent();
      long offeredBefore = prefetch.embedded();
      Runner.Outcome first = run(pipeline, dir.resolve("on"));
      long prefetched = prefetch.embedded() - offeredBefore;
      assertThat(server.requestCount()).isEqualTo(40);

      // then texts were embedded before the call step ended, and none after (those left are dropped)
      assertThat(prefetched).isPositive();
      long afterRun = prefetch.embedded();
      Thread.sleep(300);
      assertThat(prefetch.embedded()).isEqualTo(afterRun);

      // and the same responses (from the cache) with the prefetch off give the same files, byte for byte
      System.setProperty("seedforge.prefetch", "off");
      try {
        SentenceVectors.forgetRecent();
        long offBefore = prefetch.embedded();
        run(pipeline, dir.resolve("off"));
        assertThat(prefetch.embedded()).isEqualTo(offBefore);
      } finally {
        System.clearProperty("seedforge.prefetch");
      }
      assertThat(first.manifest().path("calls").path("made").path("total").asLong()).isEqualTo(40);
      for (String file : List.of("train.jsonl", "validation.jsonl", "rejected.jsonl", "failed.jsonl")) {
        assertThat(Files.readAllBytes(dir.resolve("off").resolve(file))).as(file).isEqualTo(Files.readAllBytes(dir.resolve("on").resolve(file)));
      }
      assertThat(Files.readAllLines(dir.resolve("on").resolve("train.jsonl"))).isNotEmpty();
    }
  }

  @Test
  void should_embed_the_offline_generators_variants_as_they_are_made_and_change_no_output() throws Exception {
    // given the example pipeline, offline (its lexical generator, MiniLM relevance)
    Path pipeline = Path.of("pipelines/support-intents.yaml");
    EmbeddingPrefetch prefetch = EmbeddingPrefetch.of(PipelineSpec.Relevance.MINILM);

    // when it runs with the prefetch on, then with it off
    SentenceVectors.forgetRecent();
    long before = prefetch.embedded();
    run(pipeline, dir.resolve("on"));
    long embedded = prefetch.embedded() - before;
    System.setProperty("seedforge.prefetch", "off");
    try {
      SentenceVectors.forgetRecent();
      run(pipeline, dir.resolve("off"));
    } finally {
      System.clearProperty("seedforge.prefetch");
    }

    // then variants were embedded while the generator ran, and the files are the same, byte for byte
    assertThat(embedded).isPositive();
    for (String file : List.of("train.jsonl", "validation.jsonl", "rejected.jsonl")) {
      assertThat(Files.readAllBytes(dir.resolve("off").resolve(file))).as(file).isEqualTo(Files.readAllBytes(dir.resolve("on").resolve(file)));
    }
  }

  /** The example pack, 40 calls at concurrency 4, MiniLM relevance (the default), the response cache in the folder. */
  private Path pipeline(String baseUrl) throws java.io.IOException {
    Path f = dir.resolve("prefetch.yaml");
    Files.writeString(f, String.join("\n",
        "name: prefetch-test",
        "pack: " + PACK,
        "seed: 42",
        "llm:",
        "  provider: openai",
        "  model: gpt-4o-mini",
        "  base_url: " + baseUrl,
        "  cache: " + dir.resolve("responses.sqlite"),
        "  max_tokens: 512",
        "  concurrency: 4",
        "generation:",
        "  calls_per_label: 2",
        "  examples_per_call: 5",
        "quality:",
        "  language: \"off\"",
        ""));
    return f;
  }

  private static Runner.Outcome run(Path pipeline, Path out) throws java.io.IOException {
    PipelineSpec spec = SpecLoader.load(pipeline, Map.of(), new SpecLoader.Overrides(null, null, null, null, out.toString()));
    return Runner.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());
  }
}
