package dev.seedforge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SubsetsTest {
  /** Every (label, rank) of a train set with the given per-label counts. */
  static List<String[]> records(Map<String, Long> counts) {
    List<String[]> out = new ArrayList<>();
    counts.forEach((label, n) -> {
      for (long r = 0; r < n; r++) {
        out.add(new String[] {label, String.valueOf(r)});
      }
    });
    return out;
  }

  static Set<String> subset(Map<String, Long> counts, long size) {
    Set<String> in = new HashSet<>();
    for (String[] rec : records(counts)) {
      if (Subsets.position(rec[0], Long.parseLong(rec[1]), counts) < size) {
        in.add(rec[0] + "#" + rec[1]);
      }
    }
    return in;
  }

  @Test
  void should_give_every_record_a_distinct_place_in_one_global_order() {
    Map<String, Long> counts = new TreeMap<>(Map.of("a", 37L, "b", 12L, "c", 5L, "d", 24L));
    Set<Long> places = new HashSet<>();
    for (String[] rec : records(counts)) {
      places.add(Subsets.position(rec[0], Long.parseLong(rec[1]), counts));
    }
    assertThat(places).hasSize(78);
    assertThat(places).allSatisfy(p -> assertThat(p).isBetween(0L, 77L));
  }

  @Test
  void should_nest_every_subset_in_the_next_larger_one() {
    Map<String, Long> counts = new TreeMap<>(Map.of("a", 40L, "b", 40L, "c", 10L, "d", 3L));
    Set<String> previous = Set.of();
    for (long size = 0; size <= 93; size++) {
      Set<String> s = subset(counts, size);
      assertThat(s).hasSize((int) size).containsAll(previous);
      previous = s;
    }
  }

  @Test
  void should_keep_each_label_within_one_record_of_its_share() {
    Map<String, Long> counts = new TreeMap<>(Map.of("a", 60L, "b", 30L, "c", 9L, "d", 1L));
    for (double fraction : List.of(0.1, 0.25, 0.5, 0.75)) {
      long size = Subsets.size(fraction, 100);
      Set<String> s = subset(counts, size);
      for (String label : counts.keySet()) {
        long got = s.stream().filter(k -> k.startsWith(label + "#")).count();
        double share = size * counts.get(label) / 100.0;
        assertThat((double) got).as(label + " at " + fraction).isBetween(share - 1, share + 1);
      }
    }
  }

  @Test
  void should_name_and_size_subsets_from_fractions_and_counts() {
    assertThat(Subsets.name(0.25)).isEqualTo("train-0.25");
    assertThat(Subsets.name(0.1)).isEqualTo("train-0.1");
    assertThat(Subsets.name(100)).isEqualTo("train-100");
    assertThat(Subsets.size(0.25, 90)).isEqualTo(23);
    assertThat(Subsets.size(100, 90)).isEqualTo(90);
    assertThat(Subsets.size(30, 90)).isEqualTo(30);
  }
}
