package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.seed.TaskType;
import org.junit.jupiter.api.Test;

class TokenCountFilterTest {
  private final TokenCountFilter filter = new TokenCountFilter(3, 10, TaskType.CLASSIFICATION);

  @Test
  void is_named_token_count() {
    assertThat(filter.name()).isEqualTo("token_count");
  }

  @Test
  void rejects_a_text_above_the_maximum_with_count_threshold_and_reason() {
    // given 12 tokens (11 words and a full stop)
    var c = TestCandidates.text("one two three four five six seven eight nine ten eleven.");

    // when
    Verdict v = filter.check(c);

    // then
    assertThat(v.keep()).isFalse();
    assertThat(v.score()).isEqualTo(12.0);
    assertThat(v.threshold()).isEqualTo(10.0);
    assertThat(v.reason()).isEqualTo("12 tokens, more than the maximum 10");
  }

  @Test
  void rejects_a_text_below_the_minimum() {
    Verdict v = filter.check(TestCandidates.text("ok"));

    assertThat(v.keep()).isFalse();
    assertThat(v.score()).isEqualTo(1.0);
    assertThat(v.threshold()).isEqualTo(3.0);
    assertThat(v.reason()).isEqualTo("1 token, fewer than the minimum 3");
  }

  @Test
  void keeps_texts_exactly_at_either_bound() {
    assertThat(filter.check(TestCandidates.text("Where is it")).keep()).isTrue();
    assertThat(filter.check(TestCandidates.text("one two three four five six seven eight nine ten")).keep()).isTrue();
  }

  @Test
  void counts_the_output_of_an_instruction() {
    var f = new TokenCountFilter(1, 2, TaskType.INSTRUCTION);
    var shortAnswer = TestCandidates.instruction("Answer briefly and name the place", "Where is the parcel now", "At home");
    var longAnswer = TestCandidates.instruction("Answer briefly", "Where is it", "It is at home.");

    Verdict kept = f.check(shortAnswer);
    Verdict rejected = f.check(longAnswer);

    assertThat(kept.keep()).isTrue();
    assertThat(rejected.keep()).isFalse();
    assertThat(rejected.score()).isEqualTo(5.0);
  }

  @Test
  void refuses_bounds_that_cannot_hold() {
    assertThatThrownBy(() -> new TokenCountFilter(10, 3, TaskType.CLASSIFICATION))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
