package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class QualityGateTest {
  private final QualityGate gate = QualityGate.fromSpec(TestCandidates.fixtureQuality(), TaskType.CLASSIFICATION);

  @Test
  void decides_a_batch_as_it_decides_each_candidate_alone() throws Exception {
    // given the example pipeline's gate (MiniLM relevance, label model, every noise filter) and
    // real texts with the pack's labels, some of them off-topic, too short or not English
    var spec = dev.seedforge.config.SpecLoader.load(java.nio.file.Path.of("pipelines/support-intents.yaml"), java.util.Map.of(),
        new dev.seedforge.config.SpecLoader.Overrides("lexical", null, null, null, null));
    var plan = dev.seedforge.pipeline.RunPlan.prepare(spec, java.util.Map.of());
    QualityGate full = dev.seedforge.pipeline.SeedforgePipeline.gate(plan);
    List<String> labels = List.copyOf(plan.pack().labels().keySet());
    List<String> texts = new java.util.ArrayList<>(RealTexts.fixtures());
    List<String> clinc = RealTexts.clinc();
    for (int i = 0; i < clinc.size() && i < 4000; i += 50) {
      texts.add(clinc.get(i));
    }
    List<Candidate> batch = new java.util.ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      batch.add(Candidate.of(labels.get(i % labels.size()), java.util.Map.of("text", texts.get(i)), TestCandidates.PROVENANCE, i));
    }
    assertThat(full.batches()).isTrue();

    // when
    List<QualityGate.Decision> together = full.decideAll(batch);

    // then
    assertThat(together).hasSameSizeAs(batch);
    for (int i = 0; i < batch.size(); i++) {
      assertThat(together.get(i)).as(texts.get(i)).isEqualTo(full.decide(batch.get(i)));
    }
    assertThat(together).extracting(d -> d.rejected().map(QualityGate.Rejected::filter).orElse("kept"))
        .contains("kept", "token_count", "language", "domain_relevance");
  }

  @Test
  void decides_many_candidates_on_every_core_as_it_decides_each_alone(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // given the example pipeline's gate with TF-IDF relevance (no batching filter: the candidates go
    // to the cores in chunks) and more real texts than several chunks hold
    java.nio.file.Path base = java.nio.file.Path.of("pipelines/support-intents.yaml").toAbsolutePath();
    String yaml = java.nio.file.Files.readString(base)
        .replace("pack: ../prompts/customer-support", "pack: " + base.getParent().resolveSibling("prompts/customer-support"))
        .replace("  language: en\n", "  language: en\n  embeddings: false\n");
    java.nio.file.Path pipeline = java.nio.file.Files.writeString(dir.resolve("tfidf.yaml"), yaml);
    var spec = dev.seedforge.config.SpecLoader.load(pipeline, java.util.Map.of(),
        new dev.seedforge.config.SpecLoader.Overrides("lexical", null, null, null, null));
    var plan = dev.seedforge.pipeline.RunPlan.prepare(spec, java.util.Map.of());
    QualityGate tfidf = dev.seedforge.pipeline.SeedforgePipeline.gate(plan);
    assertThat(tfidf.batches()).isFalse();
    List<String> labels = List.copyOf(plan.pack().labels().keySet());
    List<String> texts = new java.util.ArrayList<>(RealTexts.fixtures());
    List<String> clinc = RealTexts.clinc();
    for (int i = 0; i < clinc.size() && texts.size() < 5 * QualityGate.CHUNK + 17; i += 7) {
      texts.add(clinc.get(i));
    }
    List<Candidate> batch = new java.util.ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      batch.add(Candidate.of(labels.get(i % labels.size()), java.util.Map.of("text", texts.get(i)), TestCandidates.PROVENANCE, i));
    }

    // when
    List<QualityGate.Decision> together = tfidf.decideAll(batch);

    // then every decision, in order, is the one the candidate gets alone
    assertThat(together).hasSameSizeAs(batch);
    for (int i = 0; i < batch.size(); i++) {
      assertThat(together.get(i)).as(texts.get(i)).isEqualTo(tfidf.decide(batch.get(i)));
    }
    assertThat(together).extracting(d -> d.rejected().map(QualityGate.Rejected::filter).orElse("kept"))
        .contains("kept", "token_count", "language", "refusal_boilerplate");
  }

  @Test
  void runs_work_on_chunks_and_keeps_the_items_order() {
    List<Integer> items = java.util.stream.IntStream.range(0, 3 * QualityGate.CHUNK + 5).boxed().toList();
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();

    List<Integer> doubled = QualityGate.inChunks(items, chunk -> {
      threads.add(Thread.currentThread().getName());
      sizes.add(chunk.size());
      return chunk.stream().map(x -> 2 * x).toList();
    });

    assertThat(doubled).isEqualTo(items.stream().map(x -> 2 * x).toList());
    assertThat(sizes).hasSize(4).allMatch(n -> n <= QualityGate.CHUNK);
    assertThat(QualityGate.inChunks(List.of(1, 2), chunk -> chunk)).containsExactly(1, 2);
  }

  @Test
  void builds_the_chain_in_order_from_the_spec() {
    assertThat(gate.filters()).extracting(Filter::name).startsWith("token_count", "refusal_boilerplate", "language");
  }

  @Test
  void leaves_out_the_language_filter_when_language_is_off() {
    var off = new PipelineSpec.Quality(3, 60, null, 0.5, 6, List.of());

    var g = QualityGate.fromSpec(off, TaskType.CLASSIFICATION);

    assertThat(g.filters()).extracting(Filter::name).startsWith("token_count", "refusal_boilerplate").doesNotContain("language");
    assertThat(g.check(TestCandidates.text("Bonjour, je n'arrive pas à me connecter à mon compte depuis hier.")).keep()).isTrue();
  }

  @Test
  void reports_the_first_filter_that_rejects() {
    // given boilerplate that is also too short for min_tokens 4: token_count comes first
    var shortRefusal = TestCandidates.text("I must decline");
    var minFour = new PipelineSpec.Quality(4, 60, "en", 0.5, 6, List.of());

    var rejected = QualityGate.fromSpec(minFour, TaskType.CLASSIFICATION).firstRejection(shortRefusal);

    assertThat(rejected).isPresent();
    assertThat(rejected.get().filter()).isEqualTo("token_count");
    assertThat(rejected.get().verdict().reason()).isEqualTo("3 tokens, fewer than the minimum 4");
  }

  @Test
  void check_returns_keep_or_the_rejecting_verdict() {
    assertThat(gate.check(TestCandidates.text("My parcel arrived damaged, can I get a replacement?"))).isEqualTo(Verdict.KEEP);
    assertThat(gate.check(TestCandidates.text("I cannot fulfill this request, sorry.")).reason())
        .isEqualTo("contains \"i cannot fulfill\"");
  }

  @Test
  void uses_extra_phrases_from_the_spec() {
    var q = new PipelineSpec.Quality(3, 60, "en", 0.5, 6, List.of("valued customer"));

    var rejected = QualityGate.fromSpec(q, TaskType.CLASSIFICATION)
        .firstRejection(TestCandidates.text("Dear valued customer, your parcel is on its way."));

    assertThat(rejected).map(QualityGate.Rejected::filter).contains("refusal_boilerplate");
  }

  @Test
  void measures_tokens_as_a_feature() {
    var c = TestCandidates.text("I was charged twice for my subscription this month.");

    Candidate measured = gate.decide(c).candidate();

    assertThat(measured.features()).containsOnly(entry("tokens", 10.0));
    assertThat(measured.id()).isEqualTo(c.id());
    assertThat(measured.fields()).isEqualTo(c.fields());
  }

  @Test
  void judges_instruction_candidates_on_all_fields() {
    var g = QualityGate.fromSpec(TestCandidates.fixtureQuality(), TaskType.INSTRUCTION);
    var french = TestCandidates.instruction(
        "Réponds au client.", "Ma commande n'est pas arrivée.", "Nous sommes désolés, elle arrive demain.");
    var refusal = TestCandidates.instruction(
        "Reply to the customer about the late order.", "Where is order 5512?", "As an AI language model, I cannot check orders.");

    assertThat(g.firstRejection(french)).map(QualityGate.Rejected::filter).contains("language");
    assertThat(g.firstRejection(refusal)).map(QualityGate.Rejected::filter).contains("refusal_boilerplate");
  }

  @Test
  void survives_java_serialization_and_still_judges() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(gate);
    }
    QualityGate copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (QualityGate) in.readObject();
    }

    assertThat(bytes.size()).isLessThan(20_000);
    assertThat(copy.filters()).extracting(Filter::name).startsWith("token_count", "refusal_boilerplate", "language");
    assertThat(copy.firstRejection(TestCandidates.text("ok"))).map(QualityGate.Rejected::filter).contains("token_count");
  }
}
