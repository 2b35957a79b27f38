package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextStatsFilterTest {
  @Test
  void url_ratio_skips_the_regex_only_where_it_would_find_nothing() throws Exception {
    // given real text and texts with URLs and addresses in every spelling the regex knows
    List<String> texts = new ArrayList<>(RealTexts.all());
    texts.addAll(List.of(
        "see https://example.com/a?b=c for the order", "or WWW.Example.org and www.shop.de today", "mail a.b+c@shop-1.co.uk please",
        "x. www.late.example.com is where", "HTTP://SHOUTING.COM is where my order is", "no link here at all, just words."));

    // when / then
    for (String t : texts) {
      assertThat(Double.valueOf(TextStatsFilter.urlRatio(t))).as(t).isEqualTo(Double.valueOf(TextStatsFilter.urlRatioByRegex(t)));
    }
    assertThat(TextStatsFilter.urlRatio("x. www.late.example.com is where")).isGreaterThan(0.5);
  }
}
