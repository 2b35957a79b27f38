package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.SpecLoader;
import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.SeedforgePipeline;
import dev.seedforge.seed.Conversation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The support-chat pack's gate on conversations made from its own seeds, each broken one way. */
class ConversationGateTest {
  static QualityGate gate;
  static List<Conversation.Turn> seed;

  @BeforeAll
  static void load() {
    var spec = SpecLoader.load(Path.of("pipelines/support-chat.yaml"), Map.of(), new SpecLoader.Overrides("lexical", null, null, null, null));
    RunPlan plan = RunPlan.prepare(spec, Map.of());
    gate = SeedforgePipeline.gate(plan);
    seed = Conversation.turns(plan.seeds().get(1).fields());
  }

  static Candidate conversation(List<Conversation.Turn> turns) {
    return Candidate.of(null, Map.of(Conversation.MESSAGES, Conversation.write(turns)), TestCandidates.PROVENANCE, 0);
  }

  static Optional<QualityGate.Rejected> verdict(List<Conversation.Turn> turns) {
    return gate.firstRejection(conversation(turns));
  }

  static List<Conversation.Turn> withTurn(int index, String role, String content) {
    List<Conversation.Turn> t = new ArrayList<>(seed);
    t.set(index, new Conversation.Turn(role, content));
    return t;
  }

  @Test
  void should_keep_a_seed_conversation() {
    assertThat(verdict(seed)).isEmpty();
  }

  @Test
  void should_reject_turns_out_of_order_empty_or_ending_with_the_user_and_name_the_turn() {
    assertThat(verdict(withTurn(1, "user", seed.get(1).content()))).hasValueSatisfying(r -> {
      assertThat(r.filter()).isEqualTo("roles_out_of_order");
      assertThat(r.verdict().reason()).startsWith("turn 2 is \"user\" where assistant was due");
    });
    assertThat(verdict(withTurn(3, "assistant", " "))).hasValueSatisfying(r -> {
      assertThat(r.filter()).isEqualTo("empty_turn");
      assertThat(r.verdict().reason()).isEqualTo("turn 4 (assistant) is empty");
    });
    assertThat(verdict(seed.subList(0, 3))).hasValueSatisfying(r -> assertThat(r.filter()).isEqualTo("last_turn_not_assistant"));
  }

  @Test
  void should_reject_a_turn_that_repeats_an_earlier_one() {
    assertThat(verdict(withTurn(3, "assistant", seed.get(1).content().toUpperCase()))).hasValueSatisfying(r -> {
      assertThat(r.filter()).isEqualTo("repeated_turn");
      assertThat(r.verdict().reason()).startsWith("turn 4 (assistant) repeats turn 2 (assistant)");
    });
  }

  @Test
  void should_reject_more_assistant_turns_than_the_pack_and_the_seeds_allow() {
    List<Conversation.Turn> longer = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      longer.add(new Conversation.Turn("user", "Question " + i + " about my order 5512" + i + " and its delivery to the new flat?"));
      longer.add(new Conversation.Turn("assistant", "Answer " + i + ": the parcel for order 5512" + i + " is with the courier and arrives within "
          + (i + 2) + " business days, and you will get a tracking email today."));
    }

    assertThat(verdict(longer)).hasValueSatisfying(r -> {
      assertThat(r.filter()).isEqualTo("turn_count");
      assertThat(r.verdict().reason()).startsWith("5 assistant turns, more than the 4");
    });
  }

  @Test
  void should_judge_each_assistant_turn_with_the_answer_filters_and_name_it() {
    assertThat(verdict(withTurn(3, "assistant", "Ok."))).hasValueSatisfying(r -> {
      assertThat(r.filter()).isEqualTo("token_count");
      assertThat(r.verdict().reason()).startsWith("turn 4 (assistant): 2 tokens, fewer than the minimum");
    });
    assertThat(verdict(withTurn(3, "assistant",
        "Gracias por su paciencia. He organizado un reemplazo gratuito de la lámpara, que se enviará mañana por la mañana con el mensajero.")))
        .hasValueSatisfying(r -> {
          assertThat(r.filter()).isEqualTo("language");
          assertThat(r.verdict().reason()).startsWith("turn 4 (assistant): ");
        });
  }

  @Test
  void should_reject_a_refusal_when_the_seed_conversations_never_refuse() {
    assertThat(verdict(withTurn(3, "assistant",
        "I'm sorry, but as an AI language model I cannot help with replacing items or looking up orders for you today.")))
        .hasValueSatisfying(r -> {
          assertThat(r.filter()).isEqualTo("refusal_boilerplate");
          assertThat(r.verdict().reason()).startsWith("turn 4 (assistant): ");
        });
  }
}
