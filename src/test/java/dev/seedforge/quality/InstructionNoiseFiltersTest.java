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

/**
 * Every line of quality/instruction-noise-fixtures.jsonl (real instructions and outputs, and
 * degenerate outputs built from them) gets its expected verdict from the named filter, set up as an
 * instruction pack gets it from the Self-Instruct seeds.
 */
class InstructionNoiseFiltersTest {
  static final TaskType T = TaskType.INSTRUCTION;
  static final Path SEEDS = Path.of("prompts/self-instruct/seeds.jsonl");

  private static Map<String, Filter> filters;

  static synchronized Map<String, Filter> filters() throws IOException {
    if (filters == null) {
      filters = build();
    }
    return filters;
  }

  private static Map<String, Filter> build() throws IOException {
    PipelineSpec.Noise n = PipelineSpec.Noise.defaults();
    List<String> outputs = new ArrayList<>();
    for (String line : Files.readAllLines(SEEDS)) {
      outputs.add(Json.mapper().readTree(line).path("output").asText());
    }
    return Map.of(
        "language", new LanguageFilter("en", 0.5, 6, T),
        "symbol_ratio", new TextStatsFilter(TextStatsFilter.Kind.SYMBOL_RATIO, 0, n.maxSymbolRatio(), T),
        "digit_ratio", new TextStatsFilter(TextStatsFilter.Kind.DIGIT_RATIO, 0, n.maxDigitRatio(), T),
        "url_ratio", new TextStatsFilter(TextStatsFilter.Kind.URL_RATIO, 0, n.maxUrlRatio(), T),
        "repeated_ngrams", RepetitionFilter.ngrams(n.repeatedNgram(), n.maxRepeatedNgrams(), T),
        "repeated_lines", RepetitionFilter.lines(n.maxRepeatedLines(), T),
        "placeholder", PatternFilter.placeholders(T),
        "truncation", TruncationFilter.fromSeeds(outputs, n.finalPunctuationShare(), T),
        "instruction_rules", new InstructionRulesFilter(n.instructionMinWords(), n.instructionMaxWords()));
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    try (InputStream in = InstructionNoiseFiltersTest.class.getResourceAsStream("/quality/instruction-noise-fixtures.jsonl")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          JsonNode j = Json.mapper().readTree(line);
          out.add(Arguments.of(j.path("filter").asText(), j.path("expect").asText(), j.path("note").asText(),
              TestCandidates.instruction(j.path("instruction").asText(), j.path("input").asText(), j.path("output").asText())));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "[{index}] {0} {1}: {2}")
  @MethodSource("cases")
  void gives_every_fixture_its_verdict(String filter, String expect, String note, Candidate c) throws IOException {
    Verdict v = filters().get(filter).check(c);

    assertThat(v.keep() ? "keep" : "reject").as("%s (%s): %s", filter, note, v.reason()).isEqualTo(expect);
    if (!v.keep()) {
      assertThat(v.reason()).isNotBlank();
      assertThat(v.score()).isNotNull();
      assertThat(v.threshold()).isNotNull();
    }
  }

  @ParameterizedTest(name = "[{index}] {0} {1}: {2}")
  @MethodSource("cases")
  void gives_the_same_verdict_from_the_shared_measures(String filter, String expect, String note, Candidate c) throws IOException {
    Filter f = filters().get(filter);

    assertThat(f.check(new CandidateText(c, T)).keep()).isEqualTo(f.check(c).keep());
  }

  @Test
  void fixture_file_has_a_keep_and_a_reject_for_every_filter() throws IOException {
    List<Arguments> all = cases().toList();
    for (String f : filters().keySet()) {
      assertThat(all).as(f).filteredOn(a -> a.get()[0].equals(f)).extracting(a -> (String) a.get()[1]).contains("keep", "reject");
    }
  }

  @Test
  void keeps_every_real_structured_output_with_the_gate_of_the_self_instruct_pack() throws IOException {
    // given the gate of an instruction pack with the Self-Instruct seeds, every line of
    // quality/instruction-good.jsonl: real tables, code, links, translations, grids, plots
    List<String> outputs = new ArrayList<>();
    List<DomainRelevanceFilter.SeedText> seeds = new ArrayList<>();
    for (String line : Files.readAllLines(SEEDS)) {
      JsonNode j = Json.mapper().readTree(line);
      outputs.add(j.path("output").asText());
      seeds.add(new DomainRelevanceFilter.SeedText("s" + seeds.size(), "generation", j.path("instruction").asText()));
    }
    PipelineSpec.Quality q = new PipelineSpec.Quality(PipelineSpec.Quality.FROM_SEEDS, PipelineSpec.Quality.FROM_SEEDS, "en", 0.5, 6, List.of(),
        PipelineSpec.Noise.defaults(), new PipelineSpec.Relevance(false, 0, 0.1, 5, 0.7, false, false, 0, 1), 2.0);
    QualityGate gate = QualityGate.fromSpec(q, T, new QualityGate.Context(outputs, List.of(), Map.of(), List.of(), seeds));
    List<String> rejected = new ArrayList<>();

    // when each is judged
    try (InputStream in = getClass().getResourceAsStream("/quality/instruction-good.jsonl")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          JsonNode j = Json.mapper().readTree(line);
          Candidate c = TestCandidates.instruction(j.path("instruction").asText(), j.path("input").asText(), j.path("output").asText());
          gate.firstRejection(c).ifPresent(r -> rejected.add(r.filter() + ": " + r.verdict().reason() + " | " + j.path("instruction").asText()));
        }
      }
    }

    // then none is rejected
    assertThat(rejected).isEmpty();
  }
}
