package dev.seedforge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BiasReportTest {
  static List<BiasReport.Row> rows() {
    List<BiasReport.Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      // every "refund" record says "refund": a shortcut; "please" appears in both labels
      rows.add(new BiasReport.Row("refund", "please refund order " + i, i < 4));
      rows.add(new BiasReport.Row("status", "please where is my parcel " + i + " it has been days", i < 4));
    }
    return rows;
  }

  @Test
  void should_report_label_distribution_before_and_after_balancing() {
    JsonNode b = BiasReport.compute(rows(), Map.of("refund", 55L, "status", 20L), null);

    assertThat(b.at("/label_distribution/before_balance/refund").asLong()).isEqualTo(55);
    assertThat(b.at("/label_distribution/after_balance/refund").asLong()).isEqualTo(20);
    assertThat(b.at("/label_distribution/after_balance/status").asLong()).isEqualTo(20);
    assertThat(b.path("near_duplicate_rate").asText()).isEqualTo("unknown");
  }

  @Test
  void should_flag_a_label_whose_mean_length_is_far_from_the_overall_mean() {
    JsonNode within = BiasReport.compute(rows(), Map.of(), 0.1);
    assertThat(within.at("/length_tokens/per_label/refund/mean").asDouble()).isEqualTo(4.0);
    assertThat(within.at("/length_tokens/per_label/status/mean").asDouble()).isEqualTo(10.0);
    assertThat(within.at("/length_tokens/overall_mean").asDouble()).isEqualTo(7.0);
    assertThat(within.at("/length_tokens/flagged")).isEmpty(); // 43% off the mean: not flagged
    assertThat(within.path("near_duplicate_rate").asDouble()).isEqualTo(0.1);

    List<BiasReport.Row> skewed = new ArrayList<>();
    for (String label : List.of("x", "y", "w")) {
      skewed.add(new BiasReport.Row(label, "one two three four", false));
    }
    skewed.add(new BiasReport.Row("z", "one two three four five six seven eight nine ten", false));
    skewed.add(new BiasReport.Row("z", "one two three four five six seven eight nine ten", false));
    JsonNode b = BiasReport.compute(skewed, Map.of(), null);
    assertThat(b.at("/length_tokens/overall_mean").asDouble()).isEqualTo(6.4);
    assertThat(b.at("/length_tokens/per_label/z/median").asDouble()).isEqualTo(10.0);
    assertThat(b.at("/length_tokens/flagged")).extracting(JsonNode::asText).containsExactly("z");
  }

  @Test
  void should_find_shortcut_tokens_but_not_words_shared_by_labels() {
    JsonNode s = BiasReport.compute(rows(), Map.of(), null).path("shortcut_tokens");

    assertThat(s.path("refund").findValuesAsText("token")).contains("refund", "order").doesNotContain("please");
    assertThat(s.path("status").findValuesAsText("token")).contains("parcel").doesNotContain("please", "1");
    JsonNode refund = s.path("refund").get(0);
    assertThat(refund.path("precision").asDouble()).isEqualTo(1.0);
    assertThat(refund.path("support").asDouble()).isEqualTo(1.0);
  }

  @Test
  void should_measure_distinct_ngrams_of_generated_records_against_seeds() {
    List<BiasReport.Row> rows = List.of(
        new BiasReport.Row("a", "a b a b", false),
        new BiasReport.Row("a", "a b c d", true));
    JsonNode d = BiasReport.compute(rows, Map.of(), null).path("diversity");

    assertThat(d.at("/generated/distinct_1").asDouble()).isEqualTo(0.5);
    assertThat(d.at("/generated/distinct_2").asDouble()).isEqualTo(0.6667);
    assertThat(d.at("/seeds/distinct_1").asDouble()).isEqualTo(1.0);
    assertThat(d.at("/seeds/distinct_2").asDouble()).isEqualTo(1.0);
  }
}
