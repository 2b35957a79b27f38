package dev.seedforge.pairs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LexicalDegraderTest {
  static final String ANSWER = "Cook the egg for 6 minutes in boiling water. Then cool it in cold water for 2 minutes so it peels easily.";

  @Test
  void should_change_every_number_and_flip_one_opposite_for_wrong_fact() {
    LexicalDegrader.Degraded d = LexicalDegrader.degrade(ANSWER, Degradation.WRONG_FACT);

    assertThat(d.applied()).isEqualTo(Degradation.WRONG_FACT);
    assertThat(d.text()).contains("9 minutes in boiling").contains("warm water for 5 minutes").doesNotContain(" 6 ");
  }

  @Test
  void should_keep_only_the_first_sentence_for_ignored_constraint() {
    assertThat(LexicalDegrader.degrade(ANSWER, Degradation.IGNORED_CONSTRAINT).text()).isEqualTo("Cook the egg for 6 minutes in boiling water.");
  }

  @Test
  void should_wrap_the_first_sentence_in_a_dismissive_tone() {
    assertThat(LexicalDegrader.degrade(ANSWER, Degradation.UNHELPFUL_TONE).text())
        .startsWith(LexicalDegrader.DISMISSIVE_OPENING).contains("Cook the egg for 6 minutes").endsWith(LexicalDegrader.DISMISSIVE_CLOSE);
  }

  @Test
  void should_fall_back_to_the_next_rule_when_one_has_nothing_to_edit() {
    // given one sentence without numbers or opposites: wrong_fact and ignored_constraint cannot edit it
    LexicalDegrader.Degraded d = LexicalDegrader.degrade("Blot the stain gently with a clean cloth.", Degradation.WRONG_FACT);

    assertThat(d.applied()).isEqualTo(Degradation.UNHELPFUL_TONE);
    assertThat(d.text()).isNotEqualTo("Blot the stain gently with a clean cloth.");
  }
}
