package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every line of quality/noise-fixtures.jsonl gets its expected verdict from the named filter. */
class NoiseFiltersTest {
  static final TaskType T = TaskType.CLASSIFICATION;

  static Map<String, Filter> filters() throws IOException {
    PipelineSpec.Noise n = PipelineSpec.Noise.defaults();
    List<String> templates = List.of(Files.readString(Path.of("prompts/customer-support/templates/new_example.txt")));
    List<String> seeds = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("prompts/customer-support/seeds.jsonl"))) {
      seeds.add(Json.mapper().readTree(line).path("text").asText());
    }
    return Map.of(
        "mean_word_length", new TextStatsFilter(TextStatsFilter.Kind.MEAN_WORD_LENGTH, n.minMeanWordLength(), n.maxMeanWordLength(), T),
        "symbol_ratio", new TextStatsFilter(TextStatsFilter.Kind.SYMBOL_RATIO, 0, n.maxSymbolRatio(), T),
        "digit_ratio", new TextStatsFilter(TextStatsFilter.Kind.DIGIT_RATIO, 0, n.maxDigitRatio(), T),
        "url_ratio", new TextStatsFilter(TextStatsFilter.Kind.URL_RATIO, 0, n.maxUrlRatio(), T),
        "repeated_ngrams", RepetitionFilter.ngrams(n.repeatedNgram(), n.maxRepeatedNgrams(), T),
        "repeated_lines", RepetitionFilter.lines(n.maxRepeatedLines(), T),
        "placeholder", PatternFilter.placeholders(T),
        "prompt_leakage", PatternFilter.promptLeakage(templates, T),
        // the support seeds end with punctuation only 85% of the time: brackets and quotes only
        "truncation", TruncationFilter.fromSeeds(seeds, 0.9, T));
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    try (InputStream in = NoiseFiltersTest.class.getResourceAsStream("/quality/noise-fixtures.jsonl")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          JsonNode j = Json.mapper().readTree(line);
          out.add(Arguments.of(j.path("filter").asText(), j.path("expect").asText(), j.path("text").asText()));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("cases")
  void gives_every_fixture_its_verdict(String filter, String expect, String text) throws IOException {
    Filter f = filters().get(filter);
    Verdict v = f.check(TestCandidates.text(text));
    assertThat(v.keep() ? "keep" : "reject").as("%s on %s: %s", filter, text, v.reason()).isEqualTo(expect);
    if (!v.keep()) {
      assertThat(v.reason()).isNotBlank();
      assertThat(v.score()).isNotNull();
      assertThat(v.threshold()).isNotNull();
    }
  }

  @Test
  void fixture_file_has_a_keep_and_a_reject_for_every_filter() throws IOException {
    List<Arguments> all = cases().toList();
    for (String f : filters().keySet()) {
      assertThat(all).filteredOn(a -> a.get()[0].equals(f)).extracting(a -> (String) a.get()[1]).contains("keep", "reject");
    }
  }

  @Test
  void truncation_requires_final_punctuation_only_when_the_seeds_nearly_always_have_it() {
    TruncationFilter strict = TruncationFilter.fromSeeds(List.of("Where is my order?", "Cancel it please.", "Refund!"), 0.9, T);
    TruncationFilter lax = TruncationFilter.fromSeeds(List.of("Where is my order?", "cancel it pls", "Refund!"), 0.9, T);
    String cut = "I placed an order on Monday and the confirmation email said it would";
    assertThat(strict.requiresFinalPunctuation()).isTrue();
    assertThat(strict.judge(cut).keep()).isFalse();
    assertThat(strict.judge(cut + " ship today.").keep()).isTrue();
    assertThat(lax.judge(cut).keep()).isTrue();
  }

  @Test
  void truncation_keeps_real_queries_that_end_without_a_full_stop_when_the_seeds_do_too() {
    // given the CLINC150 banking seeds (8 a intent, real queries that seldom end with punctuation)
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.seedforge.bench.ClincData.available(), "no CLINC150 data");
    java.util.Set<String> intents = java.util.Set.copyOf(dev.seedforge.bench.ClincData.BANKING);
    java.util.Map<String, Integer> n = new java.util.HashMap<>();
    List<String> seedTexts = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (var q : dev.seedforge.bench.ClincData.split("train", intents)) {
      (n.merge(q.intent(), 1, Integer::sum) <= 8 ? seedTexts : others).add(q.text());
    }

    // when
    TruncationFilter f = TruncationFilter.fromSeeds(seedTexts, 0.9, T);

    // then the final-punctuation rule stays off and every other real query of those intents is kept
    assertThat(f.requiresFinalPunctuation()).isFalse();
    assertThat(others).allSatisfy(t -> assertThat(f.judge(t).keep()).as(t).isTrue());
  }

  @Test
  void applies_the_self_instruct_rules_to_instructions() {
    InstructionRulesFilter f = new InstructionRulesFilter(3, 150);
    assertThat(f.check(TestCandidates.instruction("Sort the given list ascendingly.", "List: [10, 2, 5]", "[2, 5, 10]")).keep()).isTrue();
    assertThat(f.check(TestCandidates.instruction("Sort it.", "List: [10, 2, 5]", "[2, 5, 10]")).reason()).contains("fewer than 3");
    assertThat(f.check(TestCandidates.instruction("Draw a picture of your favourite animal.", "", "A cat.")).reason()).contains("non-text modality");
    assertThat(f.check(TestCandidates.instruction("Plot the sales figures by month.", "", "done")).keep()).isFalse();
    assertThat(f.check(TestCandidates.instruction("Fix the grammar of this sentence.", "She go to school every day.", "She go to school every day")).reason()).contains("repeats the input");
    assertThat(f.check(TestCandidates.instruction("word ".repeat(151).strip(), "", "x")).keep()).isFalse();
  }

  @Test
  void the_default_chain_includes_the_noise_filters_unless_disabled() {
    PipelineSpec.Quality on = new PipelineSpec.Quality(3, 60, null, 0.5, 6, List.of());
    PipelineSpec.Noise offNoise = new PipelineSpec.Noise(false, 2, 12, 0.25, 0.5, 0.3, 3, 0.3, 0.3, 0.9, 3, 150);
    PipelineSpec.Quality off = new PipelineSpec.Quality(3, 60, null, 0.5, 6, List.of(), offNoise);
    Candidate loop = TestCandidates.text("Please cancel my order please cancel my order please cancel my order please cancel my order");
    assertThat(QualityGate.fromSpec(on, T).firstRejection(loop)).map(QualityGate.Rejected::filter).contains("repeated_ngrams");
    assertThat(QualityGate.fromSpec(off, T).firstRejection(loop)).isEmpty();
    assertThat(QualityGate.fromSpec(on, TaskType.INSTRUCTION).filters()).extracting(Filter::name).contains("instruction_rules");
  }
}
