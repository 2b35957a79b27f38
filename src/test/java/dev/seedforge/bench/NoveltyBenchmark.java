package dev.seedforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.evolve.Novelty;
import dev.seedforge.evolve.NoveltyIndex;
import dev.seedforge.evolve.RougeL;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Self-Instruct's not_novel rule on the paper's 175 real seed instructions and 10,000 generated
 * tasks made from them the way a model's near-repeats look (words dropped, swapped, replaced,
 * clauses added) and spliced from two seeds (new tasks): the share flagged, the time per 10,000
 * tasks through the LSH index, and how close it comes to exact all-pairs ROUGE-L.
 *
 * <p>{@code mvn -B test -Pbench -Dtest=NoveltyBenchmark [-Dbench.n=10000]}
 */
@Tag("benchmark")
class NoveltyBenchmark {
  static final double BOUND = 0.7;

  static List<String> seedInstructions() throws IOException {
    Path file = Path.of("../shared/data/self-instruct/seed_tasks.jsonl");
    if (!Files.exists(file)) {
      file = Path.of("/work/shared/data/self-instruct/seed_tasks.jsonl");
    }
    List<String> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      JsonNode n = Json.mapper().readTree(l);
      out.add(n.path("instruction").asText());
    }
    return out;
  }

  /** A generated task: an edit of one seed (a near repeat, often over the bound) or two seeds spliced (mostly novel). */
  static String generated(List<String> seeds, Random r) {
    List<String> words = new ArrayList<>(List.of(seeds.get(r.nextInt(seeds.size())).split(" ")));
    if (r.nextDouble() < 0.4) {
      List<String> other = List.of(seeds.get(r.nextInt(seeds.size())).split(" "));
      int cut = Math.max(1, words.size() / 2);
      List<String> spliced = new ArrayList<>(words.subList(0, cut));
      spliced.addAll(other.subList(other.size() / 2, other.size()));
      words = spliced;
    }
    int edits = 1 + r.nextInt(Math.max(1, words.size() / 3));
    for (int e = 0; e < edits && words.size() > 2; e++) {
      int i = r.nextInt(words.size());
      switch (r.nextInt(4)) {
        case 0 -> words.remove(i);
        case 1 -> words.set(i, List.of(seeds.get(r.nextInt(seeds.size())).split(" ")).get(0));
        case 2 -> words.add(i, List.of("briefly", "carefully", "new", "simple", "three", "your").get(r.nextInt(6)));
        default -> java.util.Collections.swap(words, i, r.nextInt(words.size()));
      }
    }
    return String.join(" ", words);
  }

  static List<Novelty.Row> pool(List<String> seeds, int n, long seed) {
    List<Novelty.Row> rows = new ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      rows.add(new Novelty.Row(String.format(Locale.ROOT, "s%04d", i), "generation", seeds.get(i), true, 0, false));
    }
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      rows.add(new Novelty.Row(String.format(Locale.ROOT, "g%06d", i), "generation", generated(seeds, r), false, 1 + i / (n / 4 + 1), false));
    }
    return rows;
  }

  /** The rule with exact ROUGE-L against every task before it: what the LSH index approximates. */
  static Map<String, Double> exactGreedy(List<Novelty.Row> rows) {
    List<Novelty.Row> ordered = new ArrayList<>(rows);
    ordered.sort(java.util.Comparator.comparing((Novelty.Row x) -> !x.seed()).thenComparingInt(Novelty.Row::round).thenComparing(Novelty.Row::id));
    RougeL.Vocabulary v = new RougeL.Vocabulary();
    List<int[]> pool = new ArrayList<>();
    Map<String, Double> flagged = new HashMap<>();
    for (Novelty.Row row : ordered) {
      int[] t = v.encode(row.instruction());
      double best = 0;
      for (int[] p : pool) {
        best = Math.max(best, RougeL.score(t, p));
      }
      if (!row.seed() && best >= BOUND) {
        flagged.put(row.id(), best);
      } else {
        pool.add(t);
      }
    }
    return flagged;
  }

  @Test
  void not_novel_on_self_instruct_tasks_lsh_against_exact_all_pairs() throws IOException {
    int n = Integer.getInteger("bench.n", 10_000);
    List<String> seeds = seedInstructions();
    List<Novelty.Row> rows = pool(seeds, n, 13);

    Novelty.judge(rows, BOUND, 42); // warm-up
    long start = System.nanoTime();
    Map<String, Novelty.Verdict> lsh = Novelty.judge(rows, BOUND, 42);
    double lshMs = (System.nanoTime() - start) / 1e6;
    start = System.nanoTime();
    Map<String, Double> exact = exactGreedy(rows);
    double exactMs = (System.nanoTime() - start) / 1e6;

    long both = lsh.keySet().stream().filter(exact::containsKey).count();
    System.out.printf(Locale.ROOT, "BENCH not_novel: %d seed instructions + %d generated tasks, ROUGE-L >= %.2f: LSH flags %d (%.1f%%), exact all-pairs flags %d (%.1f%%)%n",
        seeds.size(), n, BOUND, lsh.size(), 100.0 * lsh.size() / n, exact.size(), 100.0 * exact.size() / n);
    System.out.printf(Locale.ROOT, "BENCH not_novel agreement: %d flagged by both; recall of the exact verdicts %.4f, precision %.4f%n",
        both, exact.isEmpty() ? 1 : (double) both / exact.size(), lsh.isEmpty() ? 1 : (double) both / lsh.size());
    System.out.printf(Locale.ROOT, "BENCH not_novel time: LSH %.0f ms (%.0f ms per 10k tasks), exact all-pairs %.0f ms (%.0f ms per 10k tasks), %.0fx%n",
        lshMs, lshMs * 10_000 / n, exactMs, exactMs * 10_000 / n, exactMs / Math.max(1e-9, lshMs));

    // pair recall: of the pairs at or over the bound between a generated task and a seed, the share the index compares
    NoveltyIndex index = new NoveltyIndex(42);
    for (int i = 0; i < seeds.size(); i++) {
      index.add("s" + i, seeds.get(i));
    }
    RougeL.Vocabulary v = new RougeL.Vocabulary();
    List<int[]> encodedSeeds = seeds.stream().map(v::encode).toList();
    long over = 0;
    long found = 0;
    double worstMissed = 0;
    for (Novelty.Row r : rows.subList(seeds.size(), rows.size())) {
      int[] t = v.encode(r.instruction());
      double best = 0;
      for (int[] s : encodedSeeds) {
        best = Math.max(best, RougeL.score(t, s));
      }
      if (best >= BOUND) {
        over++;
        NoveltyIndex.Closest c = index.closest(r.instruction());
        if (c.score() >= BOUND) {
          found++;
        } else {
          worstMissed = Math.max(worstMissed, best);
        }
      }
    }
    System.out.printf(Locale.ROOT, "BENCH not_novel nearest seed: %d tasks have a seed at ROUGE-L >= %.2f; the LSH candidates find one for %d (%.4f); highest missed %.3f%n",
        over, BOUND, found, over == 0 ? 1 : (double) found / over, worstMissed);
  }
}
