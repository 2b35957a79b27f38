package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.quality.InstructionAsks.Ask;
import dev.seedforge.seed.TaskType;
import org.junit.jupiter.api.Test;

class InstructionAsksTest {
  @Test
  void names_the_language_a_translation_asks_for() {
    InstructionAsks asks = InstructionAsks.of("Translate the following sentence from German into French.");

    assertThat(asks.has(Ask.OTHER_LANGUAGE)).isTrue();
    assertThat(asks.language()).contains("fr");
  }

  @Test
  void finds_the_language_of_the_answer_without_the_word_translate() {
    assertThat(InstructionAsks.of("Quote the opening lines of Dante's Inferno in the original Italian.").language()).contains("it");
    assertThat(InstructionAsks.of("How do you say \"Thank you very much\" in Japanese?").language()).contains("ja");
    assertThat(InstructionAsks.of("Explain this contract in plain English.").language()).contains("en");
  }

  @Test
  void does_not_take_a_language_adjective_for_the_answers_language() {
    assertThat(InstructionAsks.of("Describe the role of women in French cinema.").language()).isEmpty();
    assertThat(InstructionAsks.of("Write a short welcome note to German visitors.").language()).isEmpty();
    assertThat(InstructionAsks.of("Translate the menu to German for our visitors.").language()).contains("de");
    assertThat(InstructionAsks.of("Write a poem in Spanish about the sea.").language()).contains("es");
  }

  @Test
  void knows_another_language_is_asked_for_when_none_is_named() {
    InstructionAsks several = InstructionAsks.of("Say hello in five different languages.");
    InstructionAsks sourceOnly = InstructionAsks.of("Translate this poem from Spanish.");

    assertThat(several.has(Ask.OTHER_LANGUAGE)).isTrue();
    assertThat(several.language()).isEmpty();
    assertThat(sourceOnly.has(Ask.OTHER_LANGUAGE)).isTrue();
    assertThat(sourceOnly.language()).isEmpty();
  }

  @Test
  void finds_requested_structures() {
    assertThat(InstructionAsks.of("Give me links to the official documentation of Python, Java and Rust.").asks())
        .contains(Ask.LINKS, Ask.CODE);
    assertThat(InstructionAsks.of("Create a table with the first five chemical elements.").asks()).contains(Ask.TABLE);
    assertThat(InstructionAsks.of("Solve this sudoku and print the completed grid.").asks()).contains(Ask.GRID, Ask.FORMULA);
    assertThat(InstructionAsks.of("What is the formula for the roots of a quadratic equation?").asks()).contains(Ask.FORMULA);
    assertThat(InstructionAsks.of("Give the title and author of the novel as JSON.").asks()).contains(Ask.STRUCTURED_DATA, Ask.TITLE_OR_VERSE);
    assertThat(InstructionAsks.of("Write an email template for requesting a meeting.").asks()).contains(Ask.TEMPLATE);
  }

  @Test
  void finds_nothing_in_a_plain_question() {
    assertThat(InstructionAsks.of("What is the plot of the movie The Matrix?")).isEqualTo(InstructionAsks.NONE);
    assertThat(InstructionAsks.of("Is there anything I can eat for a breakfast that doesn't include eggs?")).isEqualTo(InstructionAsks.NONE);
    assertThat(InstructionAsks.of("")).isEqualTo(InstructionAsks.NONE);
  }

  @Test
  void is_read_once_per_candidate_and_never_for_classification() {
    CandidateText instruction = new CandidateText(
        TestCandidates.instruction("Translate the sentence into Spanish.", "Good morning.", "Buenos días."), TaskType.INSTRUCTION);
    CandidateText text = new CandidateText(TestCandidates.text("please translate my invoice into French"), TaskType.CLASSIFICATION);

    assertThat(instruction.asks()).isSameAs(instruction.asks());
    assertThat(instruction.asks().language()).contains("es");
    assertThat(text.asks()).isEqualTo(InstructionAsks.NONE);
  }
}
