package dev.seedforge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.generate.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancerTest {
  static Candidate candidate(String label, int i, String generator) {
    return Candidate.of(label, Map.of("text", label + " text " + i),
        new Candidate.Provenance(List.of(), "s", null, generator, null, "r" + i, 0), i);
  }

  @Test
  void should_cap_at_quota_keeping_seeds_first() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(candidate("a", i, i < 3 ? "seed" : "openai"));
    }

    Balancer.Result r = Balancer.assign(all, 10, 0.2, 42);

    assertThat(r.kept()).hasSize(10);
    assertThat(r.overQuota()).hasSize(10);
    assertThat(r.kept()).filteredOn(a -> a.candidate().provenance().generator().equals("seed")).hasSize(3);
    assertThat(r.kept()).filteredOn(a -> a.split() == Balancer.Split.VALIDATION).hasSize(2);
  }

  @Test
  void should_be_deterministic_and_depend_on_the_seed() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(candidate("a", i, "openai"));
    }
    List<Candidate> reversed = new ArrayList<>(all);
    java.util.Collections.reverse(reversed);

    assertThat(Balancer.assign(all, 20, 0.25, 1)).isEqualTo(Balancer.assign(reversed, 20, 0.25, 1));
    assertThat(Balancer.assign(all, 20, 0.25, 1).kept()).isNotEqualTo(Balancer.assign(all, 20, 0.25, 2).kept());
  }

  @Test
  void should_never_put_a_whole_label_in_validation() {
    assertThat(Balancer.validationCount(1, 0.5)).isZero();
    assertThat(Balancer.validationCount(2, 0.9)).isEqualTo(1);
    assertThat(Balancer.validationCount(5, 0.1)).isEqualTo(1);
    assertThat(Balancer.validationCount(40, 0.1)).isEqualTo(4);
    assertThat(Balancer.validationCount(40, 0)).isZero();
  }

  @Test
  void should_default_the_quota_to_the_smallest_label() {
    assertThat(BalanceAndSplit.quota("a", 0, Map.of(), Map.of("a", 30L, "b", 12L, "c", 0L))).isEqualTo(12);
    assertThat(BalanceAndSplit.quota("a", 25, Map.of(), Map.of("a", 30L, "b", 12L))).isEqualTo(25);
    assertThat(BalanceAndSplit.quota("a", 25, Map.of("a", 5), Map.of("a", 30L))).isEqualTo(5);
  }

  /** Groups of {@code size} records by position in the kept list, sorted by id. */
  static Balancer.Grouping groupsOf(int size) {
    return kept -> {
      Map<String, String> out = new java.util.HashMap<>();
      for (int i = 0; i < kept.size(); i++) {
        out.put(kept.get(i).id(), "g" + i / size);
      }
      return out;
    };
  }

  @Test
  void should_keep_every_group_in_one_split_and_come_as_close_to_the_share_as_groups_allow() {
    // given: 39 records in groups of 3, validation and test asked for 10% (4 records) each
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 39; i++) {
      all.add(candidate("a", i, "openai"));
    }
    Balancer.Grouping grouping = groupsOf(3);
    Map<String, String> groupOf = grouping.groupOf(all.stream().sorted(java.util.Comparator.comparing(Candidate::id)).toList());

    // when
    Balancer.Result r = Balancer.assign(all, 39, new dev.seedforge.config.PipelineSpec.Split(0.1, 0.1, "all", true), 42, grouping);

    // then: one group of 3 is closer to 4 than two groups (6); every group sits in one split
    assertThat(r.kept()).filteredOn(a -> a.split() == Balancer.Split.VALIDATION).hasSize(3);
    assertThat(r.kept()).filteredOn(a -> a.split() == Balancer.Split.TEST).hasSize(3);
    Map<String, java.util.Set<Balancer.Split>> splitsOfGroup = new java.util.HashMap<>();
    r.kept().forEach(a -> splitsOfGroup.computeIfAbsent(groupOf.get(a.candidate().id()), k -> new java.util.HashSet<>()).add(a.split()));
    assertThat(splitsOfGroup.values()).allSatisfy(s -> assertThat(s).hasSize(1));
  }

  @Test
  void should_leave_a_group_too_large_for_validation_in_train() {
    // given: 20 records in two groups of 10; validation asked for 10% (2 records)
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(candidate("a", i, "openai"));
    }

    // when
    Balancer.Result r = Balancer.assign(all, 20, new dev.seedforge.config.PipelineSpec.Split(0.1, 0, "all", true), 42, groupsOf(10));

    // then
    assertThat(r.kept()).allSatisfy(a -> assertThat(a.split()).isEqualTo(Balancer.Split.TRAIN));
  }
}
