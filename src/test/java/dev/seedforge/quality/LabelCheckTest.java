package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.seedforge.bench.ClincData;
import dev.seedforge.config.PipelineSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The out-of-fold label check on real CLINC150 banking queries: 8 seeds an intent, and a pool of
 * 30 other real queries an intent of which every 5th carries another intent's label.
 */
class LabelCheckTest {
  static final List<String> INTENTS = ClincData.BANKING.subList(0, 8);
  static List<LabelFilter.Example> seeds = new ArrayList<>();
  static List<LabelCheck.Item> pool = new ArrayList<>();
  static Set<String> swapped = new LinkedHashSet<>();
  static Map<String, String> descriptions = new TreeMap<>();

  @BeforeAll
  static void load() {
    assumeTrue(ClincData.available(), "no CLINC150 data");
    Map<String, Integer> n = new TreeMap<>();
    for (ClincData.Query q : ClincData.split("train", Set.copyOf(INTENTS))) {
      int k = n.merge(q.intent(), 1, Integer::sum);
      if (k <= 8) {
        seeds.add(new LabelFilter.Example(q.text(), q.intent()));
      } else if (k <= 38) {
        String id = "c" + pool.size();
        String label = q.intent();
        if (k % 5 == 0) {
          label = INTENTS.get((INTENTS.indexOf(q.intent()) + 1 + k % 7) % INTENTS.size());
          swapped.add(id);
        }
        pool.add(new LabelCheck.Item(id, q.text(), label));
      }
    }
    INTENTS.forEach(i -> descriptions.put(i, "The user's query is about " + i.replace('_', ' ') + "."));
  }

  /** Precision and recall of the rejections against the swapped labels. */
  static double[] score(LabelCheck.Outcome o) {
    int tp = 0;
    int fp = 0;
    for (LabelCheck.Judged j : o.judged()) {
      if (!j.verdict().keep()) {
        if (swapped.contains(j.item().id())) {
          tp++;
        } else {
          fp++;
        }
      }
    }
    return new double[] {tp + fp == 0 ? 0 : (double) tp / (tp + fp), (double) tp / swapped.size()};
  }

  @Test
  void should_score_every_candidate_when_the_fold_models_learn_from_a_capped_pool_whatever_the_order() {
    // given a cap of 10 candidates a label, well under the 30 each label has
    LabelCheck capped = LabelCheck.words(5, 42).withMargin(0.1).withTrainingCap(10);
    List<LabelCheck.Item> reversed = new ArrayList<>(pool);
    java.util.Collections.reverse(reversed);

    // when
    LabelCheck.Outcome o = capped.check(seeds, descriptions, pool);
    LabelCheck.Outcome again = capped.check(seeds, descriptions, reversed);
    LabelCheck.Outcome uncapped = LabelCheck.words(5, 42).withMargin(0.1).check(seeds, descriptions, pool);

    // then every candidate is judged, with probabilities, and the order does not matter
    assertThat(o.judged()).hasSize(pool.size()).allSatisfy(j -> {
      assertThat(j.verdict()).isNotNull();
      assertThat(j.probabilities()).isNotNull();
    });
    assertThat(again.judged().stream().map(j -> j.item().id() + "=" + j.verdict().keep()).toList())
        .isEqualTo(o.judged().stream().map(j -> j.item().id() + "=" + j.verdict().keep()).toList());
    // and the cap changes what the models learnt from (so the probabilities differ from the uncapped check)
    assertThat(o.judged().get(0).probabilities()).isNotEqualTo(uncapped.judged().get(0).probabilities());
  }

  @Test
  void should_find_most_swapped_labels_with_few_false_alarms_using_embeddings() {
    // when
    LabelCheck.Outcome o = LabelCheck.embeddings(5, 42, PipelineSpec.Relevance.MINILM).withMargin(0.1).check(seeds, descriptions, pool);

    // then (the ClincBenchmark measures the same check inside the whole pipeline)
    double[] pr = score(o);
    assertThat(pr[0]).as("precision").isGreaterThanOrEqualTo(0.75);
    assertThat(pr[1]).as("recall").isGreaterThanOrEqualTo(0.75);
    Verdict rejected = o.judged().stream().map(LabelCheck.Judged::verdict).filter(v -> !v.keep()).findFirst().orElseThrow();
    assertThat(rejected.reason()).startsWith("reads like ").contains("over that label's threshold");
    assertThat(rejected.score()).isLessThan(rejected.threshold());
  }

