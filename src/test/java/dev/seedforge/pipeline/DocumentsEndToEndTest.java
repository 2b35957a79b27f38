package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.ExitCodes;
import dev.seedforge.cli.Main;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped technical-docs pack over its sample document, end to end against the loopback
 * server, which quotes the passage it is given and serves unsupported answers at a known rate:
 * those are rejected as ungrounded, every kept answer is supported, the provenance sidecar lines up
 * with the data files, and the calls paid are the calls the server answered.
 */
@Timeout(240)
class DocumentsEndToEndTest {
  static final Path PACK = Path.of("prompts/technical-docs").toAbsolutePath();
  static final String DOCUMENT = "documents/rfc2119.txt";

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  Path pipeline(String baseUrl, String context, String generation) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, String.join("\n",
        "name: docs",
        "pack: " + PACK,
        "documents: {paths: [" + PACK.resolve("documents") + "], chunk_size: 800, chunk_overlap: 100}",
        "llm: {provider: openai, base_url: " + baseUrl + ", cache: " + dir.resolve("cache.sqlite") + ", max_tokens: 1500, concurrency: 4}",
        "generation: {examples_per_call: 4, few_shot: 2" + generation + "}",
        "quality: {min_tokens: 5, max_tokens: 400, language: en, embeddings: false}",
        "targets: {per_label: 500}",
        "output: {dir: " + dir.resolve("out") + ", include_seeds: false, context: " + context + "}",
        ""));
    return f;
  }

  int run(String... args) {
    return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  static String turn(JsonNode record, String role) {
    for (JsonNode m : record.path("messages")) {
      if (m.path("role").asText().equals(role)) {
        return m.path("content").asText();
      }
    }
    return null;
  }

  JsonNode manifest() throws IOException {
    return Json.mapper().readTree(dir.resolve("out/manifest.json").toFile());
  }

  List<JsonNode> lines(String file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(dir.resolve("out").resolve(file))) {
      out.add(Json.mapper().readTree(l));
    }
    return out;
  }

  @Test
  void should_reject_the_served_unsupported_answers_as_ungrounded_and_keep_only_supported_ones() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given: a quarter of the served pairs have fabricated evidence or an invented answer
      server.ungroundedRate(0.25);
      Path p = pipeline(server.baseUrl(), "include", "");

      // when
      int code = run("run", p.toString());

      // then: every unsupported pair served is rejected as ungrounded, and nothing else is
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      JsonNode m = manifest();
      List<JsonNode> ungrounded = lines("rejected.jsonl").stream().filter(r -> r.path("filter").asText().equals("ungrounded")).toList();
      assertThat(server.ungroundedServed()).isPositive();
      assertThat(ungrounded).hasSize((int) server.ungroundedServed());
      assertThat(ungrounded).allSatisfy(r -> assertThat(r.path("score").isNumber()).isTrue());
      assertThat(m.path("rejections").path("by_filter").path("quality/ungrounded").path("total").asLong()).isEqualTo(server.ungroundedServed());

      // and the calls paid are the calls the server answered
      assertThat(m.path("calls").path("attempts").path("total").asLong()).isEqualTo(server.requestCount());
      assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());

      // and coverage: every chunk of the document asked about, examples counted per document
      JsonNode docs = m.path("documents");
      long chunks = docs.path("chunks").asLong();
      assertThat(chunks).isGreaterThan(3);
      assertThat(m.path("calls").path("planned").path("total").asLong()).isGreaterThanOrEqualTo(chunks);
      assertThat(docs.path("per_document").path(DOCUMENT).path("chunks").asLong()).isEqualTo(chunks);
      List<JsonNode> train = lines("train.jsonl");
      List<JsonNode> validation = lines("validation.jsonl");
      assertThat(docs.path("per_document").path(DOCUMENT).path("examples").asLong()).isEqualTo(train.size() + validation.size());

      // and the sidecar lines up with the data file: each record's user turn holds its chunk, quoted by offsets
      String text = Files.readString(PACK.resolve(DOCUMENT));
      List<JsonNode> provenance = lines("train.provenance.jsonl");
      assertThat(provenance).hasSameSizeAs(train);
      for (int i = 0; i < train.size(); i++) {
        JsonNode prov = provenance.get(i);
        String user = turn(train.get(i), "user");
        String answer = turn(train.get(i), "assistant");
        assertThat(prov.path("document").asText()).isEqualTo(DOCUMENT);
        assertThat(user).contains(text.substring(prov.path("start").asInt(), prov.path("end").asInt()));
        assertThat(answer).startsWith("The passage says: ").contains(prov.path("evidence").asText());
      }
      assertThat(lines("validation.provenance.jsonl")).hasSameSizeAs(validation);

      // and prompt distillation: the records carry the pack's short student message, the calls its long system prompt
      assertThat(train).allSatisfy(r -> assertThat(turn(r, "system")).isEqualTo("Answer from the documentation passage you are given."));
      assertThat(server.lastRequestBody()).contains("You write question/answer pairs for training an assistant");
      JsonNode d = m.path("distillation");
      assertThat(d.path("student_system_tokens").asInt()).isBetween(5, 15);
      assertThat(d.path("teacher_system_tokens").asInt()).isGreaterThan(100);
      assertThat(d.path("examples").asLong()).isEqualTo(train.size() + validation.size());
      assertThat(d.path("saved_per_example").asDouble())
          .isEqualTo(d.path("tokens_per_example").path("teacher").asDouble() - d.path("tokens_per_example").path("student").asDouble(),
              org.assertj.core.data.Offset.offset(0.11));

      // and the output passes validate
      assertThat(run("validate", dir.resolve("out/train.jsonl").toString())).as(out.toString()).isEqualTo(ExitCodes.OK);
    }
  }

  @Test
  void should_write_question_and_answer_only_with_context_exclude() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(6)) {
      // given
      Path p = pipeline(server.baseUrl(), "exclude", "");

      // when
      int code = run("run", p.toString());

      // then: the user turn is the question alone
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      List<JsonNode> train = lines("train.jsonl");
      assertThat(train).isNotEmpty().allSatisfy(r -> assertThat(turn(r, "user"))
          .startsWith("According to the passage, what does it say about").doesNotContain("\n"));
      assertThat(manifest().path("documents").path("context").asText()).isEqualTo("exclude");
    }
  }

  @Test
  void should_give_chunks_without_examples_one_top_up_call_each_and_then_stop() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      // given: every answer served is unsupported, so no chunk keeps a record
      server.ungroundedRate(1.0);
      Path p = pipeline(server.baseUrl(), "include", ", max_rounds: 4");

      // when
      run("run", p.toString());

      // then: round 1 asks each chunk once more, then the chunks starve; every call the server answered is accounted for
      JsonNode m = manifest();
      long chunks = m.path("documents").path("chunks").asLong();
      assertThat(m.path("rounds")).hasSize(2);
      assertThat(m.path("rounds").get(1).path("new_requests").asLong()).isEqualTo(chunks);
      assertThat(m.path("documents").path("chunks_without_examples")).hasSize((int) chunks);
      assertThat(m.path("warnings").path("starved/chunks").asText()).startsWith(chunks + " chunks kept no record even after a top-up call");
      assertThat(m.path("calls").path("attempts").path("total").asLong()).isEqualTo(server.requestCount());
    }
  }
}
