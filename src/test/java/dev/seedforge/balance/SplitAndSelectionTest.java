package dev.seedforge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SplitAndSelectionTest {
  static Candidate generated(String label, int i, String seedId, Integer cluster) {
    Candidate c = Candidate.of(label, Map.of("text", label + " text " + i),
        new Candidate.Provenance(List.of(seedId), "s", null, "openai", null, "r" + i, 0), i);
    return cluster == null ? c : c.withFeatures(Map.of("cluster", (double) cluster));
  }

  static Candidate seed(String label, int i) {
    return Candidate.of(label, Map.of("text", label + " seed " + i),
        new Candidate.Provenance(List.of("seed" + i), "seed", null, "seed", null, "seed" + i, 0), i);
  }

  static PipelineSpec.Split split(double validation, double test, String evaluation, boolean seedsIn) {
    return new PipelineSpec.Split(validation, test, evaluation, seedsIn);
  }

  static Map<Balancer.Split, List<Candidate>> bySplit(Balancer.Result r) {
    return r.kept().stream().collect(Collectors.groupingBy(Balancer.Assigned::split, Collectors.mapping(Balancer.Assigned::candidate, Collectors.toList())));
  }

  @Test
  void should_split_train_validation_test_by_fraction_and_by_count() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(generated("a", i, "s" + (i % 5), null));
    }
    Map<Balancer.Split, List<Candidate>> f = bySplit(Balancer.assign(all, 50, split(0.1, 0.2, "all", true), 7));
    Map<Balancer.Split, List<Candidate>> c = bySplit(Balancer.assign(all, 50, split(3, 4, "all", true), 7));

    assertThat(f.get(Balancer.Split.VALIDATION)).hasSize(5);
    assertThat(f.get(Balancer.Split.TEST)).hasSize(10);
    assertThat(f.get(Balancer.Split.TRAIN)).hasSize(35);
    assertThat(c.get(Balancer.Split.VALIDATION)).hasSize(3);
    assertThat(c.get(Balancer.Split.TEST)).hasSize(4);
  }

  @Test
  void should_keep_every_near_duplicate_cluster_in_one_split() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      all.add(generated("a", i, "s", i / 3)); // 20 clusters of 3
    }
    for (long seedValue = 1; seedValue <= 5; seedValue++) {
      Balancer.Result r = Balancer.assign(all, 60, split(0.2, 0.2, "all", true), seedValue);
      Map<String, Set<Balancer.Split>> splitsOfCluster = new HashMap<>();
      r.kept().forEach(a -> splitsOfCluster.computeIfAbsent(Balancer.clusterOf(a.candidate()), k -> new HashSet<>()).add(a.split()));
      assertThat(splitsOfCluster).hasSize(20);
      assertThat(splitsOfCluster.values()).allSatisfy(s -> assertThat(s).hasSize(1));
      assertThat(bySplit(r).get(Balancer.Split.VALIDATION)).hasSize(12);
    }
  }

  @Test
  void should_put_only_seeds_in_evaluation_when_asked() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(seed("a", i));
    }
    for (int i = 0; i < 40; i++) {
      all.add(generated("a", i, "seed" + (i % 10), null));
    }
    Map<Balancer.Split, List<Candidate>> r = bySplit(Balancer.assign(all, 50, split(0.1, 0.1, "seeds", true), 3));

    assertThat(r.get(Balancer.Split.VALIDATION)).hasSize(5).allSatisfy(c -> assertThat(Balancer.isSeed(c)).isTrue());
    assertThat(r.get(Balancer.Split.TEST)).hasSize(5).allSatisfy(c -> assertThat(Balancer.isSeed(c)).isTrue());
  }

  @Test
  void should_keep_seeds_out_of_evaluation_when_asked() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      all.add(seed("a", i));
      all.add(generated("a", i, "seed" + i, null));
    }
    Map<Balancer.Split, List<Candidate>> r = bySplit(Balancer.assign(all, 50, split(0.2, 0.2, "all", false), 3));

    assertThat(r.get(Balancer.Split.VALIDATION)).hasSize(10).noneSatisfy(c -> assertThat(Balancer.isSeed(c)).isTrue());
    assertThat(r.get(Balancer.Split.TEST)).hasSize(10).noneSatisfy(c -> assertThat(Balancer.isSeed(c)).isTrue());
    assertThat(r.get(Balancer.Split.TRAIN)).filteredOn(Balancer::isSeed).hasSize(25);
  }

  @Test
  void should_prefer_different_source_seeds_and_clusters_when_down_sampling() {
    List<Candidate> all = new ArrayList<>();
    // seed s0 has 30 variants, s1..s4 have 3 each; s0's variants form only 3 clusters.
    for (int i = 0; i < 30; i++) {
      all.add(generated("a", i, "s0", 1000 + i % 3));
    }
    for (int s = 1; s <= 4; s++) {
      for (int i = 0; i < 3; i++) {
        all.add(generated("a", 100 * s + i, "s" + s, 10 * s + i));
      }
    }
    Balancer.Result r = Balancer.assign(all, 10, split(0, 0, "all", true), 11);

    Map<String, Long> perSource = r.kept().stream().collect(Collectors.groupingBy(a -> a.candidate().provenance().seedIds().get(0), Collectors.counting()));
    assertThat(perSource).containsOnlyKeys("s0", "s1", "s2", "s3", "s4");
    assertThat(perSource.get("s0")).isLessThanOrEqualTo(3);
    Set<String> clusters = r.kept().stream().map(a -> Balancer.clusterOf(a.candidate())).collect(Collectors.toSet());
    assertThat(clusters).hasSize(10);
  }

  @Test
  void should_rank_train_records_for_nested_subsets() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(generated("a", i, "s", null));
    }
    Balancer.Result r = Balancer.assign(all, 20, split(0.25, 0, "all", true), 5);
    assertThat(r.kept()).filteredOn(a -> a.split() == Balancer.Split.TRAIN).extracting(Balancer.Assigned::trainRank)
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
    assertThat(r.kept()).filteredOn(a -> a.split() != Balancer.Split.TRAIN).allSatisfy(a -> assertThat(a.trainRank()).isEqualTo(-1));
  }

  @Test
  void should_take_quotas_from_proportions_of_a_total() {
    PipelineSpec.Targets t = new PipelineSpec.Targets(0, Map.of(), Map.of("a", 0.75, "b", 0.25), 100);
    assertThat(BalanceAndSplit.quota("a", t, Map.of("a", 500L, "b", 500L))).isEqualTo(75);
    assertThat(BalanceAndSplit.quota("b", t, Map.of("a", 500L, "b", 500L))).isEqualTo(25);
    assertThat(BalanceAndSplit.quota("c", t, Map.of("c", 500L))).isZero();
    PipelineSpec.Targets labels = new PipelineSpec.Targets(30, Map.of("a", 5), Map.of(), 0);
    assertThat(BalanceAndSplit.quota("a", labels, Map.of())).isEqualTo(5);
    assertThat(BalanceAndSplit.quota("b", labels, Map.of())).isEqualTo(30);
    assertThat(BalanceAndSplit.quota("b", new PipelineSpec.Targets(0, Map.of()), Map.of("a", 9L, "b", 20L))).isEqualTo(9);
  }
}
