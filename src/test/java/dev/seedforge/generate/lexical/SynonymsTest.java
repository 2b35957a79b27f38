package dev.seedforge.generate.lexical;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SynonymsTest {

  @Test
  void baseFormVerb_getsSingleWordSynonymsOfTheSamePartOfSpeech() {
    // when "purchase" is looked up as a verb, then "buy" is offered and the word itself is not
    assertThat(Synonyms.of("purchase", "VERB")).contains("buy").doesNotContain("purchase");
  }

  @Test
  void pluralNoun_getsPluralSynonyms() {
    // when a regular plural is looked up, then the synonyms are plural too
    assertThat(Synonyms.of("cars", "NOUN")).contains("automobiles").allSatisfy(s -> assertThat(s).endsWith("s"));
  }

  @Test
  void rareSenses_areLeftOut() {
    // "phone" as "speech sound" or "headphone" is rare; the telephone sense is kept
    assertThat(Synonyms.of("phone", "NOUN")).contains("telephone").doesNotContain("sound", "headphone");
  }

  @Test
  void tagsWordNetDoesNotCover_andUnknownWords_giveNothing() {
    assertThat(Synonyms.of("the", "DET")).isEmpty();
    assertThat(Synonyms.of("Madonna", "PROPN")).isEmpty();
    assertThat(Synonyms.of("qwzxv", "NOUN")).isEmpty();
  }

  @Test
  void inflectedVerbForms_otherThanS_areNotReplaced() {
    // "purchased" would be replaced by the bare "buy"; better to leave it alone
    assertThat(Synonyms.of("purchased", "VERB")).isEmpty();
  }

  @Test
  void addS_followsRegularSpelling() {
    assertThat(Synonyms.addS("box")).isEqualTo("boxes");
    assertThat(Synonyms.addS("city")).isEqualTo("cities");
    assertThat(Synonyms.addS("day")).isEqualTo("days");
    assertThat(Synonyms.addS("ticket")).isEqualTo("tickets");
  }
}
