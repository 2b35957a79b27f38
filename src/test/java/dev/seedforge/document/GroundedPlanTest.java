package dev.seedforge.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.OutputContract;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.prompt.PackLoader;
import dev.seedforge.seed.TaskType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunk strategies: one call per chunk with its text, source and heading, checked against the pipeline's documents. */
class GroundedPlanTest {
  @TempDir Path dir;
  Path pack;

  @BeforeEach
  void setUp() throws IOException {
    pack = Files.createDirectories(dir.resolve("prompts/p"));
    Files.createDirectories(pack.resolve("documents"));
    Files.copy(Path.of("src/test/resources/documents/constitution-article-1.md"), pack.resolve("documents/constitution.md"));
    Files.writeString(pack.resolve("t.txt"), "From {{source}} ({{heading}}):\n<passage>\n{{chunk}}\n</passage>\nBefore and after: {{neighbours}}\nWrite {{n}}.\n{{examples}}\n");
    Files.writeString(pack.resolve("seeds.jsonl"), "{\"instruction\": \"Who holds legislative power?\", \"output\": \"Congress does.\"}\n");
    pack("qa: {template: t.txt, basis: chunk}");
    Files.createDirectories(dir.resolve("pipelines"));
  }

  private void pack(String strategy) throws IOException {
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: You ask about documents.\ntask: instruction\nstrategies:\n  " + strategy + "\n");
  }

  private RunPlan plan(String documents) throws IOException {
    Path file = dir.resolve("pipelines/p.yaml");
    Files.writeString(file, "pack: ../prompts/p\nllm: {provider: openai, base_url: http://localhost:1/v1}\n"
        + "generation: {examples_per_call: 3, few_shot: 1}\n" + documents);
    return RunPlan.prepare(SpecLoader.load(file, Map.of(), SpecLoader.Overrides.none()), Map.of());
  }

  @Test
  void should_plan_calls_per_chunk_with_the_chunk_its_source_heading_and_neighbours() throws IOException {
    // when
    RunPlan plan = plan("documents: {paths: [../prompts/p/documents], chunk_size: 400, chunk_overlap: 0, calls_per_chunk: 2, neighbours: 1}\n");

    // then
    assertThat(plan.chunks()).hasSizeGreaterThan(3);
    assertThat(plan.requests()).hasSize(2 * plan.chunks().size());
    assertThat(plan.requests()).extracting(GenerationRequest::id).doesNotHaveDuplicates();
    Chunk senate = plan.chunks().stream().filter(c -> c.text().contains("two Senators")).findFirst().orElseThrow();
    GenerationRequest r = plan.requests().stream().filter(q -> q.grounding().chunkId().equals(senate.id())).findFirst().orElseThrow();
    String user = r.messages().get(1).content();
    assertThat(user).startsWith("From documents/constitution.md (Article I, Section 3):\n<passage>\n" + senate.text() + "\n</passage>");
    assertThat(user).contains("Before and after: " + plan.chunks().get(senate.index() - 1).text());
    assertThat(r.messages().get(0).content()).startsWith("You ask about documents.").contains("\"evidence\"");
    assertThat(r.grounding()).satisfies(g -> {
      assertThat(g.document()).isEqualTo("documents/constitution.md");
      assertThat(g.start()).isEqualTo(senate.start());
      assertThat(g.heading()).isEqualTo("Article I, Section 3");
    });
  }

  @Test
  void should_ask_for_evidence_in_the_json_schema_of_grounded_calls_only() {
    // when
    ResponseFormat grounded = OutputContract.responseFormat(TaskType.INSTRUCTION, "json_schema", true);
    ResponseFormat plain = OutputContract.responseFormat(TaskType.INSTRUCTION, "json_schema", false);

    // then
    assertThat(itemSchema(grounded).required()).containsExactly("instruction", "input", "output", "evidence");
    assertThat(itemSchema(plain).required()).containsExactly("instruction", "input", "output");
  }

  private static JsonObjectSchema itemSchema(ResponseFormat f) {
    JsonObjectSchema root = (JsonObjectSchema) f.jsonSchema().rootElement();
    return (JsonObjectSchema) ((JsonArraySchema) root.properties().get("examples")).items();
  }

  @Test
  void should_refuse_documents_without_a_chunk_strategy_and_a_chunk_strategy_without_documents() throws IOException {
    // given a pack whose only strategy is per label
    Files.writeString(pack.resolve("l.txt"), "Write {{n}} like {{examples}}\n");
    pack("new_task: {template: l.txt}");

    // when / then
    assertThatThrownBy(() -> plan("documents: {paths: [../prompts/p/documents]}\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().asString()
            .contains("p.yaml: documents: the pipeline names documents but none of its strategies has basis: chunk"));

    // and given the chunk strategy back, but no documents
    pack("qa: {template: t.txt, basis: chunk}");
    assertThatThrownBy(() -> plan(""))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().asString()
            .contains("documents.paths: the pack's strategies of basis chunk ask about documents, but the pipeline names none"));
  }

  @Test
  void should_refuse_a_chunk_strategy_in_a_classification_pack_and_chunk_variables_elsewhere() throws IOException {
    // given
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\nlabels: {a: first}\nstrategies:\n  qa: {template: t.txt, basis: chunk}\n");

    // when / then
    assertThatThrownBy(() -> PackLoader.load(pack))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().asString()
            .contains("strategies.qa.basis: basis chunk asks for question/answer examples: it needs task: instruction"));
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\ntask: instruction\nstrategies:\n  new: {template: t.txt}\n");
    assertThatThrownBy(() -> PackLoader.load(pack))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p)
            .contains("t.txt:1: unknown template variable {{source}}")));
  }

  @Test
  void should_refuse_an_overlap_as_large_as_the_chunk_and_an_unknown_context() throws IOException {
    // when / then
    assertThatThrownBy(() -> plan("documents: {paths: [../prompts/p/documents], chunk_size: 200, chunk_overlap: 200}\noutput: {context: some}\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("documents.chunk_overlap: must be smaller than documents.chunk_size (200), got 200"))
            .anySatisfy(p -> assertThat(p).contains("output.context: expected include or exclude, got \"some\"")));
  }
}
