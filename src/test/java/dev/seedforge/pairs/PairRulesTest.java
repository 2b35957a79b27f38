package dev.seedforge.pairs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PairRulesTest {
  final PairRules rules = new PairRules(PairSettings.DEFAULT_MAX_SIMILARITY);

  @Test
  void should_call_answers_that_differ_only_in_case_punctuation_and_spacing_identical() {
    // given two answers with the same words
    String chosen = "Water it every two weeks, and less in winter.";
    String rejected = "water it  every two weeks and LESS in winter";

    // when
    PairRules.Broken b = rules.check(chosen, rejected).orElseThrow();

    // then
    assertThat(b.rule()).isEqualTo(PairRules.IDENTICAL);
    assertThat(b.score()).isEqualTo(1.0);
    assertThat(b.reason()).contains("the same text");
  }

  @Test
  void should_call_answers_one_word_apart_in_fifty_near_identical_with_their_similarity() {
    String base = "Trim the stems and stand the basil in a glass of water on the counter away from direct sun and change the water every"
        + " other day so that it keeps for about a week and do not put it in the fridge because the cold turns the leaves black quickly";
    String changed = base.replace("counter", "windowsill");

    PairRules.Broken b = rules.check(base, changed).orElseThrow();

    assertThat(b.rule()).isEqualTo(PairRules.NEAR_IDENTICAL);
    assertThat(b.score()).isGreaterThanOrEqualTo(PairSettings.DEFAULT_MAX_SIMILARITY).isLessThan(1.0);
    assertThat(b.threshold()).isEqualTo(PairSettings.DEFAULT_MAX_SIMILARITY);
    assertThat(b.reason()).contains("differ in 1 of 50 words");
  }

  @Test
  void should_keep_a_pair_whose_rejected_answer_says_something_else() {
    assertThat(rules.check("Keep basil in water on the counter; it lasts a week.", "Put basil in the fridge in a sealed bag for a month.")).isEmpty();
  }

  @Test
  void should_measure_word_edit_similarity_as_one_minus_edits_over_the_longer_answer() {
    assertThat(PairRules.similarity("a b c d", "a x c d")).isEqualTo(0.75);
    assertThat(PairRules.similarity("a b c d", "a b c")).isEqualTo(0.75);
    assertThat(PairRules.similarity("", "")).isEqualTo(1.0);
  }
}
