package dev.seedforge.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
  @TempDir Path dir;
  RunDirFixture fixture;

  @BeforeEach
  void setUp() throws IOException {
    fixture = new RunDirFixture(dir);
  }

  Document page() throws IOException {
    return Jsoup.parse(Files.readString(HtmlReport.write(fixture.run)));
  }

  @Test
  void should_show_every_user_text_as_text_and_run_only_its_own_scripts() throws IOException {
    // given seeds, records, labels, reasons, warnings and a pipeline file that hold markup
    String html = Files.readString(HtmlReport.write(fixture.run));
    Document doc = Jsoup.parse(html);

    // then the page has its three script elements only (data, library, start-up), none from a record
    assertThat(doc.select("script")).hasSize(3);
    assertThat(doc.select("script[src]")).isEmpty();
    assertThat(doc.select("img, i, b, u")).isEmpty();
    assertThat(html).doesNotContain("<script>alert").doesNotContain("<img src=x");
    // and every text reads as the user wrote it
    String text = doc.body().text();
    assertThat(text).contains(RunDirFixture.SEED_TEXT, RunDirFixture.KEPT_TEXT, RunDirFixture.WARNING, "<b>copy</b> of the seed",
        "<u>because</u> near_copy_of_seed", "<script>in the pipeline file</script>");
  }

  @Test
  void should_carry_chart_data_as_json_that_cannot_end_its_script_element() throws IOException {
    String html = Files.readString(HtmlReport.write(fixture.run));
    Document doc = Jsoup.parse(html);
    String data = doc.getElementById("seedforge-charts").data();

    assertThat(data).doesNotContain("<").doesNotContain(">").doesNotContain("&");
    JsonNode charts = Json.mapper().readTree(data);
    assertThat(charts.path("labels").path("xAxis").path("data").toString()).contains(RunDirFixture.ODD_LABEL);
    assertThat(HtmlReport.scriptJson(List.of("a\u2028b</script>"))).isEqualTo("[\"a\\u2028b\\u003C/script\\u003E\"]");
  }

  @Test
  void should_show_the_manifest_numbers_as_they_are() throws IOException {
    Document doc = page();
    ReportData d = ReportData.read(fixture.run);

    List<Element> shown = doc.select("[data-manifest]");
    assertThat(shown).hasSizeGreaterThan(15);
    for (Element e : shown) {
      JsonNode v = d.manifest().at(e.attr("data-manifest"));
      assertThat(v.isMissingNode()).as(e.attr("data-manifest")).isFalse();
      assertThat(e.text()).as(e.attr("data-manifest")).isEqualTo(HtmlReport.number(v));
    }
    assertThat(doc.selectFirst("[data-manifest=/stages/train/total]").text()).isEqualTo("3");
    assertThat(doc.selectFirst("[data-manifest=/cost/total]").text()).isEqualTo("0.0012");
    assertThat(doc.selectFirst("[data-manifest=/rejections/by_filter/dedup~1near_copy_of_seed/total]").text()).isEqualTo("4");
  }

  @Test
  void should_draw_a_chart_for_every_section_the_run_has() throws IOException {
    Document doc = page();

    assertThat(doc.select("div.chart").eachAttr("id"))
        .containsExactly("chart-labels", "chart-rejections", "chart-acceptance", "chart-lengths", "chart-diversity", "chart-calls", "chart-rounds");
    JsonNode charts = Json.mapper().readTree(doc.getElementById("seedforge-charts").data());
    JsonNode labels = charts.path("labels");
    assertThat(labels.path("xAxis").path("data").toString()).isEqualTo("[\"<i>odd</i>\",\"bye\",\"greet\"]");
    assertThat(labels.path("series").get(1).path("data").toString()).isEqualTo("[0,3,4]");
    JsonNode stacked = charts.path("rejections").path("series");
    assertThat(stacked).allSatisfy(s -> assertThat(s.path("stack").asText()).isEqualTo("rejected"));
    assertThat(stacked.get(0).path("name").asText()).isEqualTo("dedup/near_copy_of_seed");
  }

  @Test
  void should_give_five_number_summaries_of_lengths_per_split_and_label() throws IOException {
    ReportData d = ReportData.read(fixture.run);

    assertThat(d.lengths().get("train").get("greet")).containsExactly(10, 3);
    assertThat(d.lengths().get("validation").get("bye")).containsExactly(2);
    assertThat(ReportCharts.fiveNumbers(List.of(1, 2, 3, 4, 5))).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);
    assertThat(ReportCharts.fiveNumbers(List.of(9, 3))).containsExactly(3.0, 4.5, 6.0, 7.5, 9.0);
  }

  @Test
  void should_sample_a_few_rejections_per_filter_with_the_kept_duplicate() throws IOException {
    ReportData d = ReportData.read(fixture.run);

    assertThat(d.rejected()).filteredOn(r -> r.filter().equals("dedup/near_copy_of_seed")).hasSize(ReportData.REJECTED_PER_FILTER)
        .allSatisfy(r -> assertThat(r.relatedText()).isEqualTo(RunDirFixture.SEED_TEXT));
    assertThat(d.rejected()).filteredOn(r -> r.filter().equals("dedup/near_duplicate")).singleElement()
        .satisfies(r -> assertThat(r.relatedText()).isEqualTo("bye for now, friend"));
    assertThat(d.rejectedLines()).containsEntry("dedup/near_copy_of_seed", 4L).containsEntry("quality/token_count", 2L);
  }

  @Test
  void should_render_a_manifest_with_sections_missing() throws IOException {
    Path bare = Files.createDirectories(dir.resolve("bare"));
    Files.writeString(bare.resolve("manifest.json"), "{\"pipeline\": {\"name\": \"bare\"}}");

    Document doc = Jsoup.parse(Files.readString(HtmlReport.write(bare)));

    assertThat(doc.select("div.chart").eachAttr("id")).containsExactly("chart-labels");
    assertThat(doc.selectFirst("h1").text()).isEqualTo("bare");
    assertThat(doc.select("p.note").text()).contains("pipeline file").contains("shown by id only");
  }

  @Test
  void should_say_which_directory_has_no_manifest() {
    assertThatThrownBy(() -> HtmlReport.write(dir.resolve("nothing-here")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nothing-here: no manifest.json");
  }

  @Test
  void should_chart_the_calls_each_round_sent_and_the_records_after_it() throws IOException {
    // given rounds as the manifest writes them: new requests, and the round's calls grouped with its tokens and cost
    com.fasterxml.jackson.databind.node.ArrayNode rounds = fixture.manifest.putArray("rounds");
    rounds.addObject().put("round", 0).put("new_requests", 4)
        .putObject("calls").put("sent", 4).put("made", 3).put("retried", 1).put("failed", 1).put("input_tokens", 4000).put("cost_usd", 0.002);
    rounds.addObject().put("round", 1).put("new_requests", 2)
        .putObject("calls").put("sent", 2).put("made", 2).put("retried", 0).put("failed", 0).put("input_tokens", 2000).put("cost_usd", 0.001);
    fixture.writeManifest();

    JsonNode chart = Json.mapper().readTree(page().getElementById("seedforge-charts").data()).path("rounds");

    // then the counts share the bars (tokens and cost, on other scales, are left out), and the line is records available
    assertThat(chart.path("series").findValuesAsText("name"))
        .containsExactly("new_requests", "calls.sent", "calls.made", "calls.retried", "calls.failed", "records available");
    assertThat(chart.path("series").get(2).path("data").toString()).isEqualTo("[3.0,2.0]");
  }

  @Test
  void should_show_examples_per_document_when_the_run_has_documents() throws IOException {
    fixture.manifest.putObject("documents").putObject("per_document").put("handbook.pdf", 12).put("faq.md", 3);
    fixture.writeManifest();

    Document doc = page();

    JsonNode docs = Json.mapper().readTree(doc.getElementById("seedforge-charts").data()).path("documents");
    assertThat(docs.path("xAxis").path("data").toString()).isEqualTo("[\"faq.md\",\"handbook.pdf\"]");
    assertThat(docs.path("series").get(0).path("data").toString()).isEqualTo("[3,12]");
  }
}
