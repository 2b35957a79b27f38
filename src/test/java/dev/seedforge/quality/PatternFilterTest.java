package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PatternFilterTest {
  /** Fixtures, real CLINC150 and Self-Instruct text, and texts made to match every pattern. */
  static List<String> texts() throws Exception {
    List<String> out = new ArrayList<>(RealTexts.fixtures());
    out.addAll(RealTexts.clinc());
    out.addAll(RealTexts.selfInstruct());
    out.addAll(List.of("Dear [Insert Name], thanks", "{{label}} here", "< Your name >", "LOREM IPSUM dolor", "call xXx-XXX now",
        "<Examples>", "Message #3: hi", "  SURE, HERE ARE 5 new messages", "One JSON object per line", "json line", "Target Intent : x"));
    return out;
  }

  @Test
  void every_match_of_a_pattern_holds_the_text_it_is_looked_up_by() throws Exception {
    // given every pattern as the filter compiles it
    List<String> all = new ArrayList<>(PatternFilter.PLACEHOLDER_PATTERNS);
    all.addAll(PatternFilter.LEAKAGE_PATTERNS);
    List<String> texts = texts();
    int matched = 0;
    for (String p : all) {
      Pattern compiled = Pattern.compile(p, PatternFilter.PLACEHOLDER_PATTERNS.contains(p) ? Pattern.CASE_INSENSITIVE : 0);
      String required = PatternFilter.REQUIRED.get(p);
      assertThat(required).as(p).isNotNull();
      for (String t : texts) {
        // when a pattern matches
        Matcher m = compiled.matcher(t);
        if (!m.find()) {
          continue;
        }
        matched++;
        // then its match holds the literal the filter looks for first
        String match = m.group().toLowerCase(Locale.ROOT);
        assertThat(required.equals(PatternFilter.DIGIT) ? match.matches("(?s).*[0-9].*") : match.contains(required)).as(p + " on " + t).isTrue();
      }
    }
    assertThat(matched).isGreaterThanOrEqualTo(all.size());
  }

  @Test
  void word_windows_are_the_joined_words_of_a_split_at_spaces() throws Exception {
    List<String> texts = new ArrayList<>(List.of("", " ", "a", "a b", " a  b ", "a b   ", "  "));
    for (String t : texts()) {
      texts.add(dev.seedforge.dedup.TextNormalizer.normalize(t));
    }
    for (String t : texts) {
      String[] words = t.split(" ");
      WordWindows w = WordWindows.of(t);
      assertThat(w.size()).as("[" + t + "]").isEqualTo(words.length);
      for (int n = 1; n <= 3; n++) {
        for (int i = 0; i + n <= words.length; i++) {
          assertThat(w.window(i, n)).isEqualTo(String.join(" ", java.util.Arrays.copyOfRange(words, i, i + n)));
        }
      }
    }
  }
}
