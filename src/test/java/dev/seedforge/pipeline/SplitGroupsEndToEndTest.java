package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.balance.SplitFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline example's validation file against its train file, measured on every pair of a label. */
class SplitGroupsEndToEndTest {
  @TempDir Path out;

  @Test
  void should_write_no_validation_record_with_a_close_variant_in_train_and_say_how_close_the_closest_is() throws Exception {
    // given / when: the example pipeline, offline (lexical variants of 71 seeds)
    Runner.Outcome run = PipelineEndToEndTest.run(PipelineEndToEndTest.spec("auto", null, out));
    SplitFiles.Figures measured = SplitFiles.measure(out, true);

    // then: no validation record shares half its words, half its word triples, or a 0.9 MiniLM cosine with a train record
    assertThat(measured.validation()).isPositive();
    assertThat(measured.words().atLeastLow()).isZero();
    assertThat(measured.shingles().atLeastLow()).isZero();
    assertThat(measured.cosine().atLeastHigh()).isZero();
    // and the manifest reports the same figures
    JsonNode split = run.manifest().path("split");
    JsonNode validation = split.path("validation");
    assertThat(validation.path("records_with_train_jaccard_variant").asLong()).isZero();
    assertThat(validation.path("records_with_train_cosine_variant").asLong()).isZero();
    assertThat(validation.path("closest_train_jaccard").asDouble()).isCloseTo(measured.shingles().largest(), within(1e-6));
    assertThat(validation.path("closest_train_cosine").asDouble()).isCloseTo(measured.cosine().largest(), within(1e-5));
    assertThat(split.path("achieved").path("validation").asDouble())
        .isCloseTo((double) measured.validation() / (measured.validation() + measured.train()), within(1e-4));
    assertThat(split.path("groups").path("links").path("lineage").asLong()).isPositive();
    assertThat(split.path("groups").path("per_split").path("validation").asLong()).isPositive();
  }
}
