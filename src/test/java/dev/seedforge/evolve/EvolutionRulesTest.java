package dev.seedforge.evolve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Evol-Instruct's elimination rules on real Self-Instruct tasks and the ways a rewrite goes wrong. */
class EvolutionRulesTest {
  private static final String TEMPLATE = "Rewrite one task of an instruction-tuning dataset ({{domain}}) into a new, harder or rarer version of it.\n"
      + "It reads as a request of its own: it never says that it was rewritten and never refers to an earlier version.";
  private final EvolutionRules rules = new EvolutionRules(List.of(TEMPLATE, "Add exactly one more constraint or requirement to the task."));
  private static final String PARENT = "Generate a one-sentence description for each of the following people.";

  @Test
  void should_keep_a_rewrite_that_adds_a_real_constraint() {
    // given a rewrite that asks for more
    String evolved = PARENT + " Mention one achievement of each person and keep every sentence under 20 words.";

    // when / then
    assertThat(rules.judgeRewrite(evolved, PARENT).rejected()).isFalse();
  }

  @Test
  void should_reject_a_rewrite_that_leaks_the_evolving_prompts_markers() {
    EvolutionRules.Verdict v = rules.judgeRewrite("#Rewritten Prompt#: " + PARENT + " Use a formal tone.", PARENT);

    assertThat(v.filter()).isEqualTo(EvolutionRules.COPIES_PROMPT);
    assertThat(v.reason()).contains("#rewritten prompt#");
  }

  @Test
  void should_reject_a_rewrite_that_refers_to_the_given_prompt() {
    assertThat(rules.judgeRewrite("Make the given prompt harder: describe each person in one sentence.", PARENT).filter())
        .isEqualTo(EvolutionRules.COPIES_PROMPT);
  }

  @Test
  void should_reject_a_rewrite_that_copies_six_words_of_the_template() {
    String evolved = "Add exactly one more constraint or requirement: describe each person in one sentence.";

    EvolutionRules.Verdict v = rules.judgeRewrite(evolved, PARENT);

    assertThat(v.filter()).isEqualTo(EvolutionRules.COPIES_PROMPT);
    assertThat(v.reason()).contains("6 consecutive words");
  }

  @Test
  void should_reject_a_rewrite_with_no_content_word_its_parent_lacks() {
    // given the parent reworded with its own words and function words only
    String evolved = "For each of the following people, generate a description of one sentence.";

    EvolutionRules.Verdict v = rules.judgeRewrite(evolved, PARENT);

    assertThat(v.filter()).isEqualTo(EvolutionRules.NO_NEW_INFORMATION);
    assertThat(v.score()).isZero();
    assertThat(v.reason()).contains("ROUGE-L");
  }

  @Test
  void should_reject_a_short_apology_as_a_refusal_but_keep_a_long_answer_that_apologises() {
    assertThat(rules.judgeAnswer("I'm sorry, but I can't help with that request.").filter()).isEqualTo(EvolutionRules.REFUSAL);
    String longAnswer = "Sorry for the long list. " + "Barack Obama served two terms as the 44th president of the United States. ".repeat(8);
    assertThat(rules.judgeAnswer(longAnswer).rejected()).isFalse();
  }

  @Test
  void should_reject_an_answer_of_function_words_and_punctuation_only() {
    assertThat(rules.judgeAnswer("It is... the one.").filter()).isEqualTo(EvolutionRules.TOO_SHORT);
    assertThat(rules.judgeAnswer("Positive").rejected()).as("a one-word class is an answer").isFalse();
  }
}
