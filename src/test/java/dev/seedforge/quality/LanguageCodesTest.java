package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LanguageCodesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "en, eng", "fr, fra", "de, deu", "es, spa", "it, ita", "pt, por", "nl, nld", "sv, swe",
    "pl, pol", "ru, rus", "ja, jpn", "zh, cmn", "no, nob", "EN, eng", "en-US, eng", "pt_BR, por",
    "eng, eng", "deu, deu"
  })
  void maps_two_letter_codes_to_the_detectors_three_letter_codes(String code, String iso3) {
    assertThat(LanguageCodes.toIso3(code)).isEqualTo(iso3);
  }

  @Test
  void every_mapped_code_is_one_the_detector_predicts() {
    for (String code : new String[] {"en", "fr", "de", "es", "it", "pt", "nl", "da", "fi", "tr", "ar", "he"}) {
      assertThat(LanguageCodes.SUPPORTED).contains(LanguageCodes.toIso3(code));
    }
  }

  @Test
  void counts_both_codes_of_a_macro_language() {
    assertThat(LanguageCodes.variants("no")).containsExactlyInAnyOrder("nob", "nno");
    assertThat(LanguageCodes.variants("en")).containsExactly("eng");
  }

  @Test
  void rejects_unknown_or_unsupported_codes() {
    assertThatThrownBy(() -> LanguageCodes.toIso3("xx")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LanguageCodes.toIso3("english")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LanguageCodes.toIso3("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LanguageCodes.toIso3("xyz")).hasMessageContaining("xyz");
  }
}
