package dev.seedforge.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.dedup.MinHasher;
import dev.seedforge.generate.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitGroupsTest {
  static final SplitGroups.Settings JACCARD_ONLY = new SplitGroups.Settings(true, 0.5, 0, 3, 128, 42, null);
  static final MinHasher HASHER = JACCARD_ONLY.hasher();

  static SplitGroups.Member member(String id, String lineage, String text) {
    return new SplitGroups.Member(id, "id:" + id, lineage, HASHER.shingles(text), null);
  }

  @Test
  void should_keep_a_seed_and_the_records_made_from_it_in_one_group() {
    // given: a seed, two lexical variants of it (different words) and an unrelated record
    List<SplitGroups.Member> members = List.of(
        member("s1", "s1", "where is my parcel it was due on monday"),
        member("v1", "s1", "whereabouts is my package it was owed on monday"),
        member("v2", "s1", "where my parcel due monday"),
        member("x", null, "please cancel the blender i ordered this morning"));

    // when
    SplitGroups.Result r = SplitGroups.of(members, JACCARD_ONLY, HASHER);

    // then
    assertThat(r.groupOf().get("v1")).isEqualTo("s1").isEqualTo(r.groupOf().get("v2"));
    assertThat(r.groupOf().get("x")).isEqualTo("x");
    assertThat(r.groups()).isEqualTo(2);
    assertThat(r.largest()).isEqualTo(3);
    assertThat(r.lineageLinks()).isEqualTo(2);
  }

  @Test
  void should_join_word_swap_variants_over_the_bound_and_their_chains_but_not_records_below_it() {
    // given: a at 0.6 with b (3-word shingles: 6 shared of 10), b close to c, d only shares a few words
    String a = "my order 1234 has not arrived yet and the tracking page shows nothing at all";
    String b = "my order 1234 has not arrived yet and the tracking site shows nothing at all";
    String c = "my order 1234 has not arrived yet and the tracking site shows nothing since friday";
    String d = "my order 5678 was charged twice and i want one refund";
    List<SplitGroups.Member> members = List.of(member("a", null, a), member("b", null, b), member("c", null, c), member("d", null, d));
    assertThat(MinHasher.jaccard(HASHER.shingles(a), HASHER.shingles(c))).isLessThan(0.5);

    // when
    SplitGroups.Result r = SplitGroups.of(members, JACCARD_ONLY, HASHER);

    // then: a and c join through b
    assertThat(r.groupOf().get("a")).isEqualTo(r.groupOf().get("b")).isEqualTo(r.groupOf().get("c")).isEqualTo("a");
    assertThat(r.groupOf().get("d")).isEqualTo("d");
    assertThat(r.jaccardLinks()).isEqualTo(2);
  }

  @Test
  void should_join_records_over_the_cosine_bound() {
    // given: unit vectors at cosine 0.95 and 0.2
    SplitGroups.Settings cosine = new SplitGroups.Settings(false, 0, 0.9, 3, 128, 42, "all-minilm-l6-v2");
    float[] x = {1, 0};
    float[] near = {0.95f, (float) Math.sqrt(1 - 0.95 * 0.95)};
    float[] far = {0.2f, (float) Math.sqrt(1 - 0.04)};
    List<SplitGroups.Member> members = List.of(
        new SplitGroups.Member("a", "id:a", null, HASHER.shingles("one text"), x),
        new SplitGroups.Member("b", "id:b", null, HASHER.shingles("another text entirely"), near),
        new SplitGroups.Member("c", "id:c", null, HASHER.shingles("a third"), far));

    // when
    SplitGroups.Result r = SplitGroups.of(members, cosine, HASHER);

    // then
    assertThat(r.groupOf()).containsEntry("a", "a").containsEntry("b", "a").containsEntry("c", "c");
    assertThat(r.cosineLinks()).isEqualTo(1);
  }

  @Test
  void should_keep_dedup_clusters_whole_with_every_bound_off() {
    SplitGroups.Settings off = new SplitGroups.Settings(false, 0, 0, 3, 128, 42, null);
    List<SplitGroups.Member> members = List.of(
        new SplitGroups.Member("a", "c:7", "s", HASHER.shingles("x y z"), null),
        new SplitGroups.Member("b", "c:7", "t", HASHER.shingles("p q r"), null),
        new SplitGroups.Member("c", "id:c", "s", HASHER.shingles("x y z"), null));

    SplitGroups.Result r = SplitGroups.of(members, off, HASHER);

    assertThat(r.groupOf()).containsEntry("a", "a").containsEntry("b", "a").containsEntry("c", "c");
  }

  @Test
  void should_measure_how_close_evaluation_comes_to_train_over_every_pair() {
    // given
    List<SplitGroups.Member> train = List.of(
        member("t1", null, "my order 1234 has not arrived yet and the tracking page shows nothing at all"),
        member("t2", null, "please cancel the blender i ordered this morning"));
    List<SplitGroups.Member> validation = List.of(
        member("v1", null, "my order 1234 has not arrived yet and the tracking site shows nothing at all"),
        member("v2", null, "the app keeps logging me out"));

    // when
    SplitGroups.Closeness c = SplitGroups.closeness(validation, train, 0.5, 0);

    // then: one word of 15 differs, so 3 of the 13 word triples do: 10 shared of 16
    assertThat(c.jaccard()).isEqualTo(10.0 / 16);
    assertThat(c.overJaccard()).isEqualTo(1);
    assertThat(c.cosine()).isNaN();
    assertThat(SplitGroups.closeness(validation, train, 0.7, 0).overJaccard()).isZero();
  }

  @Test
  void should_give_lineage_to_seeds_lexical_variants_and_seed_based_strategies_only() {
    Candidate seed = new Candidate("s1", "a", Map.of("text", "t"), new Candidate.Provenance(List.of("s1"), "seed", null, "seed", null, null, 0), null);
    Candidate lexical = new Candidate("v", "a", Map.of("text", "t"), new Candidate.Provenance(List.of("s1"), "eda", null, "lexical", null, "r", 0), null);
    Candidate paraphrase = new Candidate("p", "a", Map.of("text", "t"), new Candidate.Provenance(List.of("s2", "s1", "s3"), "paraphrase", null, "openai", "m", "r", 0), null);
    Candidate fewShot = new Candidate("n", "a", Map.of("text", "t"), new Candidate.Provenance(List.of("s2", "s1", "s3"), "new_example", null, "openai", "m", "r", 0), null);
    Set<String> seedBased = Set.of("paraphrase");

    assertThat(SplitGroups.lineageOf(seed, seedBased)).isEqualTo("s1");
    assertThat(SplitGroups.lineageOf(lexical, seedBased)).isEqualTo("s1");
    assertThat(SplitGroups.lineageOf(paraphrase, seedBased)).isEqualTo("s2");
    assertThat(SplitGroups.lineageOf(fewShot, seedBased)).isNull();
  }

  @Test
  void should_stay_near_linear_by_comparing_only_lsh_bucket_mates() {
    // given: 3000 distinct records, none close to another
    List<SplitGroups.Member> members = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      members.add(member("r" + i, null, "record " + i + " word" + (i * 7) + " other" + (i * 13) + " more" + (i * 31) + " end" + i));
    }

    SplitGroups.Result r = SplitGroups.of(members, JACCARD_ONLY, HASHER);

    assertThat(r.groups()).isEqualTo(3000);
    assertThat(r.jaccardLinks()).isZero();
  }
}
