package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.testing.SpecFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** token_count bounds: as written, or derived from the seeds' own lengths when left out. */
class TokenBoundsTest {
  static final List<String> SEEDS = List.of(
      "Where is my order?",                                                        // 5 tokens
      "I was charged twice for the same order last week, can you refund one?",      // 16
      "Please cancel my subscription.");                                          // 5

  static PipelineSpec.Quality quality(int min, int max, double band) {
    PipelineSpec.Quality d = new PipelineSpec.Quality(min, max, "en", 0.5, 6, List.of());
    return new PipelineSpec.Quality(min, max, "en", 0.5, 6, List.of(), d.noise(), d.relevance(), band);
  }

  @Test
  void should_derive_both_bounds_from_the_shortest_and_longest_seed() {
    assertThat(NlpTools.tokenCount(SEEDS.get(0))).isEqualTo(5);
    assertThat(NlpTools.tokenCount(SEEDS.get(1))).isEqualTo(16);
    TokenBounds b = TokenBounds.of(quality(PipelineSpec.Quality.FROM_SEEDS, PipelineSpec.Quality.FROM_SEEDS, 2), SEEDS);
    assertThat(b.min()).isEqualTo(2); // floor(5 / 2)
    assertThat(b.max()).isEqualTo(32); // 16 * 2
    assertThat(b.minFromSeeds()).isTrue();
    assertThat(b.describe()).isEqualTo("2..32 tokens (both from the seeds' 5..16 tokens with quality.length_band 2)");

    TokenBounds wide = TokenBounds.of(quality(PipelineSpec.Quality.FROM_SEEDS, PipelineSpec.Quality.FROM_SEEDS, 3.5), SEEDS);
    assertThat(wide.min()).isEqualTo(1);
    assertThat(wide.max()).isEqualTo(56);
  }

  @Test
  void should_use_written_bounds_and_derive_only_the_missing_one() {
    TokenBounds both = TokenBounds.of(quality(4, 100, 2), SEEDS);
    assertThat(both).extracting(TokenBounds::min, TokenBounds::max).containsExactly(4, 100);
    assertThat(both.describe()).isEqualTo("4..100 tokens (as configured)");

    TokenBounds maxOnly = TokenBounds.of(quality(4, PipelineSpec.Quality.FROM_SEEDS, 2), SEEDS);
    assertThat(maxOnly).extracting(TokenBounds::min, TokenBounds::max).containsExactly(4, 32);
    assertThat(maxOnly.describe()).contains("the maximum from the seeds");

    // a written minimum above the derived maximum still makes a range
    TokenBounds clash = TokenBounds.of(quality(40, PipelineSpec.Quality.FROM_SEEDS, 2), SEEDS);
    assertThat(clash).extracting(TokenBounds::min, TokenBounds::max).containsExactly(40, 40);
  }

  @Test
  void should_fall_back_to_fixed_defaults_without_seeds() {
    TokenBounds b = TokenBounds.of(quality(PipelineSpec.Quality.FROM_SEEDS, PipelineSpec.Quality.FROM_SEEDS, 2), List.of());
    assertThat(b).extracting(TokenBounds::min, TokenBounds::max).containsExactly(TokenBounds.FALLBACK_MIN, TokenBounds.FALLBACK_MAX);
    assertThat(b.minFromSeeds()).isFalse();
  }

  @Test
  void the_gate_rejects_by_the_derived_bounds() {
    var seeds = SEEDS.stream().map(t -> new DomainRelevanceFilter.SeedText(Integer.toHexString(t.hashCode()), "x", t)).toList();
    PipelineSpec.Quality q = quality(PipelineSpec.Quality.FROM_SEEDS, PipelineSpec.Quality.FROM_SEEDS, 2);
    QualityGate gate = QualityGate.fromSpec(q, dev.seedforge.seed.TaskType.CLASSIFICATION, new QualityGate.Context(List.of(), List.of(), Map.of(), List.of(), seeds));
    Filter tokens = gate.filters().get(0);
    assertThat(tokens.name()).isEqualTo(TokenCountFilter.NAME);
    String longText = "My order arrived late and the box was open, two items were missing, the receipt was wrong, "
        + "the courier was rude, and nobody answered the phone when I called your support line twice yesterday.";
    assertThat(tokens.check(TestCandidates.text(longText)).keep()).isFalse();
    assertThat(tokens.check(TestCandidates.text(longText)).threshold()).isEqualTo(32.0);
    assertThat(tokens.check(TestCandidates.text("Where is my parcel now?")).keep()).isTrue();
  }

  @Test
  void an_instruction_gate_bounds_the_output_by_the_seeds_outputs() {
    // given two Self-Instruct seed tasks whose outputs have 1 and 12 tokens
    List<String> outputs = List.of("Positive", "The relation between the given pairs is that they are opposites.");
    var seeds = List.of(
        new DomainRelevanceFilter.SeedText("a", "x", "Classify the sentiment of the sentence into positive or negative.\nI love it.\nPositive"),
        new DomainRelevanceFilter.SeedText("b", "x", "What is the relation between the given pairs?\nNight : Day :: Right : Left\n" + outputs.get(1)));
    PipelineSpec.Quality q = quality(PipelineSpec.Quality.FROM_SEEDS, PipelineSpec.Quality.FROM_SEEDS, 2);

    // when the gate of an instruction pack is built from them
    QualityGate gate = QualityGate.fromSpec(q, dev.seedforge.seed.TaskType.INSTRUCTION, new QualityGate.Context(outputs, List.of(), Map.of(), List.of(), seeds));
    Filter tokens = gate.filters().get(0);
    String longInstruction = "Read the following long customer e-mail carefully, think about what the customer wants, and then answer "
        + "the question that follows it in one short sentence of your own words.";
    String longOutput = "The customer wants a refund for the second charge, an apology for the delay, a new delivery date, "
        + "and a working phone number for the support line.";

    // then the band is 1..24 output tokens (floor(1 / 2) at least 1, 12 × 2), whatever the instruction's length
    assertThat(tokens.toString()).isEqualTo("token_count[1..24]");
    assertThat(tokens.check(TestCandidates.instruction(longInstruction, "", "A refund.")).keep()).isTrue();
    assertThat(tokens.check(TestCandidates.instruction("Summarise the e-mail.", "", longOutput)).keep()).isFalse();
    assertThat(tokens.check(TestCandidates.instruction("Summarise the e-mail.", "", "")).reason()).isEqualTo("0 tokens, fewer than the minimum 1");
  }

  @Test
  void the_pipeline_file_leaves_them_to_the_seeds_unless_written(@TempDir Path dir) throws Exception {
    SpecFixture fixture = new SpecFixture(dir);
    PipelineSpec.Quality q = fixture.load("quality:\n  length_band: 3\n").quality();
    assertThat(q.minTokens()).isEqualTo(PipelineSpec.Quality.FROM_SEEDS);
    assertThat(q.maxTokens()).isEqualTo(PipelineSpec.Quality.FROM_SEEDS);
    assertThat(q.lengthBand()).isEqualTo(3.0);
    q = fixture.load("quality:\n  min_tokens: 2\n").quality();
    assertThat(q.minTokens()).isEqualTo(2);
    assertThat(q.maxTokens()).isEqualTo(PipelineSpec.Quality.FROM_SEEDS);
  }
}
