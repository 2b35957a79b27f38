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
}
