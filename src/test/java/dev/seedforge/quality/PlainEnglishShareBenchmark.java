package dev.seedforge.quality;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.dedup.NearDupData;
import dev.seedforge.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How many texts still reach the 103-language model: of the records of {@code CurateSpeedBenchmark}
 * (the same generator and random seed) with at least the default {@code language_min_tokens}, those
 * the plain-English test does not decide. Run with
 * {@code mvn -B test -Pbench -Dtest=PlainEnglishShareBenchmark [-Dbench.n=100000]}.
 */
@Tag("benchmark")
class PlainEnglishShareBenchmark {
  @Test
  void share_of_the_benchmark_records_that_reach_the_language_model() throws Exception {
    List<JsonNode> seeds = new ArrayList<>();
    List<String> vocab = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of("prompts/customer-support/seeds.jsonl"))) {
      JsonNode s = Json.mapper().readTree(l);
      seeds.add(s);
      vocab.addAll(List.of(s.path("text").asText().split("\\s+")));
    }
    Random rnd = new Random(5);
    int n = Integer.getInteger("bench.n", 100_000);
    int minTokens = 6;
    int judged = 0;
    int model = 0;
    for (int i = 0; i < n; i++) {
      JsonNode s = seeds.get(rnd.nextInt(seeds.size()));
      String text = NearDupData.perturb(s.path("text").asText(), 1 + rnd.nextInt(8), rnd, vocab)
          + (rnd.nextBoolean() ? " " + vocab.get(rnd.nextInt(vocab.size())) + " " + vocab.get(rnd.nextInt(vocab.size())) + " " + i % 977 : "");
      if (NlpTools.tokenCount(text) < minTokens) {
        continue;
      }
      judged++;
      model += PlainEnglish.test(text) ? 0 : 1;
    }
    System.out.printf(Locale.ROOT, "BENCH language: %d records, %d of %d tokens or more, %d of them reach the 103-language model (%.1f %%)%n",
        n, judged, minTokens, model, 100.0 * model / judged);
  }
}
