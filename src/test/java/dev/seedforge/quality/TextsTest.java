package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.seed.TaskType;
import org.junit.jupiter.api.Test;

class TextsTest {

  @Test
  void classification_judges_the_text_field() {
    var c = TestCandidates.text("  My parcel is late.  ");

    assertThat(Texts.of(c, TaskType.CLASSIFICATION)).isEqualTo("My parcel is late.");
    assertThat(Texts.output(c, TaskType.CLASSIFICATION)).isEqualTo("My parcel is late.");
  }

  @Test
  void instruction_joins_instruction_input_and_output_with_newlines() {
    var c = TestCandidates.instruction("Reply to the customer.", "Where is my order?", "It ships tomorrow.");

    assertThat(Texts.of(c, TaskType.INSTRUCTION))
        .isEqualTo("Reply to the customer.\nWhere is my order?\nIt ships tomorrow.");
    assertThat(Texts.output(c, TaskType.INSTRUCTION)).isEqualTo("It ships tomorrow.");
  }

  @Test
  void instruction_without_input_skips_the_empty_field() {
    var c = TestCandidates.instruction("Write a greeting.", "", "Hello and welcome!");

    assertThat(Texts.of(c, TaskType.INSTRUCTION)).isEqualTo("Write a greeting.\nHello and welcome!");
  }
}
