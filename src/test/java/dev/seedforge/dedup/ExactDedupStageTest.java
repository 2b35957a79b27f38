package dev.seedforge.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/**
 * Exact duplicates and conflicting answers on the DirectRunner: which record stays, what every
 * dropped one is called and whom it names, and that several copies of one id leave one behind.
 */
class ExactDedupStageTest {
  static Candidate cand(String id, String label, String text, boolean seed) {
    Candidate.Provenance p = new Candidate.Provenance(List.of("s"), seed ? "seed" : "paraphrase", "t1", seed ? ExactDedup.SEED_GENERATOR : "openai", null, "req", 0);
    return new Candidate(id, label, Map.of("text", text), p, null);
  }

  static Candidate instr(String id, String instruction, String input, String output, boolean seed) {
    Candidate.Provenance p = new Candidate.Provenance(List.of("s"), seed ? "seed" : "new", "t1", seed ? ExactDedup.SEED_GENERATOR : "openai", null, "req", 0);
    return new Candidate(id, null, Map.of("instruction", instruction, "input", input, "output", output), p, null);
  }

  /**
   * Runs the stage and checks the kept ids (with multiplicity), every rejection as
   * {@code id filter related} (the reason must name the related record) and the ledger total.
   */
  private static void run(List<Candidate> in, TaskType task, List<String> keptIds, List<String> rejections) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(in).withCoder(JsonCoder.of(Candidate.class))).apply(new ExactDedup(task));
    PAssert.that(out.get(ExactDedup.KEPT)).satisfies(kept -> {
      List<String> ids = new ArrayList<>();
      kept.forEach(c -> ids.add(c.id()));
      assertThat(ids).containsExactlyInAnyOrderElementsOf(keptIds);
      return null;
    });
    PAssert.that(out.get(ExactDedup.REJECTIONS)).satisfies(rej -> {
      List<String> seen = new ArrayList<>();
      rej.forEach(r -> {
        assertThat(r.stage()).isEqualTo("dedup");
        assertThat(r.reason()).contains(r.relatedId());
        seen.add(r.id() + " " + r.filter() + " " + r.relatedId());
      });
      assertThat(seen).containsExactlyInAnyOrderElementsOf(rejections);
      return null;
    });
    PAssert.that(out.get(ExactDedup.LEDGER)).satisfies(ledger -> {
      long n = 0;
      for (KV<Ledger.Key, Long> kv : ledger) {
        assertThat(kv.getKey().counter()).isEqualTo(Counter.REJECTED);
        assertThat(kv.getKey().name()).startsWith("dedup/");
        n += kv.getValue();
      }
      assertThat(n).isEqualTo(rejections.size());
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void should_keep_the_seed_or_the_smallest_id_and_name_it_in_every_rejection() {
    List<Candidate> in = List.of(
        cand("s1", "refund", "I want my money back.", true),
        cand("g9", "refund", "i want my MONEY back", false),
        cand("b2", "shipping", "Where is my parcel?", false),
        cand("a1", "shipping", "where is my parcel", false),
        cand("c3", "shipping", "Where is my parcel ?!", false),
        cand("z", "shipping", "Something else entirely", false));
    run(in, TaskType.CLASSIFICATION, List.of("a1", "s1", "z"),
        List.of("g9 copy_of_seed s1", "b2 exact_duplicate a1", "c3 exact_duplicate a1"));
  }

  @Test
  void should_let_a_conflict_outrank_a_duplicate_decision_and_dropping_outrank_one_copy() {
    // a record's shard brings every decision about its id; the one that counts does not depend on their order
    assertThat(ExactDedup.effective(List.of())).isNull();
    assertThat(ExactDedup.effective(List.of("conflicting_label\tb", ExactDedup.ONE_COPY))).isEqualTo("conflicting_label\tb");
    assertThat(ExactDedup.effective(List.of(ExactDedup.ONE_COPY, "conflicting_label\tb"))).isEqualTo("conflicting_label\tb");
    assertThat(ExactDedup.effective(List.of("exact_duplicate\ta", "conflicts_with_seed\ts"))).isEqualTo("conflicts_with_seed\ts");
    assertThat(ExactDedup.effective(List.of("same_first_turn\ta", ExactDedup.ONE_COPY))).isEqualTo("same_first_turn\ta");
    assertThat(ExactDedup.effective(List.of(ExactDedup.ONE_COPY, "same_first_turn\ta"))).isEqualTo("same_first_turn\ta");
    assertThat(ExactDedup.effective(List.of("same_first_turn\ta", "exact_duplicate\tb"))).isEqualTo("exact_duplicate\tb");
    assertThat(ExactDedup.effective(List.of("exact_duplicate\tb", "same_first_turn\ta"))).isEqualTo("exact_duplicate\tb");
  }

  @Test
  void should_keep_one_of_several_copies_of_the_same_record() {
    // the same input line twice has the same id (ids hash the content)
    Candidate a = cand("dup", "shipping", "Where is my parcel?", false);
    List<Candidate> in = List.of(a, a, a, cand("b", "shipping", "Another question", false));
    // two of the three copies go, each naming the id that stays (its own)
    run(in, TaskType.CLASSIFICATION, List.of("dup", "b"), List.of("dup exact_duplicate dup", "dup exact_duplicate dup"));
  }

  @Test
  void should_reject_the_same_text_with_different_labels_unless_a_seed_decides() {
    List<Candidate> in = List.of(
        // no seed: both labels are suspect, both go
        cand("m1", "refund", "My order never came, I want my money back", false),
        cand("m2", "shipping", "my order never came - i want my money back!", false),
        // a seed says "shipping": the generated "refund" goes, the agreeing copy is a plain copy of the seed
        cand("s1", "shipping", "Where is my parcel?", true),
        cand("p1", "refund", "where is my parcel", false),
        cand("p2", "shipping", "Where is my parcel", false),
        cand("ok", "refund", "Refund me please", false));
    run(in, TaskType.CLASSIFICATION, List.of("ok", "s1"),
        List.of("m1 conflicting_label m2", "m2 conflicting_label m1", "p1 conflicts_with_seed s1", "p2 copy_of_seed s1"));
  }

  @Test
  void should_reject_instructions_whose_same_input_has_different_outputs() {
    List<Candidate> in = List.of(
        instr("i1", "Translate to French", "cat", "chat", false),
        instr("i2", "Translate to French", "cat", "le chat", false),
        instr("i3", "Translate to French", "dog", "chien", false),
        instr("i4", "translate to french", "DOG", "chien", false),
        instr("i5", "Translate to German", "cat", "Katze", false));
    run(in, TaskType.INSTRUCTION, List.of("i3", "i5"),
        List.of("i1 conflicting_output i2", "i2 conflicting_output i1", "i4 exact_duplicate i3"));
  }
  static Candidate chat(String id, boolean seed, String... turns) {
    Candidate.Provenance p = new Candidate.Provenance(List.of("s"), seed ? "seed" : "new", "t1", seed ? ExactDedup.SEED_GENERATOR : "openai", null, "req", 0);
    List<dev.seedforge.seed.Conversation.Turn> t = new ArrayList<>();
    for (int i = 0; i < turns.length; i++) {
      t.add(new dev.seedforge.seed.Conversation.Turn(i % 2 == 0 ? "user" : "assistant", turns[i]));
    }
    return new Candidate(id, null, Map.of("messages", dev.seedforge.seed.Conversation.write(t)), p, null);
  }

  @Test
  void should_keep_one_conversation_of_those_that_open_with_the_same_user_turn() {
    List<Candidate> in = List.of(
        chat("s1", true, "Where is my parcel?", "It arrives tomorrow."),
        chat("g1", false, "where is my PARCEL", "Let me check the tracking for you."),
        chat("g2", false, "Can I return shoes?", "Yes, within 30 days."),
        chat("g3", false, "Can I return shoes?", "Yes, unworn ones, within 30 days.", "How?", "With the label we email you."),
        chat("g4", false, "Can I return shoes?", "Yes, within 30 days."));
    run(in, TaskType.CONVERSATION, List.of("s1", "g2"),
        List.of("g1 same_first_turn s1", "g3 same_first_turn g2", "g4 exact_duplicate g2"));
  }
}
