package dev.seedforge.pairs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.judge.Verdict;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankingTest {
  /** Verdicts by shown id for scores given in the order shown. */
  static Map<Integer, Verdict> shown(double... scores) {
    Map<Integer, Verdict> m = new HashMap<>();
    for (int i = 0; i < scores.length; i++) {
      m.put(i + 1, new Verdict(scores[i], null, ""));
    }
    return m;
  }

  @Test
  void should_choose_the_best_and_reject_the_worst_when_both_orders_agree() {
    // given answers scored 3, 9, 5 and, shown reversed (5, 9, 3), the same again
    Ranking.Decision d = Ranking.decide(shown(3, 9, 5), shown(5, 9, 3), 3);

    assertThat(d.consistent()).isTrue();
    assertThat(d.best()).isEqualTo(1);
    assertThat(d.worst()).isEqualTo(0);
    assertThat(d.concordance()).isEqualTo(1.0);
  }

  @Test
  void should_call_a_judge_that_prefers_whatever_it_reads_first_inconsistent() {
    // the first shown always gets 9: forward answer 1, reversed answer 3
    Ranking.Decision d = Ranking.decide(shown(9, 5, 2), shown(9, 5, 2), 3);

    assertThat(d.consistent()).isFalse();
    assertThat(d.problem()).contains("picks answer 1 best and 3 worst").contains("picks 3 best and 1 worst");
    assertThat(d.concordance()).isZero();
  }

  @Test
  void should_call_a_tie_for_best_or_worst_inconsistent() {
    assertThat(Ranking.decide(shown(8, 8, 2), shown(2, 8, 8), 3).problem()).contains("ties answers 1 and 2 for best (8)");
    assertThat(Ranking.decide(shown(9, 2, 2), shown(2, 2, 9), 3).problem()).contains("ties answers 2 and 3 for worst (2)");
  }
}
