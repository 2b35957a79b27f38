package dev.seedforge.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.quality.RealTexts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextNormalizerTest {
  @Test
  void folds_case_punctuation_and_spacing() {
    assertThat(TextNormalizer.normalize("  Where's my ORDER #55512?!  ")).isEqualTo("where s my order 55512");
    assertThat(TextNormalizer.normalize("Ｃａｆé\u00a0Crème")).isEqualTo("café crème");
    assertThat(TextNormalizer.normalize("?!")).isEmpty();
  }

  @Test
  void the_ascii_pass_gives_the_unicode_normalisers_result() throws Exception {
    // given real text and every ASCII character in the middle and at the ends of a word
    List<String> texts = new ArrayList<>(RealTexts.all());
    for (char c = 0; c < 0x80; c++) {
      texts.add("a" + c + "b");
      texts.add(c + "word" + c);
    }

    // when / then
    for (String t : texts) {
      assertThat(TextNormalizer.normalize(t)).as(t).isEqualTo(TextNormalizer.normalizeUnicode(t));
    }
  }
}
