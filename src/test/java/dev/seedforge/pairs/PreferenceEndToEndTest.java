package dev.seedforge.pairs;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preference runs end to end: the shipped pipeline offline (rule-based degradation), and each pair
 * method against the loopback server, which serves some pairs whose two answers are the same: those
 * are rejected as identical_pair, the files in both preference formats pass validate, and the calls
 * the manifest counts are the calls the servers answered.
 */
@Timeout(300)
class PreferenceEndToEndTest {
  static final Path PACK = Path.of("prompts/helpful-answers").toAbsolutePath();
  private static final Pattern RANKED = Pattern.compile("^\\[(\\d+)\\] (.*)$", Pattern.MULTILINE);

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int seedforge(String... args) {
    return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  /** A copy of the helpful-answers pack with its pairs section replaced. */
  Path pack(String pairs) throws IOException {
    Path p = dir.resolve("pack");
    Files.createDirectories(p.resolve("templates"));
    Files.copy(PACK.resolve("seeds.jsonl"), p.resolve("seeds.jsonl"));
    Files.copy(PACK.resolve("templates/new_prompt.txt"), p.resolve("templates/new_prompt.txt"));
    String yaml = Files.readString(PACK.resolve("pack.yaml"));
    yaml = yaml.replaceAll("(?s)\npairs:\n.*?\n\n", "\n" + pairs + "\n\n");
    Files.writeString(p.resolve("pack.yaml"), yaml);
    return p;
  }

  /** Two generation calls of five prompts, one round, both preference formats; the seeds' prompts are paired too. */
  Path pipeline(Path pack, String baseUrl) throws IOException {
    Path f = dir.resolve("run.yaml");
    Files.writeString(f, String.join("\n",
        "name: prefs",
        "pack: " + pack,
        "llm: {provider: openai, base_url: " + baseUrl + ", model: strong-model, concurrency: 4, max_tokens: 600,"
            + " price: {input_per_million: 0.15, output_per_million: 0.60}}",
        "generation: {calls_per_label: 2, examples_per_call: 5, few_shot: 2, max_rounds: 1}",
        "quality: {length_band: 3, language: en}",
        "targets: {per_label: 100}",
        "output: {dir: " + dir.resolve("out") + ", formats: [openai-preference, trl-preference]}",
        ""));
    return f;
  }

  static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      if (!l.isBlank()) {
        rows.add(Json.mapper().readTree(l));
      }
    }
    return rows;
  }

  JsonNode manifest() throws IOException {
    return Json.mapper().readTree(dir.resolve("out/manifest.json").toFile());
  }

  List<JsonNode> rejected(String filter) throws IOException {
    return lines(dir.resolve("out/rejected.jsonl")).stream().filter(r -> r.path("filter").asText().equals(filter)).toList();
  }

  /** Pairs written to train and validation of one format. */
  List<JsonNode> written(String format) throws IOException {
    List<JsonNode> all = new ArrayList<>(lines(dir.resolve("out/" + format + "/train.jsonl")));
    all.addAll(lines(dir.resolve("out/" + format + "/validation.jsonl")));
    return all;
  }

  void assertBothFormatsValidate() {
    for (String format : List.of("openai-preference", "trl-preference")) {
      for (String split : List.of("train", "validation")) {
        Path file = dir.resolve("out/" + format + "/" + split + ".jsonl");
        int code = seedforge("validate", file.toString(), "--format", format);
        String report = out.toString();
        assertThat(report).as(report).contains(file + ": " + format + " format").doesNotContain(": error: identical_sides")
            .doesNotContain(": error: missing_side").doesNotContain(": error: wrong_role");
        if (split.equals("train")) {
          assertThat(code).as(report).isEqualTo(ExitCodes.OK);
        }
      }
    }
  }

  @Test
  void should_pair_the_seeds_offline_with_rule_based_degradations_labelled_as_such() throws IOException {
    int code = seedforge("run", "pipelines/helpful-answers.yaml", "--out", dir.resolve("out").toString());

    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
    List<JsonNode> trl = lines(dir.resolve("out/trl-preference/train.jsonl"));
    List<JsonNode> sidecar = lines(dir.resolve("out/train.pairs.jsonl"));
    assertThat(trl).isNotEmpty().hasSameSizeAs(sidecar);
    for (int i = 0; i < trl.size(); i++) {
      assertThat(trl.get(i).path("chosen").path(0).path("content").asText())
          .isNotEqualTo(trl.get(i).path("rejected").path(0).path("content").asText());
      assertThat(sidecar.get(i).path("generator").asText()).isEqualTo("lexical");
      assertThat(sidecar.get(i).path("method").asText()).isEqualTo(PairMaker.DEGRADE_RULE);
      assertThat(sidecar.get(i).path("how").asText()).contains("a rule-based edit of the seed's answer, not an LLM rewrite");
    }
    assertThat(manifest().path("calls").path("made").path("total").asLong()).isZero();
    assertBothFormatsValidate();
  }

  @Test
  void should_degrade_generated_answers_and_reject_the_pairs_the_model_did_not_change() throws IOException {
    PairCases cases = new PairCases();
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      server.responder(cases::strong);
      Path pipeline = pipeline(PACK, server.baseUrl());

      int code = seedforge("run", pipeline.toString(), "--no-cache");

      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      int prompts = PairCases.all().size();
      // two generation calls, then per prompt an answer and its degrading rewrite
      assertThat(server.requestCount()).isEqualTo(2 + 2 * prompts);
      JsonNode m = manifest();
      assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());
      assertThat(m.path("calls").path("sent").path("total").asLong()).isEqualTo(server.requestCount());
      List<JsonNode> identical = rejected(PairRules.IDENTICAL);
      assertThat(identical).hasSize((int) PairCases.same());
      assertThat(identical.get(0).path("reason").asText()).contains("the chosen and the rejected answer are the same text");
      assertThat(identical.get(0).path("score").asDouble()).isEqualTo(1.0);
      List<JsonNode> openai = written("openai-preference");
      assertThat(openai).hasSize(prompts - (int) PairCases.same());
      for (JsonNode r : openai) {
        String prompt = r.path("input").path("messages").path(1).path("content").asText();
        PairCases.Case c = PairCases.byPrompt(prompt);
        assertThat(r.path("input").path("messages").path(0).path("content").asText()).isEqualTo("You are a helpful assistant.");
        assertThat(r.path("preferred_output").path(0).path("content").asText()).isEqualTo(c.good());
        assertThat(r.path("non_preferred_output").path(0).path("content").asText()).isEqualTo(c.worse());
      }
      List<JsonNode> sidecar = lines(dir.resolve("out/train.pairs.jsonl"));
      assertThat(sidecar).allSatisfy(s -> assertThat(Degradation.parse(s.path("how").asText())).isNotNull());
      assertThat(m.path("stages").path("pairs").path("made").asLong()).isEqualTo(prompts);
      assertBothFormatsValidate();
      // the estimate's bound on the pair calls is what the run sent, no prompt having been deduplicated away
      out.getBuffer().setLength(0);
      assertThat(seedforge("estimate", pipeline.toString(), "--no-cache")).isEqualTo(ExitCodes.OK);
      assertThat(out.toString()).contains("pairs (method degrade, 2 calls a prompt): at most " + prompts + " prompts in round 0, so at most "
          + (server.requestCount() - 2) + " calls");
    }
  }

  @Test
  void should_take_the_rejected_answers_from_the_weaker_generator_and_count_both_servers_calls() throws IOException {
    PairCases cases = new PairCases();
    try (LoopbackLlmServer strong = new LoopbackLlmServer(5); LoopbackLlmServer weak = new LoopbackLlmServer(6)) {
      strong.responder(cases::strong);
      weak.responder(cases::weak);
      Path pack = pack("pairs:\n  method: models\n  rejected_llm: {model: weak-model, base_url: " + weak.baseUrl() + ", temperature: 1.3}");

      int code = seedforge("run", pipeline(pack, strong.baseUrl()).toString(), "--no-cache");

      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      int prompts = PairCases.all().size();
      assertThat(strong.requestCount()).isEqualTo(2 + prompts);
      assertThat(weak.requestCount()).isEqualTo(prompts);
      JsonNode body = Json.mapper().readTree(weak.lastRequestBody());
      assertThat(body.path("model").asText()).isEqualTo("weak-model");
      assertThat(body.path("temperature").asDouble()).isEqualTo(1.3);
      assertThat(manifest().path("calls").path("made").path("total").asLong()).isEqualTo(strong.requestCount() + weak.requestCount());
      assertThat(rejected(PairRules.IDENTICAL)).hasSize((int) PairCases.same());
      List<JsonNode> trl = written("trl-preference");
      assertThat(trl).hasSize(prompts - (int) PairCases.same());
      for (JsonNode r : trl) {
        PairCases.Case c = PairCases.byPrompt(r.path("prompt").path(1).path("content").asText());
        assertThat(r.path("chosen").path(0).path("content").asText()).isEqualTo(c.good());
        assertThat(r.path("rejected").path(0).path("content").asText()).isEqualTo(c.worse());
      }
      assertThat(lines(dir.resolve("out/train.pairs.jsonl")))
          .allSatisfy(s -> assertThat(s.path("rejected_model").asText()).isEqualTo("weak-model"));
      assertBothFormatsValidate();
    }
  }

  @Test
  void should_rank_answers_twice_and_reject_inconsistent_rankings_and_identical_best_and_worst() throws IOException {
    PairCases cases = new PairCases();
    PairCases.Case biased = PairCases.CASES.get(1);
    AtomicInteger rankCalls = new AtomicInteger();
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      server.responder((system, user) -> {
        if (system.startsWith(dev.seedforge.judge.JudgePrompt.OPENING)) {
          rankCalls.incrementAndGet();
          return ranking(user, biased);
        }
        if (system.contains("Return exactly")) {
          return cases.strong(system, user);
        }
        PairCases.Case c = PairCases.byPrompt(user);
        int k = cases.answered.computeIfAbsent(c.prompt(), x -> new AtomicInteger()).getAndIncrement();
        return variant(c, k % 3);
      });
      Path pack = pack("pairs:\n  method: judge_rank\n  answers: 3");

      int code = seedforge("run", pipeline(pack, server.baseUrl()).toString(), "--no-cache");

      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      int prompts = PairCases.all().size();
      assertThat(server.requestCount()).isEqualTo(2 + prompts * 3 + prompts * 2);
      assertThat(rankCalls.get()).isEqualTo(prompts * 2);
      assertThat(manifest().path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());
      List<JsonNode> inconsistent = rejected(Ranking.INCONSISTENT);
      assertThat(inconsistent).hasSize(1);
      assertThat(inconsistent.get(0).path("fields").path("prompt").asText()).isEqualTo(biased.prompt());
      assertThat(inconsistent.get(0).path("reason").asText()).contains("asked again with the answers in reverse order");
      assertThat(rejected(PairRules.IDENTICAL)).hasSize((int) PairCases.same());
      List<JsonNode> trl = written("trl-preference");
      assertThat(trl).hasSize(prompts - 1 - (int) PairCases.same());
      for (JsonNode r : trl) {
        PairCases.Case c = PairCases.byPrompt(r.path("prompt").path(1).path("content").asText());
        assertThat(r.path("chosen").path(0).path("content").asText()).isEqualTo(c.good());
        assertThat(r.path("rejected").path(0).path("content").asText()).isEqualTo(c.worse());
      }
      assertBothFormatsValidate();
    }
  }

  @Test
  void should_pay_a_top_up_round_only_for_its_new_prompts_and_reuse_the_earlier_pairs_calls() throws IOException {
    PairCases cases = new PairCases();
    try (LoopbackLlmServer server = new LoopbackLlmServer(8)) {
      server.responder(cases::strong);
      // one label, so that top-up rounds plan more prompt-writing calls for it
      Path pack = pack("pairs:\n  method: degrade");
      Files.writeString(pack.resolve("pack.yaml"), Files.readString(pack.resolve("pack.yaml"))
          .replace("seeds: seeds.jsonl", "seeds: seeds.jsonl\nlabels: {everyday: Everyday requests to a general assistant.}"));
      List<String> labelled = Files.readAllLines(pack.resolve("seeds.jsonl")).stream()
          .map(l -> l.replaceFirst("\\}$", ", \"label\": \"everyday\"}")).toList();
      Files.write(pack.resolve("seeds.jsonl"), labelled);
      Path f = pipeline(pack, server.baseUrl());
      Files.writeString(f, Files.readString(f)
          .replace("calls_per_label: 2", "calls_per_label: 1").replace("max_rounds: 1", "max_rounds: 2")
          .replace("per_label: 100", "per_label: 40")
          .replace("concurrency: 4,", "concurrency: 4, cache: " + dir.resolve("cache.sqlite") + ","));

      int code = seedforge("run", f.toString());

      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      JsonNode m = manifest();
      assertThat(m.path("rounds")).as(m.path("rounds").toPrettyString()).hasSize(2);
      int seeds = PairCases.SEEDS.size();
      int generated = PairCases.CASES.size();
      // each round one prompt-writing call of 5; every prompt an answer and a rewrite, each paid once
      assertThat(server.requestCount()).isEqualTo(2 + 2 * (seeds + generated));
      assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());
      assertThat(rejected(PairRules.IDENTICAL)).hasSize((int) PairCases.same());
      assertThat(written("trl-preference")).hasSize(seeds + generated - (int) PairCases.same());
    }
  }

  @Test
  void should_refuse_a_format_that_cannot_hold_a_pair_before_any_call() throws IOException {
    Path f = dir.resolve("chat.yaml");
    Files.writeString(f, "name: chat\npack: " + PACK + "\noutput: {dir: " + dir.resolve("out") + ", formats: [openai-chat]}\n");

    int code = seedforge("run", f.toString());

    assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("output.formats[0]: openai-chat writes one answer per record")
        .contains("is a preference pack").contains("use openai-preference or trl-preference");
  }

  @Test
  void should_refuse_the_single_answer_judge_on_a_preference_run() throws IOException {
    Path f = dir.resolve("judged.yaml");
    Files.writeString(f, "name: judged\npack: " + PACK + "\nllm: {provider: lexical}\njudge: {enabled: true}\n"
        + "output: {dir: " + dir.resolve("out") + ", formats: [trl-preference]}\n");

    int code = seedforge("run", f.toString());

    assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("judge.enabled: the judge scores single answers and does not apply to preference pairs");
  }

  @Test
  void should_refuse_to_curate_with_a_preference_pack() throws IOException {
    Path input = Files.writeString(dir.resolve("in.jsonl"), "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}\n");

    int code = seedforge("curate", input.toString(), "--pipeline", "pipelines/helpful-answers.yaml", "--out", dir.resolve("out").toString());

    assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("curate reads single-answer records").contains("is a preference pack; run it with seedforge run instead");
  }

  /** judge_rank's answers: 0 the good one, 1 a shorter one (its first sentence), 2 the worse one; for the prompts marked same, 2 is the good one shouted. */
  static String variant(PairCases.Case c, int k) {
    return switch (k) {
      case 0 -> c.good();
      case 1 -> "In short: " + PairCases.firstSentence(c.good());
      default -> c.same() ? c.good().toUpperCase(java.util.Locale.ROOT) : c.worse();
    };
  }

  /**
   * The judge's scores: good 9, shorter 5, worse 2, shouted 1; for {@code biased} it scores by
   * position instead (first shown best), so its two scorings contradict each other.
   */
  static String ranking(String user, PairCases.Case biased) {
    StringBuilder b = new StringBuilder("{\"verdicts\": [");
    Matcher m = RANKED.matcher(user);
    boolean first = true;
    boolean byPosition = user.contains(biased.prompt());
    while (m.find()) {
      int id = Integer.parseInt(m.group(1));
      String answer;
      try {
        answer = Json.mapper().readValue(m.group(2), String.class);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      PairCases.Case c = PairCases.all().stream().filter(x -> user.contains(x.prompt())).findFirst().orElseThrow();
      int score = byPosition ? 10 - 3 * id
          : answer.equals(c.good()) ? 9 : answer.equals(c.worse()) ? 2 : answer.equals(c.good().toUpperCase(java.util.Locale.ROOT)) ? 1 : 5;
      b.append(first ? "" : ", ").append("{\"id\": ").append(id).append(", \"score\": ").append(score).append(", \"rationale\": \"test\"}");
      first = false;
    }
    return b.append("]}").toString();
  }
}
