package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.lexical.LexicalAugmenter;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/** The seeds read in one pass: their counts, the seeds as candidates, and their lexical variants. */
class ReadSeedsTest {
  private static final List<Seed> SEEDS = List.of(
      new Seed("s1", "billing", Map.of("text", "I was charged twice for my subscription this month"), "seeds.jsonl", 1),
      new Seed("s2", "billing", Map.of("text", "Why is there an extra fee on my latest invoice"), "seeds.jsonl", 2),
      new Seed("s3", "shipping", Map.of("text", "My package has not arrived after two weeks"), "seeds.jsonl", 3));

  @Test
  void should_split_items_into_consecutive_groups_whose_sizes_differ_by_at_most_one() {
    List<Integer> items = IntStream.range(0, 71).boxed().toList();

    List<List<Integer>> groups = ReadSeeds.groups(items, 3);

    assertThat(groups).extracting(List::size).containsExactly(23, 24, 24);
    assertThat(groups.stream().flatMap(List::stream).toList()).isEqualTo(items);
  }

  @Test
  void should_give_one_group_per_item_with_no_group_count_and_never_an_empty_group() {
    assertThat(ReadSeeds.groups(List.of("a", "b", "c"), 0)).containsExactly(List.of("a"), List.of("b"), List.of("c"));
    assertThat(ReadSeeds.groups(List.of("a", "b"), 5)).containsExactly(List.of("a"), List.of("b"));
    assertThat(ReadSeeds.groups(List.of(), 3)).isEmpty();
  }

  @Test
  void should_count_each_seed_output_it_as_a_candidate_and_its_lexical_variants_with_their_counts() {
    // given
    LexicalAugmenter lexical = new LexicalAugmenter(new PipelineSpec.Lexical(3, 0.1, 0.1, 0.1, 0.1), 42, TaskType.CLASSIFICATION);
    List<Candidate> variants = new ArrayList<>();
    SEEDS.forEach(s -> variants.addAll(lexical.variants(s)));
    assertThat(variants).isNotEmpty();
    List<KV<Ledger.Key, Long>> counts = new ArrayList<>(List.of(
        Ledger.count(Counter.SEEDS_READ, "billing", 1), Ledger.count(Counter.SEEDS_READ, "billing", 1), Ledger.count(Counter.SEEDS_READ, "shipping", 1)));
    variants.forEach(c -> counts.add(Ledger.count(Counter.GENERATED, c.label(), 1)));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());

    // when
    PCollectionTuple read = p.apply(ReadSeeds.of(SEEDS, true).withLexical(lexical).withGroups(2));

    // then
    PAssert.that(read.get(ReadSeeds.LEDGER)).containsInAnyOrder(counts);
    PAssert.that(read.get(ReadSeeds.SEEDS)).containsInAnyOrder(SEEDS.stream().map(SeedforgePipeline::asCandidate).toList());
    PAssert.that(read.get(ReadSeeds.VARIANTS)).containsInAnyOrder(variants);
    p.run().waitUntilFinish();
  }

  @Test
  void should_output_no_candidates_when_the_seeds_are_not_included_and_nothing_is_generated_offline() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());

    PCollectionTuple read = p.apply(ReadSeeds.of(SEEDS, false));

    PAssert.that(read.get(ReadSeeds.SEEDS)).empty();
    PAssert.that(read.get(ReadSeeds.VARIANTS)).empty();
    PAssert.that(read.get(ReadSeeds.LEDGER)).containsInAnyOrder(
        Ledger.count(Counter.SEEDS_READ, "billing", 1), Ledger.count(Counter.SEEDS_READ, "billing", 1), Ledger.count(Counter.SEEDS_READ, "shipping", 1));
    p.run().waitUntilFinish();
  }
}
