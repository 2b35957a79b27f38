package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seedforge.seed.TaskType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every line of quality/fixtures.jsonl gets the verdict it expects from the default chain. */
class QualityGateFixturesTest {
  private static final QualityGate GATE =
      QualityGate.fromSpec(TestCandidates.fixtureQuality(), TaskType.CLASSIFICATION);

  record Fixture(String text, String expect, String note) {}

  static List<Fixture> fixtures() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Fixture> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                QualityGateFixturesTest.class.getResourceAsStream("/quality/fixtures.jsonl"),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = json.readTree(line);
        out.add(new Fixture(n.get("text").asText(), n.get("expect").asText(), n.path("note").asText("")));
      }
    }
    return out;
  }

  static Stream<Arguments> cases() throws IOException {
    return fixtures().stream().map(f -> Arguments.of(f.expect(), f.note(), f.text()));
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @MethodSource("cases")
  void gives_every_fixture_its_expected_verdict(String expect, String note, String text) {
    // given a candidate with the fixture's text
    var candidate = TestCandidates.text(text);

    // when the default chain judges it
    Optional<QualityGate.Rejected> rejected = GATE.firstRejection(candidate);

    // then it is kept, or rejected by the expected filter
    String actual = rejected.map(QualityGate.Rejected::filter).orElse("keep");
    assertThat(actual)
        .as("%s%nreason: %s", text, rejected.map(r -> r.verdict().reason()).orElse("-"))
        .isEqualTo(expect);
  }

  @Test
  void fixture_file_covers_every_outcome_with_about_forty_lines() throws IOException {
    List<Fixture> all = fixtures();

    assertThat(all).hasSizeGreaterThanOrEqualTo(35);
    assertThat(all)
        .extracting(Fixture::expect)
        .contains("keep", "token_count", "refusal_boilerplate", "language")
        .allMatch(e -> List.of("keep", "token_count", "refusal_boilerplate", "language").contains(e));
  }
}
