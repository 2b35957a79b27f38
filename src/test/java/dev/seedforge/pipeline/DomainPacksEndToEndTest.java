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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every shipped document pack, through its own pipeline file as a user runs it ({@code --base-url}
 * to the loopback server, which quotes the passage it is given and serves unsupported answers at a
 * known rate): the unsupported answers are rejected as ungrounded, every kept answer's evidence is
 * in its document at the sidecar's offsets, the records carry the pack's student message, the
 * calls paid are the calls the server answered, and the output passes {@code validate}.
 */
@Timeout(300)
class DomainPacksEndToEndTest {
  @TempDir Path dir;

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(Json.mapper().readTree(l));
    }
    return out;
  }

  private static String squeeze(String s) {
    return s.replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").strip();
  }

  private static String turn(JsonNode record, String role) {
    for (JsonNode m : record.path("messages")) {
      if (m.path("role").asText().equals(role)) {
        return m.path("content").asText();
      }
    }
    return null;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "pipelines/manual-qa.yaml, prompts/technical-docs, Answer from the documentation passage you are given.",
    "pipelines/statute-qa.yaml, prompts/legal-statutes, Answer from the statute passage you are given; say only what it says.",
    "pipelines/health-qa.yaml, prompts/public-health, Answer from the public-health guidance passage you are given."
  })
  void should_turn_the_packs_sample_documents_into_grounded_question_answer_pairs(String pipeline, String pack, String student)
      throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(9)) {
      server.ungroundedRate(0.25);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      Path runDir = dir.resolve("out");

      int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
          "run", pipeline, "--base-url", server.baseUrl(), "--no-cache", "--out", runDir.toString());

      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      JsonNode m = Json.mapper().readTree(runDir.resolve("manifest.json").toFile());
      assertThat(server.ungroundedServed()).isPositive();
      // the unsupported pairs the server served are rejected, as ungrounded unless an earlier filter (dedup, truncation) already had them
      assertThat(m.path("rejections").path("by_filter").path("quality/ungrounded").path("total").asLong())
          .as(m.path("rejections").toPrettyString()).isPositive().isLessThanOrEqualTo(server.ungroundedServed());
      assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());
      assertThat(m.path("documents").path("chunks").asLong()).isPositive();

      List<JsonNode> train = lines(runDir.resolve("train.jsonl"));
      List<JsonNode> provenance = lines(runDir.resolve("train.provenance.jsonl"));
      assertThat(train).isNotEmpty().hasSameSizeAs(provenance);
      for (int i = 0; i < train.size(); i++) {
        JsonNode p = provenance.get(i);
        String document = Files.readString(Path.of(pack).resolve(p.path("document").asText()));
        assertThat(document.substring(p.path("start").asInt(), p.path("end").asInt())).isNotBlank();
        String evidence = p.path("evidence").asText();
        assertThat(turn(train.get(i), "assistant")).contains(evidence);
        assertThat(squeeze(document)).as("kept evidence is the document's own text").contains(squeeze(evidence));
        assertThat(turn(train.get(i), "system")).isEqualTo(student);
      }
      assertThat(Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "validate", runDir.resolve("train.jsonl").toString()))
          .as(out.toString()).isEqualTo(ExitCodes.OK);
    }
  }
}
