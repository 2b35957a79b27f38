package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The default noise filters keep real, clean seed data: the example pack and Self-Instruct. */
class NoiseCalibrationTest {
  static final Path SUPPORT = Path.of("prompts/customer-support/seeds.jsonl");
  static final Path SELF_INSTRUCT = Path.of("../shared/data/self-instruct/seed_tasks.jsonl");
  static final PipelineSpec.Quality NO_LANGUAGE = new PipelineSpec.Quality(1, 100_000, null, 0.5, 6, List.of());

  static List<String> rejected(QualityGate gate, List<Candidate> all) {
    List<String> out = new ArrayList<>();
    for (Candidate c : all) {
      Optional<QualityGate.Rejected> r = gate.firstRejection(c);
      r.ifPresent(x -> out.add(x.filter() + ": " + x.verdict().reason() + " | " + c.fields()));
    }
    return out;
  }

  @Test
  void should_keep_every_support_seed() throws IOException {
    List<Candidate> all = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    for (String line : Files.readAllLines(SUPPORT)) {
      JsonNode n = Json.mapper().readTree(line);
      all.add(TestCandidates.text(n.path("text").asText()));
      outputs.add(n.path("text").asText());
    }
    List<String> templates = new ArrayList<>();
    try (var files = Files.list(Path.of("prompts/customer-support/templates"))) {
      for (Path t : files.sorted().toList()) {
        templates.add(Files.readString(t));
      }
    }
    QualityGate gate = QualityGate.fromSpec(NO_LANGUAGE, TaskType.CLASSIFICATION, outputs, templates);
    assertThat(rejected(gate, all)).isEmpty();
  }

  @Test
  void should_keep_nearly_all_self_instruct_seed_tasks() throws IOException {
    assumeTrue(Files.isRegularFile(SELF_INSTRUCT), "no Self-Instruct data");
    List<Candidate> all = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    for (String line : Files.readAllLines(SELF_INSTRUCT)) {
      JsonNode n = Json.mapper().readTree(line);
      for (JsonNode inst : n.path("instances")) {
        all.add(TestCandidates.instruction(n.path("instruction").asText(), inst.path("input").asText(), inst.path("output").asText()));
        outputs.add(inst.path("output").asText());
      }
    }
    QualityGate gate = QualityGate.fromSpec(NO_LANGUAGE, TaskType.INSTRUCTION, outputs, List.of());
    List<String> rejected = rejected(gate, all);
    rejected.forEach(System.out::println);
    assertThat(rejected.size()).isLessThanOrEqualTo(all.size() / 20);
  }
}
