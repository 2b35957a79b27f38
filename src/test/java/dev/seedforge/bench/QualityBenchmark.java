package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.CurateCommand;
import dev.seedforge.cli.RunCommand;
import dev.seedforge.dedup.MinHasher;
import dev.seedforge.dedup.NearDupData;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.quality.LabelFilterTest;
import dev.seedforge.util.Json;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quality and dedup benchmarks; excluded from {@code mvn test}. Run with
 * {@code mvn -B test -Dgroups=benchmark -DexcludedGroups=none -Dtest=QualityBenchmark}
 * ({@code -Dbench.n=N} sets the curate record count, default 100000; {@code -Dbench.embeddings=on|off|q}
 * runs only one curate variant, {@code all} all three).
 */
@Tag("benchmark")
class QualityBenchmark {
  /** The heap in use, sampled on a daemon thread; and the most any pool held right after a GC (the live set). */
  static final class HeapSampler {
    volatile long peakUsed;
    volatile long peakLive;
    private final Thread thread;
    private volatile boolean running = true;

    HeapSampler() {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        pool.resetPeakUsage();
      }
      thread = new Thread(() -> {
        while (running) {
          long used = 0;
          long live = 0;
          for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
              used += pool.getUsage().getUsed();
              if (pool.getCollectionUsage() != null) {
                live += pool.getCollectionUsage().getUsed();
              }
            }
          }
          peakUsed = Math.max(peakUsed, used);
          peakLive = Math.max(peakLive, live);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    /** The largest heap in use right after a collection (the live set, summed over the heap pools). */
    long peakAfterGc() {
      return peakLive;
    }
  }

  @TempDir Path dir;

  /** {@code -Dbench.runner=FlinkRunner} (with {@code -Pflink}): the curate runs on an embedded Flink instead of the DirectRunner. */
  static List<String> runnerArgs() {
    String runner = System.getProperty("bench.runner", "");
    return runner.isEmpty() ? List.of() : List.of("--runner=" + runner);
  }

  @Test
  void near_duplicate_recall_and_precision_against_brute_force_on_10000_records() throws Exception {
    assumeTrue(NearDupData.available(), "no Self-Instruct data");
    List<String> texts = NearDupData.records(10_000, 11);
    long t0 = System.nanoTime();
    NearDupData.Quality q = NearDupData.measure(texts, new MinHasher(3, 128, 42), 0.8);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("BENCH near-dup 10000 records, Jaccard>=0.8: true pairs %d, found %d, pair recall %.4f; records with a near dup %d, flagged %d, record recall %.4f, record precision %.4f (incl. brute force: %d ms)%n",
        q.truePairs(), q.foundPairs(), q.pairRecall(), q.trueRecords(), q.flaggedRecords(), q.recordRecall(), q.recordPrecision(), ms);
    assertThat(q.pairRecall()).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void label_filter_precision_and_recall_with_20_percent_swapped_labels() throws Exception {
    for (double margin : new double[] {0.0, 0.1, 0.2}) {
      double[] pr = LabelFilterTest.swappedLabelScores(LabelFilterTest.seeds(), LabelFilterTest.descriptions(), margin);
      System.out.printf("BENCH label_consistency, held-out support seeds (5-fold), 20%% labels swapped, margin %.1f: precision %.2f, recall %.2f%n", margin, pr[0], pr[1]);
    }
  }

  @Test
  void embedding_models_throughput_and_agreement() throws Exception {
    List<String> seeds = new ArrayList<>();
    List<String> vocab = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of("prompts/customer-support/seeds.jsonl"))) {
      String t = Json.mapper().readTree(l).path("text").asText();
      seeds.add(t);
      vocab.addAll(List.of(t.split("\\s+")));
    }
    Random rnd = new Random(3);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      texts.add(NearDupData.perturb(seeds.get(rnd.nextInt(seeds.size())), 1 + rnd.nextInt(8), rnd, vocab));
    }
    dev.langchain4j.model.embedding.EmbeddingModel full = new dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel();
    dev.langchain4j.model.embedding.EmbeddingModel quantized = new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel();
    double[][] best = new double[2][texts.size()];
    int m = 0;
    for (dev.langchain4j.model.embedding.EmbeddingModel model : List.of(full, quantized)) {
      List<float[]> seedVectors = new ArrayList<>();
      for (String s : seeds) {
        seedVectors.add(model.embed(s).content().vector());
      }
      for (int i = 0; i < 50; i++) {
        model.embed(texts.get(i)); // warm-up
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < texts.size(); i++) {
        float[] v = model.embed(texts.get(i)).content().vector();
        double b = -1;
        for (float[] s : seedVectors) {
          double dot = 0, na = 0, nb = 0;
          for (int k = 0; k < v.length; k++) {
            dot += v[k] * s[k];
            na += v[k] * v[k];
            nb += s[k] * s[k];
          }
          b = Math.max(b, dot / Math.sqrt(na * nb));
        }
        best[m][i] = b;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("BENCH embeddings %s: %d short texts one at a time on one thread, %.0f texts/s%n", m == 0 ? "all-MiniLM-L6-v2" : "all-MiniLM-L6-v2 quantized (int8)", texts.size(), texts.size() / seconds);
      m++;
    }
    double maxDiff = 0, sumDiff = 0;
    for (int i = 0; i < texts.size(); i++) {
      double d = Math.abs(best[0][i] - best[1][i]);
      maxDiff = Math.max(maxDiff, d);
      sumDiff += d;
    }
    System.out.printf("BENCH embeddings agreement: best similarity to a seed differs by %.4f on average, %.4f at most%n", sumDiff / texts.size(), maxDiff);
  }