  @Test
  void should_find_swapped_labels_with_words_too() {
    LabelCheck.Outcome o = LabelCheck.words(5, 42).withMargin(0.1).check(seeds, descriptions, pool);

    double[] pr = score(o);
    assertThat(pr[0]).as("precision").isGreaterThanOrEqualTo(0.5);
    assertThat(pr[1]).as("recall").isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void should_set_each_labels_threshold_to_the_mean_out_of_fold_probability_of_its_candidates() {
    // one round: a second one counts only the candidates the first kept
    LabelCheck.Outcome o = LabelCheck.words(5, 42).withRounds(1).check(seeds, descriptions, pool);

    for (String label : INTENTS) {
      double mean = o.judged().stream().filter(j -> j.item().label().equals(label))
          .mapToDouble(j -> j.probabilities().get(label)).average().orElseThrow();
      assertThat(o.thresholds().get(label)).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  void should_find_more_swapped_labels_in_a_second_round_without_the_first_rounds_suspects() {
    LabelCheck once = LabelCheck.embeddings(5, 42, PipelineSpec.Relevance.MINILM).withMargin(0.1).withRounds(1);

    double[] one = score(once.check(seeds, descriptions, pool));
    double[] two = score(once.withRounds(2).check(seeds, descriptions, pool));

    assertThat(two[1]).isGreaterThanOrEqualTo(one[1]);
  }

  @Test
  void should_never_score_a_candidate_with_a_model_that_saw_it() {
    // given a candidate of made-up words that no other text has: a model trained on it would give its label most of the mass
    List<LabelCheck.Item> items = new ArrayList<>(pool);
    items.add(new LabelCheck.Item("odd", "zorblat quimfex drappenwold", INTENTS.get(0)));

    LabelCheck.Outcome o = LabelCheck.words(5, 42).check(seeds, descriptions, items);

    // then its label gets no more than its share of an uninformed guess
    LabelCheck.Judged odd = o.judged().stream().filter(j -> j.item().id().equals("odd")).findFirst().orElseThrow();
    assertThat(odd.probabilities().get(INTENTS.get(0))).isLessThan(0.5);
  }

  @Test
  void should_decide_the_same_whatever_order_the_candidates_arrive_in() {
    List<LabelCheck.Item> shuffled = new ArrayList<>(pool);
    Collections.shuffle(shuffled, new Random(3));
    LabelCheck check = LabelCheck.embeddings(5, 42, PipelineSpec.Relevance.MINILM);

    assertThat(check.check(seeds, descriptions, shuffled)).isEqualTo(check.check(seeds, descriptions, pool));
  }

  @Test
  void should_deal_folds_by_id_and_pipeline_seed() {
    LabelCheck a = LabelCheck.words(5, 42);
    assertThat(a.fold("c17")).isEqualTo(LabelCheck.words(5, 42).fold("c17")).isBetween(0, 4);
    long differ = pool.stream().filter(i -> a.fold(i.id()) != LabelCheck.words(5, 43).fold(i.id())).count();
    assertThat(differ).isGreaterThan(pool.size() / 2);
  }

  @Test
  void should_keep_candidates_without_a_label_or_with_a_label_no_seed_has() {
    List<LabelCheck.Item> items = List.of(new LabelCheck.Item("x", "what is my balance", null), new LabelCheck.Item("y", "what is my balance", "weather"));

    LabelCheck.Outcome o = LabelCheck.words(5, 42).check(seeds, descriptions, items);

    assertThat(o.judged()).allSatisfy(j -> assertThat(j.verdict().keep()).isTrue());
  }

  @Test
  void should_vote_with_the_same_numbers_as_a_plain_neighbour_search_per_candidate() {
    // given the pool (240 candidates, under the training cap) and one round, so every candidate
    // of the other folds votes
    LabelCheck check = LabelCheck.embeddings(5, 42, PipelineSpec.Relevance.MINILM).withRounds(1);

    // when
    LabelCheck.Outcome o = check.check(seeds, descriptions, pool);

    // then each candidate's probabilities are, to the last bit, those of one sequential search
    assertVotesOfAPlainSearch(check, o, java.util.Set.of());
  }

  @Test
  void should_vote_in_the_second_round_as_a_plain_search_without_the_first_rounds_suspects() {
    // given the first round's suspects
    LabelCheck once = LabelCheck.embeddings(5, 42, PipelineSpec.Relevance.MINILM).withMargin(0.1).withRounds(1);
    java.util.Set<String> suspects = new java.util.HashSet<>();
    once.check(seeds, descriptions, pool).judged().stream().filter(j -> !j.verdict().keep()).forEach(j -> suspects.add(j.item().id()));
    assertThat(suspects).isNotEmpty();

    // when a second round votes from the neighbours the first round kept, less those suspects
    LabelCheck.Outcome twice = LabelCheck.embeddings(5, 42, PipelineSpec.Relevance.MINILM).withMargin(0.1).withRounds(2)
        .check(seeds, descriptions, pool);

    // then the votes are those of a search over the voters that are not suspects
    assertVotesOfAPlainSearch(once, twice, suspects);
  }

  @Test
  void should_find_the_nearest_of_any_subset_of_the_voters_among_the_kept_ones() {
    // given 200 voters offered in order, with ties, and a subset that still votes
    java.util.Random random = new java.util.Random(7);
    LabelCheck.Neighbours near = new LabelCheck.Neighbours();
    double[] sim = new double[200];
    for (int j = 0; j < sim.length; j++) {
      sim[j] = Math.round(random.nextDouble() * 40) / 40.0;
      near.offer(sim[j], j, "l" + (j % 3));
    }
    for (int step = 1; step <= 2; step++) {
      for (int drop = 0; drop <= 30; drop += 5) {
        java.util.Set<Integer> dropped = new java.util.HashSet<>();
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < sim.length; j++) {
          order.add(j);
        }
        order.sort((a, b) -> sim[a] != sim[b] ? Double.compare(sim[b], sim[a]) : Integer.compare(a, b));
        for (int k = 0; dropped.size() < drop; k += step) {
          dropped.add(order.get(k));
        }
        java.util.function.IntPredicate votes = j -> !dropped.contains(j);

        // when
        Map<String, Double> got = near.votes(new java.util.TreeSet<>(List.of("l0", "l1", "l2")), votes);

        // then while enough kept ones vote, they are the subset's nearest, summed in the same order
        boolean enough = near.covers(votes);
        assertThat(enough).isEqualTo(order.subList(0, LabelCheck.KEPT).stream().filter(votes::test).count() >= LabelCheck.NEIGHBOURS);
        if (enough) {
          Map<String, Double> want = new java.util.LinkedHashMap<>(Map.of());
          List.of("l0", "l1", "l2").forEach(l -> want.put(l, 0.0));
          double total = 0;
          for (int j : order.stream().filter(votes::test).limit(LabelCheck.NEIGHBOURS).toList()) {
            want.merge("l" + (j % 3), Math.max(0, sim[j]), Double::sum);
            total += Math.max(0, sim[j]);
          }
          double t = total;
          want.replaceAll((l, w) -> w / t);
          assertThat(got).as("%d dropped", drop).isEqualTo(want);
        }
      }
    }
  }

  /** Each candidate's probabilities are those of a sequential search over the voters not in {@code excluded}. */
  private void assertVotesOfAPlainSearch(LabelCheck check, LabelCheck.Outcome o, java.util.Set<String> excluded) {
    List<LabelCheck.Item> sorted = new ArrayList<>(pool);
    sorted.sort(java.util.Comparator.comparing(LabelCheck.Item::id));
    List<String> texts = new ArrayList<>();
    seeds.forEach(e -> texts.add(e.text()));
    sorted.forEach(i -> texts.add(i.text()));
    List<float[]> v = SentenceEncoder.of(PipelineSpec.Relevance.MINILM).embedAll(texts);
    int s = seeds.size();
    for (int i = 0; i < sorted.size(); i++) {
      List<double[]> sims = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      for (int j = 0; j < texts.size(); j++) {
        if (j >= s && (check.fold(sorted.get(j - s).id()) == check.fold(sorted.get(i).id()) || excluded.contains(sorted.get(j - s).id()))) {
          continue;
        }
        double d = 0;
        for (int k = 0; k < v.get(j).length; k++) {
          d += v.get(s + i)[k] * v.get(j)[k];
        }
        sims.add(new double[] {d, sims.size()});
        labels.add(j < s ? seeds.get(j).label() : sorted.get(j - s).label());
      }
      sims.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
      Map<String, Double> want = new java.util.LinkedHashMap<>();
      new java.util.TreeSet<>(INTENTS).forEach(l -> want.put(l, 0.0));
      double total = 0;
      for (double[] n : sims.subList(0, LabelCheck.NEIGHBOURS)) {
        want.merge(labels.get((int) n[1]), Math.max(0, n[0]), Double::sum);
        total += Math.max(0, n[0]);
      }
      double t = total;
      want.replaceAll((l, w) -> w / t);
      assertThat(o.judged().get(i).probabilities()).as(sorted.get(i).id()).isEqualTo(want);
    }
  }

  @Test
  void should_remember_a_pools_outcome_for_a_new_process_and_judge_a_changed_pool_or_setting_afresh(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    // given a check and its outcome judged without a store
    LabelCheck check = LabelCheck.words(5, 42).withMargin(0.1);
    LabelCheck.Outcome fresh = check.check(seeds, descriptions, pool);
    java.nio.file.Path file = dir.resolve("vectors.sqlite");
    List<LabelCheck.Item> reversed = new ArrayList<>(pool);
    Collections.reverse(reversed);

    // when one run judges the pool with the store, and another process (its own connection) judges it again, in another order
    LabelCheck.Outcome first = check.check(seeds, descriptions, pool, java.util.Optional.of(VectorCache.separate(file, VectorCache.MAX_VECTORS)));
    long judgedBefore = LabelCheck.poolsJudged();
    LabelCheck.Outcome again = check.check(seeds, descriptions, reversed, java.util.Optional.of(VectorCache.separate(file, VectorCache.MAX_VECTORS)));

    // then the second read the first's outcome instead of judging, and both are the outcome judged without a store, bit for bit
    assertThat(LabelCheck.poolsJudged()).isEqualTo(judgedBefore);
    assertThat(outcomeOf(first)).isEqualTo(outcomeOf(fresh));
    assertThat(outcomeOf(again)).isEqualTo(outcomeOf(fresh));
    assertThat(again.thresholds()).isEqualTo(fresh.thresholds());

    // and a pool with one text changed, or another margin, is judged afresh
    List<LabelCheck.Item> changed = new ArrayList<>(pool);
    LabelCheck.Item one = changed.get(0);
    changed.set(0, new LabelCheck.Item(one.id(), one.text() + " please", one.label()));
    LabelCheck.Outcome other = check.check(seeds, descriptions, changed, java.util.Optional.of(VectorCache.separate(file, VectorCache.MAX_VECTORS)));
    LabelCheck wider = LabelCheck.words(5, 42).withMargin(0.3);
    LabelCheck.Outcome widerOutcome = wider.check(seeds, descriptions, pool, java.util.Optional.of(VectorCache.separate(file, VectorCache.MAX_VECTORS)));
    assertThat(LabelCheck.poolsJudged()).isEqualTo(judgedBefore + 2);
    assertThat(outcomeOf(other)).isEqualTo(outcomeOf(check.check(seeds, descriptions, changed)));
    assertThat(outcomeOf(widerOutcome)).isEqualTo(outcomeOf(wider.check(seeds, descriptions, pool)));
  }

  /** Every judged item's id, verdict and probabilities (by label), in order. */
  private static List<String> outcomeOf(LabelCheck.Outcome o) {
    return o.judged().stream()
        .map(j -> j.item().id() + " " + j.item().text() + " " + j.verdict() + " " + (j.probabilities() == null ? null : new TreeMap<>(j.probabilities())))
        .toList();
  }
}
