package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.seed.TaskType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhraseFilterTest {
  private final PhraseFilter filter = new PhraseFilter(List.of(), TaskType.CLASSIFICATION);

  @Test
  void is_named_refusal_boilerplate_and_has_about_thirty_default_phrases() {
    assertThat(filter.name()).isEqualTo("refusal_boilerplate");
    assertThat(PhraseFilter.DEFAULT_PHRASES).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
  }

  @Test
  void rejects_boilerplate_naming_the_phrase_with_score_one_and_no_threshold() {
    Verdict v = filter.check(TestCandidates.text("As an AI language model, I cannot see your order."));

    assertThat(v.keep()).isFalse();
    assertThat(v.reason()).isEqualTo("contains \"as an ai language model\"");
    assertThat(v.score()).isEqualTo(1.0);
    assertThat(v.threshold()).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "I’m sorry, but I can’t assist with that.",
        "i'm SORRY but i can't assist with that",
        "I'm   sorry,\n but I cannot help with that.",
        "Sure!  Here are ten messages about refunds.",
        "CERTAINLY! HERE is one more.",
        "“As an AI language model” I would say no.",
      })
  void matches_regardless_of_case_whitespace_commas_and_curly_quotes(String text) {
    assertThat(filter.check(TestCandidates.text(text)).keep()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "I'm sorry to bother you, but my order hasn't arrived.",
        "I can't log in to my account.",
        "I'm sorry, but I can't find the invoice anywhere.",
        "Sorry, I cannot open the attachment you sent.",
        "Sure! Here is my order number: 88412.",
        "I am unsure! Here are the photos of the damage anyway.",
        "The bot said it cannot assist, please get me a human.",
        "I hope this gets resolved soon.",
        "Can you give me some examples of plans that include roaming?",
      })
  void keeps_ordinary_customer_text(String text) {
    assertThat(filter.check(TestCandidates.text(text)).keep()).as(text).isTrue();
  }

  @Test
  void adds_extra_phrases_from_the_spec() {
    var withExtra = new PhraseFilter(List.of("  Dear Valued Customer ", ""), TaskType.CLASSIFICATION);

    Verdict v = withExtra.check(TestCandidates.text("dear   valued customer, your order shipped."));

    assertThat(v.keep()).isFalse();
    assertThat(v.reason()).isEqualTo("contains \"Dear Valued Customer\"");
    assertThat(withExtra.phrases()).hasSize(PhraseFilter.DEFAULT_PHRASES.size() + 1);
  }

  @Test
  void finds_a_refusal_in_an_instruction_output() {
    var f = new PhraseFilter(List.of(), TaskType.INSTRUCTION);
    var c = TestCandidates.instruction("Reply to the customer.", "Where is my order 5512?", "I cannot fulfill this request.");

    assertThat(f.check(c).keep()).isFalse();
  }

  @Test
  void normalizes_quotes_commas_whitespace_and_case() {
    assertThat(PhraseFilter.normalize("  I’M  sorry,\tBUT “no” ")).isEqualTo("i'm sorry but \"no\"");
  }

  @Test
  void names_the_first_configured_phrase_found_like_a_search_for_each_phrase_in_turn() throws Exception {
    // given real texts, and real texts with phrases spliced in (two at once, glued to words, at the ends)
    PhraseFilter f = new PhraseFilter(List.of("*** end", "order #", "refund"), dev.seedforge.seed.TaskType.CLASSIFICATION);
    List<String> texts = new java.util.ArrayList<>(RealTexts.fixtures());
    List<String> clinc = RealTexts.clinc();
    for (int i = 0; i < clinc.size(); i += 7) {
      String t = clinc.get(i);
      String a = f.phrases().get(i % f.phrases().size());
      String b = f.phrases().get((i / 7) % f.phrases().size());
      texts.add(t);
      texts.add(t + " " + a);
      texts.add(b + ", " + t + " " + a);
      texts.add(t + "x" + a + "y");
    }

    for (String t : texts) {
      // when
      String hit = f.firstMatch(t);

      // then
      assertThat(hit).as(t).isEqualTo(searchInTurn(f, t));
    }
  }

  /** The phrases tried one by one in their order, each looked for anywhere as whole words. */
  private static String searchInTurn(PhraseFilter f, String text) {
    String t = PhraseFilter.normalize(text);
    for (String phrase : f.phrases()) {
      String key = PhraseFilter.normalize(phrase);
      for (int i = t.indexOf(key); i >= 0 && !t.isEmpty(); i = t.indexOf(key, i + 1)) {
        int end = i + key.length();
        boolean startOk = i == 0 || !Character.isLetterOrDigit(t.charAt(i - 1)) || !Character.isLetterOrDigit(key.charAt(0));
        boolean endOk = end == t.length() || !Character.isLetterOrDigit(t.charAt(end)) || !Character.isLetterOrDigit(key.charAt(key.length() - 1));
        if (startOk && endOk) {
          return phrase;
        }
      }
    }
    return null;
  }
}
