package dev.seedforge.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/** The Beam stage on the DirectRunner: clusters, the kept record, rejections and cluster ids. */
class NearDedupStageTest {
  static Candidate cand(String id, String text, boolean seed) {
    Candidate.Provenance p = new Candidate.Provenance(List.of("s"), seed ? "seed" : "paraphrase", "t1", seed ? ExactDedup.SEED_GENERATOR : "lexical", null, "req", 0);
    return new Candidate(id, "refund", Map.of("text", text), p, null);
  }

  static final String REFUND = "I was charged twice for my subscription this month so please refund one of the two payments";

  @Test
  void should_drop_near_copies_naming_the_kept_record_and_share_cluster_ids() {
    List<Candidate> in = List.of(
        cand("seed1", REFUND, true),
        cand("g2", REFUND + " today", false),
        cand("g1", "thanks " + REFUND, false),
        cand("h1", "How do I change the shipping address on an order that has not shipped yet and is still being packed", false),
        cand("h2", "How do I change the shipping address on an order that has not shipped yet and is still being packed?!", false),
        cand("x", "My package arrived damaged and the box was soaked", false));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(in).withCoder(JsonCoder.of(Candidate.class)))
        .apply(new NearDedup(new PipelineSpec.Dedup(true, 0.8, 3, 128), TaskType.CLASSIFICATION, 42, List.of()));
    PAssert.that(out.get(NearDedup.KEPT)).satisfies(kept -> {
      List<String> ids = new ArrayList<>();
      kept.forEach(c -> ids.add(c.id()));
      assertThat(ids).containsExactlyInAnyOrder("seed1", "h1", "x");
      kept.forEach(c -> {
        double expected = NearDuplicates.clusterNumber(c.id());
        assertThat(c.features().get(NearDedup.CLUSTER)).isEqualTo(expected);
      });
      return null;
    });
    PAssert.that(out.get(NearDedup.REJECTIONS)).satisfies(rej -> {
      List<Rejection> rs = new ArrayList<>();
      rej.forEach(rs::add);
      assertThat(rs).extracting(Rejection::id).containsExactlyInAnyOrder("g1", "g2", "h2");
      for (Rejection r : rs) {
        assertThat(r.stage()).isEqualTo("dedup");
        assertThat(r.threshold()).isEqualTo(0.8);
        assertThat(r.score()).isGreaterThanOrEqualTo(0.8);
        if (r.id().startsWith("g")) {
          assertThat(r.filter()).isEqualTo("near_copy_of_seed");
          assertThat(r.relatedId()).isEqualTo("seed1");
        } else {
          assertThat(r.filter()).isEqualTo("near_duplicate");
          assertThat(r.relatedId()).isEqualTo("h1");
          assertThat(r.reason()).contains("h1");
        }
      }
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void should_compare_with_seeds_that_are_not_in_the_dataset() {
    List<Candidate> in = List.of(cand("g2", REFUND + " today", false), cand("x", "My package arrived damaged and the box was soaked", false));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(in).withCoder(JsonCoder.of(Candidate.class)))
        .apply(new NearDedup(new PipelineSpec.Dedup(true, 0.8, 3, 128), TaskType.CLASSIFICATION, 42, List.of(cand("seed1", REFUND, true))));
    PAssert.that(out.get(NearDedup.KEPT)).satisfies(kept -> {
      List<String> ids = new ArrayList<>();
      kept.forEach(c -> ids.add(c.id()));
      assertThat(ids).containsExactly("x");
      return null;
    });
    PAssert.that(out.get(NearDedup.REJECTIONS)).satisfies(rej -> {
      rej.forEach(r -> assertThat(r.relatedId()).isEqualTo("seed1"));
      assertThat(rej).hasSize(1);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
