package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.cli.CurateCommand;
import dev.seedforge.cli.RunCommand;
import dev.seedforge.dedup.MinHasher;
import dev.seedforge.dedup.NearDupData;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.quality.LabelFilterTest;
import dev.seedforge.util.Json;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quality and dedup benchmarks; excluded from {@code mvn test}. Run with
 * {@code mvn -B test -Dgroups=benchmark -DexcludedGroups=none -Dtest=QualityBenchmark}
 * ({@code -Dbench.n=N} sets the curate record count, default 100000; {@code -Dbench.embeddings=on|off}
 * runs only one of the two curate variants).
 */
@Tag("benchmark")
class QualityBenchmark {
  @TempDir Path dir;

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
  void curate_throughput_and_peak_heap() throws Exception {
    int n = Integer.getInteger("bench.n", 100_000);
    List<JsonNode> seeds = new ArrayList<>();
    List<String> vocab = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of("prompts/customer-support/seeds.jsonl"))) {
      JsonNode s = Json.mapper().readTree(l);
      seeds.add(s);
      vocab.addAll(List.of(s.path("text").asText().split("\\s+")));
    }
    Random rnd = new Random(5);
    Path input = dir.resolve("records.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        JsonNode s = seeds.get(rnd.nextInt(seeds.size()));
        // short support messages: a seed with 1-8 word edits and a random tail, so some are near
        // copies and most are new
        String text = NearDupData.perturb(s.path("text").asText(), 1 + rnd.nextInt(8), rnd, vocab)
            + (rnd.nextBoolean() ? " " + vocab.get(rnd.nextInt(vocab.size())) + " " + vocab.get(rnd.nextInt(vocab.size())) + " " + i % 977 : "");
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("text", text).put("label", s.path("label").asText());
        w.write(Json.write(o));
        w.newLine();
      }
    }
    // The example pipeline as it is (MiniLM embeddings on), and with quality.embeddings: false
    // (TF-IDF domain relevance); options as the command line builds them.
    Path base = Path.of("pipelines/support-intents.yaml").toAbsolutePath();
    String yaml = Files.readString(base).replace("pack: ../prompts/customer-support", "pack: " + base.getParent().resolveSibling("prompts/customer-support"))
        .replace("  language: en\n", "  language: en\n  embeddings: false\n");
    Path noEmbeddings = dir.resolve("support-intents-tfidf.yaml");
    Files.writeString(noEmbeddings, yaml);
    assertThat(yaml).contains("embeddings: false");
    String only = System.getProperty("bench.embeddings", "both");
    for (Path pipeline : only.equals("on") ? List.of(base) : only.equals("off") ? List.of(noEmbeddings) : List.of(base, noEmbeddings)) {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        pool.resetPeakUsage();
      }
      System.gc();
      long t0 = System.nanoTime();
      Runner.Outcome o = CurateCommand.curate(input, pipeline, dir.resolve("out-" + pipeline.getFileName()).toString(), null, RunCommand.beamOptions(List.of()), null);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      JsonNode m = o.manifest();
      System.out.printf("BENCH curate %d short records, all filters on (language, noise, label_consistency, domain relevance with %s, exact + near dedup): %.1f s, %.0f records/s, peak heap %d MB (sum of heap pool peaks, -Xmx2g), %d processors%n",
          n, pipeline == base ? "MiniLM embeddings" : "TF-IDF (embeddings off)", seconds, n / seconds, peak >> 20, Runtime.getRuntime().availableProcessors());
      System.out.println("BENCH curate rejections by filter: " + m.path("rejections").path("by_filter"));
      assertThat(m.path("stages").path("generated").path("total").asLong()).isEqualTo(n);
    }
  }
}
