package dev.seedforge.bench;

import dev.seedforge.balance.SplitFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How close the written validation file comes to train, on every pair of a label. Excluded from
 * {@code mvn test}; run with {@code mvn -B test -Pbench -Dtest=SplitLeakBenchmark -Dbench.dirs=DIR,DIR}
 * on the folders of runs to compare (e.g. the offline example run before and after a change).
 */
@Tag("benchmark")
class SplitLeakBenchmark {
  @Test
  void validation_records_with_a_train_variant() throws Exception {
    for (String dir : System.getProperty("bench.dirs", "output/support-intents").split(",")) {
      SplitFiles.Figures f = SplitFiles.measure(Path.of(dir), true);
      System.out.printf(java.util.Locale.ROOT,
          "BENCH split %s: train %d, validation %d; largest validation/train similarity of a label: word-triple Jaccard %.3f (>= 0.8: %d, >= 0.5: %d records),"
              + " word Jaccard %.3f (>= 0.8: %d, >= 0.5: %d), MiniLM cosine %.3f (>= 0.9: %d, >= 0.8: %d)%n",
          dir, f.train(), f.validation(),
          f.shingles().largest(), f.shingles().atLeastHigh(), f.shingles().atLeastLow(),
          f.words().largest(), f.words().atLeastHigh(), f.words().atLeastLow(),
          f.cosine().largest(), f.cosine().atLeastHigh(), f.cosine().atLeastLow());
    }
  }

  /**
   * Where the default bounds group real, distinct queries: 10 CLINC150 intents' training queries
   * (100 each, no two of them variants of one another), grouped as the split would group them
   * without lineage.
   */
  @Test
  void groups_of_real_distinct_queries_under_the_default_bounds() throws Exception {
    com.fasterxml.jackson.databind.JsonNode data = dev.seedforge.util.Json.mapper().readTree(Path.of("../shared/data/clinc150/data_full.json").toFile());
    java.util.Map<String, java.util.List<String>> byIntent = new java.util.TreeMap<>();
    for (com.fasterxml.jackson.databind.JsonNode r : data.path("train")) {
      byIntent.computeIfAbsent(r.get(1).asText(), k -> new java.util.ArrayList<>()).add(r.get(0).asText());
    }
    java.util.List<String> intents = java.util.List.of("balance", "bill_due", "card_declined", "freeze_account", "lost_luggage",
        "order_status", "pay_bill", "report_lost_card", "transfer", "transactions");
    dev.seedforge.config.PipelineSpec.Split.Groups defaults = dev.seedforge.config.PipelineSpec.Split.Groups.DEFAULT;
    dev.seedforge.balance.SplitGroups.Settings settings = new dev.seedforge.balance.SplitGroups.Settings(
        false, defaults.jaccard(), defaults.cosine(), 3, 128, 42, dev.seedforge.config.PipelineSpec.Relevance.MINILM);
    dev.seedforge.dedup.MinHasher hasher = settings.hasher();
    long pairs = 0;
    long over09 = 0;
    long over08 = 0;
    int records = 0;
    int groups = 0;
    int largest = 0;
    for (String intent : intents) {
      java.util.List<String> texts = byIntent.get(intent);
      java.util.List<float[]> v = dev.seedforge.quality.SentenceVectors.embedAll(settings.embeddingModel(), texts);
      java.util.List<dev.seedforge.balance.SplitGroups.Member> members = new java.util.ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        members.add(new dev.seedforge.balance.SplitGroups.Member("r" + i, "r" + i, null, hasher.shingles(texts.get(i)), v.get(i)));
        for (int j = 0; j < i; j++) {
          double c = 0;
          for (int k = 0; k < v.get(i).length; k++) {
            c += v.get(i)[k] * v.get(j)[k];
          }
          pairs++;
          over09 += c >= 0.9 ? 1 : 0;
          over08 += c >= 0.8 ? 1 : 0;
        }
      }
      dev.seedforge.balance.SplitGroups.Result r = dev.seedforge.balance.SplitGroups.of(members, settings, hasher);
      records += texts.size();
      groups += r.groups();
      largest = Math.max(largest, r.largest());
    }
    System.out.printf(java.util.Locale.ROOT,
        "BENCH split groups on %d real CLINC150 queries (10 intents x 100): same-intent pairs at MiniLM cosine >= 0.9: %.4f, >= 0.8: %.4f of %d;"
            + " default bounds (word-triple Jaccard %.2f, cosine %.2f) make %d groups, largest %d records%n",
        records, (double) over09 / pairs, (double) over08 / pairs, pairs, defaults.jaccard(), defaults.cosine(), groups, largest);
  }
}
