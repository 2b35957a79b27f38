package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.quality.GroundednessFilter;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of the groundedness filter on real passages with supported and deliberately
 * unsupported answers ({@code src/test/resources/groundedness}); the positive class is
 * "unsupported" (what the filter should reject). Lexical support at several min_support values, with
 * and without MiniLM similarity. Run with {@code mvn -B test -Pbench -Dtest=GroundednessBenchmark}.
 */
@Tag("benchmark")
class GroundednessBenchmark {
  record Case(String passage, String question, String answer, String evidence, boolean supported, String kind) {}

  static List<Case> cases() throws IOException {
    List<Case> out = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of("src/test/resources/groundedness/cases.jsonl"))) {
      JsonNode n = Json.mapper().readTree(l);
      out.add(new Case(n.path("passage").asText(), n.path("question").asText(), n.path("answer").asText(), n.path("evidence").asText(),
          n.path("supported").asBoolean(), n.path("kind").asText()));
    }
    return out;
  }

  static Map<String, String> passages() throws IOException {
    Map<String, String> out = new TreeMap<>();
    Json.mapper().readTree(Path.of("src/test/resources/groundedness/passages.json").toFile()).fields()
        .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  static Candidate candidate(Case c, int i) {
    Candidate.Provenance p = new Candidate.Provenance(List.of(), "qa", "t", "openai", "m", "r" + i, 0,
        new Candidate.Grounding("bench", c.passage(), 0, 1, null, null));
    return Candidate.of(null, Map.of("instruction", c.question(), "input", "", "output", c.answer(), "evidence", c.evidence()), p, i);
  }

  /** Precision and recall of "rejected" against "unsupported", and what was missed. */
  static double[] score(String name, GroundednessFilter f, List<Case> cases) {
    int tp = 0;
    int fp = 0;
    int fn = 0;
    List<String> missed = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      boolean rejected = !f.check(candidate(c, i)).keep();
      if (rejected && !c.supported()) {
        tp++;
      } else if (rejected) {
        fp++;
        missed.add("false rejection: " + c.answer());
      } else if (!c.supported()) {
        fn++;
        missed.add("kept unsupported (" + c.kind() + "): " + c.answer());
      }
    }
    double precision = tp + fp == 0 ? 1 : tp / (double) (tp + fp);
    double recall = tp / (double) (tp + fn);
    System.out.printf(Locale.ROOT, "BENCH groundedness %-28s cases=%d unsupported=%d rejected=%d precision=%.3f recall=%.3f%n",
        name, cases.size(), tp + fn, tp + fp, precision, recall);
    missed.forEach(m -> System.out.println("BENCH   " + m));
    return new double[] {precision, recall};
  }

  @Test
  void precision_and_recall_of_the_groundedness_filter() throws IOException {
    List<Case> cases = cases();
    Map<String, String> passages = passages();
    for (double support : new double[] {0.5, 0.6, 0.7, 0.8}) {
      score("lexical min_support=" + support, new GroundednessFilter(passages, support, null, 0), cases);
    }
    double[] chosen = score("lexical default (0.6)", new GroundednessFilter(passages, PipelineSpec.Documents.DEFAULT_MIN_SUPPORT, null, 0), cases);
    for (double sim : new double[] {0.4, 0.5, 0.6, 0.7}) {
      score("lexical 0.6 + minilm " + sim, new GroundednessFilter(passages, 0.6, PipelineSpec.Relevance.MINILM, sim), cases);
    }
    score("default (0.6 + minilm " + GroundednessFilter.DEFAULT_MIN_SIMILARITY + ")",
        new GroundednessFilter(passages, 0.6, PipelineSpec.Relevance.MINILM, GroundednessFilter.DEFAULT_MIN_SIMILARITY), cases);
    assertThat(chosen[0]).isGreaterThan(0.9);
  }
}
