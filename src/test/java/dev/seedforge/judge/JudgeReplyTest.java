package dev.seedforge.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Judge replies as models write them: clean, fenced, cut short, partial, or with verdicts that break the rules. */
class JudgeReplyTest {
  static final Set<String> LABELS = Set.of("refund", "order_status");

  @Test
  void should_read_one_verdict_per_candidate_in_any_order() {
    JudgeReply r = JudgeReply.parse("{\"verdicts\": [{\"id\": 2, \"score\": 2, \"label\": \"refund\", \"rationale\": \"vague\"},"
        + " {\"id\": 1, \"score\": 5, \"label\": \"order_status\", \"rationale\": \"clear\"}]}", 2, true, 1, 5, true, LABELS);

    assertThat(r.problem()).isNull();
    assertThat(r.verdicts()).containsEntry(1, new Verdict(5.0, "order_status", "clear")).containsEntry(2, new Verdict(2.0, "refund", "vague"));
  }

  @Test
  void should_read_a_fenced_reply_with_prose_around_it() {
    JudgeReply r = JudgeReply.parse("Here are my verdicts:\n```json\n{\"verdicts\": [{\"id\": 1, \"score\": 4, \"rationale\": \"ok\"}]}\n```\nDone.",
        1, true, 1, 5, false, LABELS);

    assertThat(r.verdicts()).containsOnlyKeys(1);
    assertThat(r.problem()).isNull();
  }

  @Test
  void should_keep_the_complete_verdicts_of_a_reply_cut_short_and_say_how_many_are_missing() {
    JudgeReply r = JudgeReply.parse("{\"verdicts\": [{\"id\": 1, \"score\": 4, \"rationale\": \"ok\"}, {\"id\": 2, \"sco", 3, true, 1, 5, false, LABELS);

    assertThat(r.verdicts()).containsOnlyKeys(1);
    assertThat(r.problem()).isEqualTo("2 of 3 candidates have no verdict");
  }

  @Test
  void should_drop_verdicts_off_the_scale_with_unknown_labels_or_for_no_candidate() {
    JudgeReply r = JudgeReply.parse("{\"verdicts\": [{\"id\": 1, \"score\": 9, \"label\": \"refund\"}, {\"id\": 2, \"score\": 3, \"label\": \"shoes\"},"
        + " {\"id\": 7, \"score\": 3, \"label\": \"refund\"}, {\"id\": 3, \"score\": 3, \"label\": \"refund\"}]}", 3, true, 1, 5, true, LABELS);

    assertThat(r.verdicts()).containsOnlyKeys(3);
    assertThat(r.problem()).isEqualTo("candidate 1: score 9 is not a number from 1 to 5");
  }

  @Test
  void should_say_what_came_back_when_there_are_no_verdicts() {
    assertThat(JudgeReply.parse("I cannot judge these.", 2, true, 1, 5, false, LABELS).problem())
        .isEqualTo("no verdicts in the reply: I cannot judge these.");
    assertThat(JudgeReply.parse("", 2, true, 1, 5, false, LABELS).problem()).isEqualTo("empty reply");
  }
}
