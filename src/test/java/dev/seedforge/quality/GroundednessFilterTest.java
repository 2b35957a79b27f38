package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.generate.Candidate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Grounded answers are kept, fabricated evidence and unsupported answers rejected with their score. */
class GroundednessFilterTest {
  static final String CHUNK =
      "The Senate of the United States shall be composed of two Senators from each State, chosen by the\n"
          + "Legislature thereof, for six Years; and each Senator shall have one Vote.\n\n"
          + "No Person shall be a Senator who shall not have attained to the Age of thirty Years, and been nine\n"
          + "Years a Citizen of the United States.";

  final GroundednessFilter filter = new GroundednessFilter(Map.of("c1", CHUNK), 0.6, null, 0);

  static Candidate grounded(String question, String answer, String evidence) {
    Candidate.Provenance p = new Candidate.Provenance(List.of(), "qa", "t", "openai", "m", "r1", 0,
        new Candidate.Grounding("documents/constitution.md", "c1", 0, CHUNK.length(), null, "Article I, Section 3"));
    return Candidate.of(null, Map.of("instruction", question, "input", "", "output", answer, "evidence", evidence), p, 0);
  }

  @Test
  void should_keep_an_answer_supported_by_evidence_quoted_with_other_spacing_and_case() {
    // given
    Candidate c = grounded("How long is a Senator's term?", "Each Senator is chosen for six years and has one vote.",
        "chosen by the legislature thereof, for six years; and each Senator shall have one vote");

    // when / then
    assertThat(filter.check(c).keep()).isTrue();
  }

  @Test
  void should_reject_evidence_that_is_not_in_the_chunk_with_the_share_that_is() {
    // given
    Candidate c = grounded("How long is a Senator's term?", "A Senator serves six years.",
        "Senators shall serve for a term of six years and may be re-elected once.");

    // when
    Verdict v = filter.check(c);

    // then
    assertThat(v.keep()).isFalse();
    assertThat(v.reason()).startsWith("the quoted evidence does not occur in the chunk (documents/constitution.md)");
    assertThat(v.score()).isLessThan(1.0);
    assertThat(v.threshold()).isEqualTo(1.0);
  }

  @Test
  void should_reject_an_answer_whose_words_are_not_in_the_chunk_naming_the_sentence() {
    // given
    Candidate c = grounded("Who may be a Senator?", "A Senator must be thirty. Senators also need a university degree in law and economics.",
        "No Person shall be a Senator who shall not have attained to the Age of thirty Years");

    // when
    Verdict v = filter.check(c);

    // then
    assertThat(v.keep()).isFalse();
    assertThat(v.reason()).contains("the answer is not supported by the chunk").contains("\"Senators also need a university degree in law and economics.\"");
    assertThat(v.score()).isLessThan(0.6);
    assertThat(v.threshold()).isEqualTo(0.6);
  }

  @Test
  void should_reject_a_grounded_candidate_without_evidence_and_leave_other_candidates_alone() {
    // given
    Candidate noEvidence = grounded("How many Senators per State?", "Two.", "");
    Candidate notGrounded = Candidate.of(null, Map.of("instruction", "Say hi", "input", "", "output", "Hi"),
        new Candidate.Provenance(List.of(), "new_task", "t", "openai", "m", "r2", 0), 0);

    // when / then
    assertThat(filter.check(noEvidence).reason()).isEqualTo("no evidence quoted from the chunk (documents/constitution.md)");
    assertThat(filter.check(notGrounded).keep()).isTrue();
  }

  @Test
  void should_accept_evidence_in_parts_joined_by_an_ellipsis() {
    // given / when
    double share = GroundednessFilter.quotedShare("The Senate of the United States ... each Senator shall have one Vote.", CHUNK);

    // then
    assertThat(share).isEqualTo(1.0);
  }
}
