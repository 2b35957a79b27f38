package dev.seedforge.quality;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import java.util.List;
import java.util.Map;

/** Builds candidates and quality settings for the tests. */
final class TestCandidates {
  private TestCandidates() {}

  static final Candidate.Provenance PROVENANCE =
      new Candidate.Provenance(List.of("seed-1"), "paraphrase", "t1", "lexical", null, "req-1", 0);

  static Candidate text(String text) {
    return Candidate.of("billing", Map.of("text", text), PROVENANCE, 0);
  }

  static Candidate instruction(String instruction, String input, String output) {
    return Candidate.of(
        "reply", Map.of("instruction", instruction, "input", input, "output", output), PROVENANCE, 0);
  }

  /** The settings the fixture file is written for: 3..60 tokens, English, 0.5, from 6 tokens. */
  static PipelineSpec.Quality fixtureQuality() {
    return new PipelineSpec.Quality(3, 60, "en", 0.5, 6, List.of());
  }
}
