package dev.seedforge.evolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Self-Instruct's not_novel rule: ROUGE-L against everything already in the pool, found through LSH. */
class NoveltyTest {
  @Test
  void should_score_rouge_l_as_the_lcs_f_measure_of_lower_case_word_tokens() {
    // LCS "the cat on the mat" = 5 of 6 and 6 tokens
    assertThat(RougeL.score("The cat sat on the mat.", "the cat lay on the MAT")).isCloseTo(10.0 / 12, within(1e-9));
    assertThat(RougeL.score("", "anything")).isZero();
    assertThat(RougeL.score("Write a poem", "Write a poem")).isEqualTo(1.0);
  }

  @Test
  void should_reject_a_task_too_close_to_a_seed_naming_the_seed_and_score() {
    List<Novelty.Row> rows = List.of(
        new Novelty.Row("seed-1", "generation", "Generate a one-sentence description for each of the following people.", true, 0, false),
        new Novelty.Row("gen-1", "generation", "Generate a one-sentence description for each of these people.", false, 0, false),
        new Novelty.Row("gen-2", "generation", "Explain how a refrigerator keeps food cold.", false, 0, false));

    Map<String, Novelty.Verdict> verdicts = Novelty.judge(rows, 0.7, 42);

    assertThat(verdicts).containsOnlyKeys("gen-1");
    assertThat(verdicts.get("gen-1").closestId()).isEqualTo("seed-1");
    assertThat(verdicts.get("gen-1").score()).isGreaterThanOrEqualTo(0.7);
    assertThat(verdicts.get("gen-1").reason(0.7)).contains("seed-1").contains("0.70");
  }

  @Test
  void should_keep_the_first_of_two_close_tasks_of_one_round_and_never_reject_seeds_or_evolved_tasks() {
    List<Novelty.Row> rows = List.of(
        new Novelty.Row("b", "generation", "List five fruits that are rich in vitamin C.", false, 1, false),
        new Novelty.Row("a", "generation", "List five fruits that are rich in vitamin C and iron.", false, 1, false),
        new Novelty.Row("old", "generation", "Name three rivers of Africa and their lengths.", false, 0, false),
        new Novelty.Row("evolved", "generation", "Name three rivers of Africa and their lengths in miles.", false, 1, true),
        new Novelty.Row("s1", "generation", "Name three rivers of Africa and their lengths.", true, 0, false));

    Map<String, Novelty.Verdict> verdicts = Novelty.judge(rows, 0.7, 42);

    // a round-0 task is compared with the seeds before round 1's tasks; "a" sorts before "b" within round 1
    assertThat(verdicts).containsOnlyKeys("b", "old");
    assertThat(verdicts.get("b").closestId()).isEqualTo("a");
    assertThat(verdicts.get("old").closestId()).isEqualTo("s1");
  }

  @Test
  void should_find_through_lsh_what_all_pairs_rouge_l_finds_on_paraphrases_over_the_bound() {
    // given pairs at ROUGE-L around and over 0.7: near-linear look-ups must still find them
    NoveltyIndex index = new NoveltyIndex(7);
    String[] base = {
      "Write a short story about a robot who learns to paint with watercolours.",
      "Summarize the following article about climate change in three sentences.",
      "Translate the sentence into French and explain the grammar you used.",
      "Give me three tips for staying focused while studying for exams at home."
    };
    for (int i = 0; i < base.length; i++) {
      index.add("s" + i, base[i]);
    }
    int found = 0;
    for (String b : base) {
      String close = b.replace(" a ", " one ").replace(" the ", " this ");
      NoveltyIndex.Closest c = index.closest(close);
      if (RougeL.score(close, b) >= 0.7 && c.score() >= 0.7) {
        found++;
      }
    }
    assertThat(found).isEqualTo(base.length);
  }
}
