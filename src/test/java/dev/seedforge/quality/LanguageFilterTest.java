package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.seed.TaskType;
import org.junit.jupiter.api.Test;

class LanguageFilterTest {
  private final LanguageFilter english = new LanguageFilter("en", 0.5, 6, TaskType.CLASSIFICATION);

  @Test
  void is_named_language() {
    assertThat(english.name()).isEqualTo("language");
  }

  @Test
  void rejects_confident_french_with_wanted_probability_threshold_and_reason() {
    // given a French message long enough to judge
    var c = TestCandidates.text("Bonjour, je n'arrive pas à me connecter à mon compte depuis hier.");

    // when
    Verdict v = english.check(c);

    // then
    assertThat(v.keep()).isFalse();
    assertThat(v.reason()).matches("looks like fra \\((0\\.\\d\\d|1\\.00)\\), expected en");
    assertThat(v.score()).isLessThan(0.05);
    assertThat(v.threshold()).isEqualTo(0.5);
  }

  @Test
  void keeps_english_including_typos() {
    assertThat(english.check(TestCandidates.text("wher is my refund?? i returnd the shoes 2 weeks ago")).keep()).isTrue();
    assertThat(english.check(TestCandidates.text("I was charged twice for my subscription this month.")).keep()).isTrue();
  }

  @Test
  void keeps_short_texts_without_detecting_their_language() {
    // given French that is shorter than language_min_tokens
    var c = TestCandidates.text("Merci beaucoup !");
    assertThat(NlpTools.tokenCount("Merci beaucoup !")).isLessThan(6);
    assertThat(NlpTools.detect("Merci beaucoup !").getLang()).isNotEqualTo("eng");

    // when / then
    assertThat(english.check(c).keep()).isTrue();
  }

  @Test
  void judges_short_texts_once_the_minimum_is_lowered() {
    var strict = new LanguageFilter("en", 0.05, 1, TaskType.CLASSIFICATION);

    assertThat(strict.check(TestCandidates.text("Bonjour, merci beaucoup pour votre aide !")).keep()).isFalse();
  }

  @Test
  void rejects_text_with_hardly_any_wanted_language_even_when_nothing_is_confident() {
    // given text whose best guess is not confident (nothing reaches 0.99) but English is nearly absent
    var lenient = new LanguageFilter("en", 0.99, 6, TaskType.CLASSIFICATION);
    var c = TestCandidates.text("Hallo, meine Bestellung ist noch nicht angekommen. Können Sie mir bitte helfen?");

    // when
    Verdict v = lenient.check(c);

    // then
    assertThat(v.keep()).isFalse();
    assertThat(v.reason()).startsWith("hardly any en (0.00); best guess deu");
    assertThat(v.threshold()).isEqualTo(LanguageFilter.VERY_LOW);
  }

  @Test
  void accepts_the_wanted_language_when_the_spec_asks_for_german() {
    var german = new LanguageFilter("de", 0.5, 6, TaskType.CLASSIFICATION);

    assertThat(german.check(TestCandidates.text("Hallo, meine Bestellung ist noch nicht angekommen. Können Sie mir bitte helfen?")).keep()).isTrue();
    assertThat(german.check(TestCandidates.text("Hi, I can't log in to my account since yesterday. Can you help?")).keep()).isFalse();
  }

  @Test
  void fails_fast_on_an_unknown_language_code() {
    assertThatThrownBy(() -> new LanguageFilter("xx", 0.5, 6, TaskType.CLASSIFICATION))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
