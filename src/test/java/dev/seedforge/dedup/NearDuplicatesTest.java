package dev.seedforge.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NearDuplicatesTest {
  final MinHasher hasher = new MinHasher(3, 128, 42);

  NearDuplicates.Sketch sk(String id, boolean seed, String text) {
    return new NearDuplicates.Sketch(id, seed, hasher.shingles(text));
  }

  @Test
  void should_compute_exact_jaccard_of_word_shingles() {
    long[] a = hasher.shingles("Where is my order? It was due on Monday.");
    long[] b = hasher.shingles("where is my order it was due on monday");
    long[] c = hasher.shingles("Where is my order? It was due on Friday.");
    assertThat(MinHasher.jaccard(a, b)).isEqualTo(1.0);
    // 7 shingles each, 6 shared: 6 / 8
    assertThat(MinHasher.jaccard(a, c)).isEqualTo(6.0 / 8.0);
    assertThat(MinHasher.estimate(hasher.signature(a), hasher.signature(c))).isBetween(0.6, 0.9);
  }

  @Test
  void should_pick_bands_that_compare_pairs_at_the_threshold_with_high_probability() {
    LshBands b = LshBands.forThreshold(0.8, 128);
    assertThat(b.bands() * b.rows()).isLessThanOrEqualTo(128);
    assertThat(b.candidateProbability(0.8)).isGreaterThan(0.95);
    assertThat(b.candidateProbability(0.3)).isLessThan(0.05);
  }

  @Test
  void should_keep_the_seed_of_a_cluster_then_the_smallest_id() {
    String text = "I was charged twice for my subscription this month, please refund one of the payments";
    List<NearDuplicates.Sketch> all = List.of(
        sk("b", false, text + " now"),
        sk("z-seed", true, text),
        sk("a", false, text + " please"),
        sk("other", false, "How do I change the shipping address on an order that has not shipped yet?"));
    List<NearDuplicates.Assignment> got = NearDuplicates.findAll(all, hasher, LshBands.forThreshold(0.8, 128), 0.8);
    assertThat(got).extracting(NearDuplicates.Assignment::id).containsExactly("a", "b", "z-seed");
    assertThat(got).allSatisfy(a -> {
      assertThat(a.keptId()).isEqualTo("z-seed");
      assertThat(a.keptIsSeed()).isTrue();
      assertThat(a.clusterSize()).isEqualTo(3);
      assertThat(a.jaccard()).isGreaterThanOrEqualTo(0.8);
    });
    assertThat(got.get(0).keep()).isFalse();
    assertThat(got.get(2).keep()).isTrue();

    List<NearDuplicates.Assignment> noSeed = NearDuplicates.findAll(all.subList(0, 1), hasher, LshBands.forThreshold(0.8, 128), 0.8);
    assertThat(noSeed).isEmpty();
    List<NearDuplicates.Assignment> generatedOnly = NearDuplicates.findAll(List.of(all.get(0), all.get(2)), hasher, LshBands.forThreshold(0.8, 128), 0.8);
    assertThat(generatedOnly).extracting(NearDuplicates.Assignment::keptId).containsOnly("a");
    assertThat(generatedOnly).extracting(NearDuplicates.Assignment::keep).containsExactly(true, false);
  }

  @Test
  void should_not_cluster_pairs_below_the_threshold() {
    List<NearDuplicates.Sketch> all = List.of(
        sk("a", false, "My package arrived damaged and the box was soaked"),
        sk("b", false, "My package arrived late and the box was fine"));
    assertThat(MinHasher.jaccard(all.get(0).shingles(), all.get(1).shingles())).isLessThan(0.8);
    assertThat(NearDuplicates.findAll(all, hasher, LshBands.forThreshold(0.8, 128), 0.8)).isEmpty();
    assertThat(NearDuplicates.findAll(all, hasher, LshBands.forThreshold(0.2, 128), 0.2)).hasSize(2);
  }

  @Test
  void should_find_at_least_95_percent_of_brute_force_pairs_on_perturbed_real_text() throws IOException {
    assumeTrue(NearDupData.available(), "no Self-Instruct data in ../shared/data");
    List<String> texts = NearDupData.records(3000, 7);
    NearDupData.Quality q = NearDupData.measure(texts, hasher, 0.8);
    assertThat(q.truePairs()).isGreaterThan(300);
    assertThat(q.pairRecall()).isGreaterThanOrEqualTo(0.95);
    assertThat(q.recordRecall()).isGreaterThanOrEqualTo(0.95);
    assertThat(q.recordPrecision()).isEqualTo(1.0);
  }
}