  @Test
  void curate_throughput_and_peak_heap() throws Exception {
    int n = Integer.getInteger("bench.n", 100_000);
    Path input = dir.resolve("records.jsonl");
    CurateSpeedBenchmark.writeSupportRecords(input, n);
    // The example pipeline as it is (MiniLM embeddings on), and with quality.embeddings: false
    // (TF-IDF domain relevance); options as the command line builds them.
    Path base = Path.of("pipelines/support-intents.yaml").toAbsolutePath();
    String yaml = Files.readString(base).replace("pack: ../prompts/customer-support", "pack: " + base.getParent().resolveSibling("prompts/customer-support"))
        .replace("  language: en\n", "  language: en\n  embeddings: false\n");
    Path noEmbeddings = dir.resolve("support-intents-tfidf.yaml");
    Files.writeString(noEmbeddings, yaml);
    assertThat(yaml).contains("embeddings: false");
    Path quantized = dir.resolve("support-intents-minilm-q.yaml");
    Files.writeString(quantized, yaml.replace("  embeddings: false\n", "  embedding_model: all-minilm-l6-v2-q\n"));
    Map<Path, String> what = Map.of(base, "MiniLM embeddings", quantized, "int8-quantized MiniLM embeddings", noEmbeddings, "TF-IDF (embeddings off)");
    String only = System.getProperty("bench.embeddings", "both");
    List<Path> runs = switch (only) {
      case "on" -> List.of(base);
      case "q" -> List.of(quantized);
      case "off" -> List.of(noEmbeddings);
      case "all" -> List.of(base, quantized, noEmbeddings);
      default -> List.of(base, noEmbeddings);
    };
    for (Path pipeline : runs) {
      System.gc();
      HeapSampler heap = new HeapSampler();
      long t0 = System.nanoTime();
      Runner.Outcome o;
      try {
        o = CurateCommand.curate(input, pipeline, dir.resolve("out-" + pipeline.getFileName()).toString(), null, RunCommand.beamOptions(runnerArgs()), null);
      } finally {
        heap.stop();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      JsonNode m = o.manifest();
      System.out.printf("BENCH curate %d short records, all filters on (language, noise, label_consistency, domain relevance with %s, exact + near dedup): %.1f s, %.0f records/s; heap in use at most %d MB (sampled every 20 ms), live after GC at most %d MB (-Xmx%d MB, %d processors, %s)%n",
          n, what.get(pipeline), seconds, n / seconds, heap.peakUsed >> 20, heap.peakAfterGc() >> 20,
          Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(),
          runnerArgs().isEmpty() ? "DirectRunner" : System.getProperty("bench.runner"));
      System.out.println("BENCH curate rejections by filter: " + m.path("rejections").path("by_filter"));
      assertThat(m.path("stages").path("generated").path("total").asLong()).isEqualTo(n);
    }
  }
}
