package dev.seedforge.judge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.ExitCodes;
import dev.seedforge.cli.Main;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import dev.seedforge.testing.LoopbackLlmServer.JudgeAnswer;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The judge end to end against the loopback server, which answers judge prompts from the test's
 * own verdicts per text: rejections by score and by blind label, candidates left without a verdict
 * kept and recorded, the judge's calls and tokens in the manifest equal to what the server counted,
 * verdicts reused by a re-run, and llm.budget holding over generation and judge together.
 */
@Timeout(300)
class JudgeEndToEndTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  static final List<String> LABELS = List.of("order_status", "cancel_order", "return_refund", "billing_charge", "payment_failed",
      "account_access", "shipping_address_change", "product_question", "damaged_item", "complaint");

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  /** The example pack against the server: 20 generation calls of 5 examples, one round. */
  Path pipeline(String name, String baseUrl, String judge, String llmExtra) throws IOException {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, String.join("\n",
        "name: " + name,
        "pack: " + PACK,
        "llm:",
        "  provider: openai",
        "  base_url: " + baseUrl,
        "  cache: " + dir.resolve("cache.sqlite"),
        "  max_tokens: 400",
        "  concurrency: 4",
        "  price: {input_per_million: 0.15, output_per_million: 0.60}",
        llmExtra.isEmpty() ? "" : "  " + llmExtra,
        "generation: {examples_per_call: 5, calls_per_label: 1, max_rounds: 1}",
        // the loopback's template sentences are no real messages of their labels: the out-of-fold
        // label check and the seed-calibrated relevance bound would thin the pool the judge is tested on
        "quality: {language: \"off\", label_check: false, min_similarity: 0.15}",
        "targets: {per_label: 40}",
        "output: {dir: " + dir.resolve(name) + "}",
        judge,
        ""));
    return f;
  }

  int run(Path pipeline) {
    return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "run", pipeline.toString());
  }

  static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> outLines = new ArrayList<>();
    if (Files.exists(file)) {
      for (String l : Files.readAllLines(file)) {
        if (!l.isBlank()) {
          outLines.add(Json.mapper().readTree(l));
        }
      }
    }
    return outLines;
  }

  /** Text → label of every record that reached balancing: written (train, validation) or dropped by the quota. */
  static Map<String, String> reachedBalancing(Path runDir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (String split : List.of("train.jsonl", "validation.jsonl")) {
      for (JsonNode r : lines(runDir.resolve(split))) {
        JsonNode msgs = r.path("messages");
        String user = null;
        String assistant = null;
        for (JsonNode msg : msgs) {
          if (msg.path("role").asText().equals("user")) {
            user = msg.path("content").asText();
          } else if (msg.path("role").asText().equals("assistant")) {
            assistant = msg.path("content").asText();
          }
        }
        m.put(user, assistant);
      }
    }
    for (JsonNode r : lines(runDir.resolve("rejected.jsonl"))) {
      if (r.path("stage").asText().equals("balance")) {
        m.put(r.path("fields").path("text").asText(), r.path("label").asText());
      }
    }
    return m;
  }

  static Set<String> seedTexts() throws IOException {
    Set<String> s = new HashSet<>();
    lines(PACK.resolve("seeds.jsonl")).forEach(n -> s.add(n.path("text").asText()));
    return s;
  }

  static String otherLabel(String label) {
    return LABELS.get((LABELS.indexOf(label) + 1) % LABELS.size());
  }

  static Set<String> rejectedTexts(Path runDir, String filter) throws IOException {
    Set<String> s = new HashSet<>();
    for (JsonNode r : lines(runDir.resolve("rejected.jsonl"))) {
      if (r.path("filter").asText().equals(filter)) {
        s.add(r.path("fields").path("text").asText());
      }
    }
    return s;
  }

  @Test
  void should_reject_by_score_and_blind_label_keep_candidates_without_verdict_and_account_for_every_judge_call() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given: the candidates of a run without the judge, and a judge that gets some of them wrong, scores some low and skips some
      assertThat(run(pipeline("plain", server.baseUrl(), "", ""))).isEqualTo(ExitCodes.OK);
      Set<String> seeds = seedTexts();
      List<String> generated = reachedBalancing(dir.resolve("plain")).keySet().stream().filter(t -> !seeds.contains(t)).sorted().toList();
      Map<String, String> labels = reachedBalancing(dir.resolve("plain"));
      Map<String, JudgeAnswer> answers = new HashMap<>();
      Set<String> wrong = new HashSet<>();
      Set<String> low = new HashSet<>();
      Set<String> skipped = new HashSet<>();
      for (int i = 0; i < generated.size(); i++) {
        String t = generated.get(i);
        String label = labels.get(t);
        switch (i % 6) {
          case 1 -> {
            wrong.add(t);
            answers.put(t, new JudgeAnswer(4.0, otherLabel(label), "reads like another intent"));
          }
          case 3 -> {
            low.add(t);
            answers.put(t, new JudgeAnswer(2.0, label, "sounds like a template"));
          }
          case 5 -> {
            skipped.add(t);
            answers.put(t, LoopbackLlmServer.NO_VERDICT);
          }
          default -> answers.put(t, new JudgeAnswer(4.0, label, "fine"));
        }
      }
      server.judge(t -> answers.getOrDefault(t, LoopbackLlmServer.NO_VERDICT));
      server.resetCounters();
      Path judged = pipeline("judged", server.baseUrl(),
          "judge: {enabled: true, mode: [rubric, relabel], batch_size: 20, threshold: 3, on_disagreement: reject}", "");

      // when
      int code = run(judged);

      // then: exactly the low scores and the wrong labels are rejected, each with its score, threshold and rationale
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      assertThat(out.toString()).contains("  judge: " + (generated.size() - skipped.size()) + " judged (0 from the cache), " + skipped.size()
          + " unjudged, " + (low.size() + wrong.size()) + " rejected; " + ((generated.size() + 19) / 20) + " calls made, 0 cached");
      Path runDir = dir.resolve("judged");
      assertThat(rejectedTexts(runDir, "judge_score")).isEqualTo(low);
      assertThat(rejectedTexts(runDir, "judge_label")).isEqualTo(wrong);
      JsonNode scoreRejection = lines(runDir.resolve("rejected.jsonl")).stream()
          .filter(r -> r.path("filter").asText().equals("judge_score")).findFirst().orElseThrow();
      assertThat(scoreRejection.path("stage").asText()).isEqualTo("judge");
      assertThat(scoreRejection.path("score").asDouble()).isEqualTo(2.0);
      assertThat(scoreRejection.path("threshold").asDouble()).isEqualTo(3.0);
      assertThat(scoreRejection.path("reason").asText()).isEqualTo("judge score 2 below 3: sounds like a template");
      // and: candidates without a verdict are kept, and their batches are failure records naming them
      Map<String, String> written = reachedBalancing(runDir);
      assertThat(written.keySet()).containsAll(skipped);
      List<JsonNode> noVerdict = lines(runDir.resolve("failed.jsonl")).stream()
          .filter(f -> f.path("errorKind").asText().equals(JudgeStage.NO_VERDICT)).toList();
      assertThat(noVerdict).isNotEmpty();
      assertThat(noVerdict.stream().mapToLong(f -> f.path("message").asText().split("\\[").length - 1).sum()).isEqualTo(skipped.size());
      // and: the manifest's judge section agrees with the server
      JsonNode j = Json.mapper().readTree(runDir.resolve("manifest.json").toFile()).path("judge");
      long batches = (generated.size() + 19) / 20;
      assertThat(server.judgeRequests()).isEqualTo((int) batches);
      assertThat(server.requestCount()).as("generation answered from the cache").isEqualTo(server.judgeRequests());
      assertThat(j.path("calls").path("attempts").path("total").asLong()).isEqualTo(server.judgeRequests());
      assertThat(j.path("tokens").path("input").path("total").asLong()).isEqualTo(server.billedPromptTokens());
      assertThat(j.path("tokens").path("output").path("total").asLong()).isEqualTo(server.billedCompletionTokens());
      assertThat(j.path("judged").path("total").asLong()).isEqualTo(generated.size() - skipped.size());
      assertThat(j.path("unjudged").path("total").asLong()).isEqualTo(skipped.size());
      assertThat(j.path("rejected").path("judge_score").path("total").asLong()).isEqualTo(low.size());
      assertThat(j.path("rejected").path("judge_label").path("total").asLong()).isEqualTo(wrong.size());
      double judgedCount = generated.size() - skipped.size();
      assertThat(j.path("agreement_with_label_filter").asDouble()).isCloseTo((judgedCount - wrong.size()) / judgedCount, org.assertj.core.data.Offset.offset(1e-4));
      assertThat(j.path("input_tokens_per_example_token").asDouble()).isBetween(1.0, 3.0);
      assertThat(j.path("cost_per_kept_example_usd").asDouble()).isPositive();
      Json.mapper().readTree(runDir.resolve("manifest.json").toFile()).path("judge").fields()
          .forEachRemaining(e -> System.out.println("judge manifest: " + e.getKey() + " = " + e.getValue()));

      // when: the same command again
      server.resetCounters();
      assertThat(run(judged)).isEqualTo(ExitCodes.OK);

      // then: judged candidates are not paid for again; only those without a verdict are asked again
      JsonNode again = Json.mapper().readTree(runDir.resolve("manifest.json").toFile()).path("judge");
      assertThat(server.judgeRequests()).isEqualTo((int) ((skipped.size() + 19) / 20));
      assertThat(again.path("verdicts_from_cache").path("total").asLong()).isEqualTo(generated.size() - skipped.size());
      assertThat(rejectedTexts(runDir, "judge_score")).isEqualTo(low);
      assertThat(rejectedTexts(runDir, "judge_label")).isEqualTo(wrong);
    }
  }

  @Test
  void should_hold_max_calls_over_generation_and_judge_together() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given: 20 generation calls and room for 2 judge calls of 5 candidates in a budget of 22
      server.judge(t -> new JudgeAnswer(1.0, null, "poor"));
      Path p = pipeline("budget", server.baseUrl(), "judge: {enabled: true, batch_size: 5}", "budget: {max_calls: 22}");

      // when
      int code = run(p);

      // then: the run stops at the budget; the server saw 22 requests, 2 of them judge calls; unsent batches keep their candidates
      assertThat(code).isEqualTo(ExitCodes.BUDGET_EXHAUSTED);
      assertThat(server.requestCount()).isEqualTo(22);
      assertThat(server.judgeRequests()).isEqualTo(2);
      Path runDir = dir.resolve("budget");
      JsonNode m = Json.mapper().readTree(runDir.resolve("manifest.json").toFile());
      assertThat(m.path("status").asText()).isEqualTo("budget_exhausted");
      assertThat(m.path("budget").path("spent").path("calls").asLong()).isEqualTo(22);
      assertThat(m.path("judge").path("calls").path("made").path("total").asLong()).isEqualTo(2);
      assertThat(m.path("judge").path("rejected").path("judge_score").path("total").asLong()).isEqualTo(10);
      assertThat(m.path("judge").path("calls").path("failures_by_kind").path("budget_exhausted").asLong()).isPositive();
      assertThat(lines(runDir.resolve("failed.jsonl")).stream().filter(f -> f.path("strategy").asText().equals("judge")
          && f.path("errorKind").asText().equals("budget_exhausted"))).isNotEmpty();
      assertThat(m.path("judge").path("unjudged").path("total").asLong()).isPositive();
    }
  }

  @Test
  void should_include_the_judges_calls_and_cost_in_the_estimate_and_warn_when_the_budget_leaves_no_room() throws IOException {
    // given: 20 generation calls of 5 examples; the judge takes 20 candidates a call
    Path p = pipeline("estimate", "http://127.0.0.1:9/v1", "judge: {enabled: true, batch_size: 20}", "budget: {max_calls: 22}");

    // when
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "estimate", p.toString());

    // then
    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
    assertThat(out.toString())
        .contains("judge (model gpt-4o-mini, batch_size 20): at most 100 candidates in round 0, so at most 5 calls")
        .contains("generation and judge together, round 0: at most 25 calls")
        .contains("warning: llm.budget.max_calls 22 is below the 25 calls generation and the judge may make in round 0");
  }

  @Test
  void should_judge_only_new_candidates_in_a_top_up_round_and_count_its_rejections_against_the_yield() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given: quotas no round can fill, two rounds, and a judge that records every text it is asked about
      List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
      server.judge(t -> {
        asked.add(t);
        return new JudgeAnswer(t.hashCode() % 3 == 0 ? 1.0 : 5.0, null, "ok");
      });
      Path p = pipeline("topup", server.baseUrl(), "judge: {enabled: true, batch_size: 10}", "");
      Files.writeString(p, Files.readString(p).replace("max_rounds: 1", "max_rounds: 2").replace("per_label: 40", "per_label: 1000"));

      // when
      int code = run(p);

      // then: two rounds, and no candidate was judged twice: round 1 reused round 0's verdicts
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      JsonNode m = Json.mapper().readTree(dir.resolve("topup/manifest.json").toFile());
      assertThat(m.path("rounds").size()).isEqualTo(2);
      assertThat(new HashSet<>(asked)).hasSameSizeAs(asked);
      JsonNode j = m.path("judge");
      assertThat(j.path("verdicts_from_cache").path("total").asLong()).isPositive();
      assertThat(j.path("calls").path("attempts").path("total").asLong()).isEqualTo(server.judgeRequests());
      // and: the judge's rejections are among the filters that starved the labels' yield
      assertThat(m.path("rejections").path("by_filter").path("judge/judge_score").path("total").asLong())
          .isEqualTo(j.path("rejected").path("judge_score").path("total").asLong()).isPositive();
    }
  }

  @Test
  void should_score_the_outputs_of_an_instruction_pack_with_its_rubric() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given: a judge that scores the first output of every generated batch low
      server.judge(t -> new JudgeAnswer(t.contains("(case 1)") ? 1.0 : 5.0, null, t.contains("(case 1)") ? "misses the point" : "good"));
      Path p = pipeline("instructions", server.baseUrl(), "judge: {enabled: true, batch_size: 10}", "");
      Files.writeString(p, Files.readString(p).replace("prompts/customer-support", "prompts/self-instruct")
          .replace("quality: {language: \"off\", label_check: false, min_similarity: 0.15}",
              "quality: {language: \"off\", label_check: false, min_similarity: 0.15, min_tokens: 1, max_tokens: 400}"));

      // when
      int code = run(p);

      // then: exactly the low-scored outputs are rejected, and none of them is written
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      Path runDir = dir.resolve("instructions");
      List<JsonNode> rejected = lines(runDir.resolve("rejected.jsonl")).stream().filter(r -> r.path("filter").asText().equals("judge_score")).toList();
      assertThat(rejected).isNotEmpty().allSatisfy(r -> assertThat(r.path("fields").path("output").asText()).contains("(case 1)"));
      assertThat(Files.readString(runDir.resolve("train.jsonl"))).doesNotContain("(case 1)");
      assertThat(Files.readString(runDir.resolve("train.jsonl"))).containsPattern("\\(case [2-9]\\)");
    }
  }

  @Test
  void should_reject_a_disagreement_with_consensus_only_when_the_label_checks_pool_model_finds_the_pick_plausible() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given: the out-of-fold label check on, and a blind relabelling judge that always picks complaint
      server.judge(t -> new JudgeAnswer(null, "complaint", "sounds unhappy"));
      Path p = pipeline("consensus", server.baseUrl(), "judge: {enabled: true, mode: relabel, on_disagreement: consensus}", "");
      Files.writeString(p, Files.readString(p).replace("label_check: false, ", ""));

      // when
      int code = run(p);

      // then: each rejection names the pool model's probabilities, the pick's at least half the intended label's
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      Path runDir = dir.resolve("consensus");
      List<JsonNode> rejected = lines(runDir.resolve("rejected.jsonl")).stream().filter(r -> r.path("filter").asText().equals("judge_label")).toList();
      assertThat(rejected).allSatisfy(r -> {
        assertThat(r.path("reason").asText()).contains("the label check's pool model gives complaint");
        assertThat(r.path("score").asDouble()).isGreaterThanOrEqualTo(r.path("threshold").asDouble());
      });
      // and the other disagreements are kept and counted: the pool backs their intended label
      JsonNode j = Json.mapper().readTree(runDir.resolve("manifest.json").toFile()).path("judge");
      long judged = j.path("judged").path("total").asLong();
      long complaints = j.path("judged").path("per_label").path("complaint").asLong();
      assertThat(j.path("disagreed_kept").path("total").asLong()).isPositive();
      assertThat(j.path("disagreed_kept").path("total").asLong() + rejected.size()).isEqualTo(judged - complaints);
    }
  }

  @Test
  void should_keep_a_batch_with_a_malformed_reply_unjudged_and_only_count_disagreements_when_told_to_report_them() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      // given: a blind relabelling judge that always picks complaint, whose first reply is broken JSON
      server.judge(t -> new JudgeAnswer(null, "complaint", "sounds unhappy"));
      int[] judgeCalls = {0};
      server.script((n, body) -> body.contains("You are a strict judge") && judgeCalls[0]++ == 0 ? Behavior.MALFORMED_JSON : null);
      Path p = pipeline("report", server.baseUrl(), "judge: {enabled: true, mode: relabel, batch_size: 10, on_disagreement: report}", "");

      // when
      int code = run(p);

      // then: one batch of 10 is unjudged and named in failed.jsonl, kept like every disagreement
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
      Path runDir = dir.resolve("report");
      List<JsonNode> failed = lines(runDir.resolve("failed.jsonl")).stream()
          .filter(f -> f.path("errorKind").asText().equals(JudgeStage.NO_VERDICT)).toList();
      assertThat(failed).hasSize(1);
      assertThat(failed.get(0).path("message").asText()).startsWith("no verdicts in the reply: Here you go");
      assertThat(rejectedTexts(runDir, "judge_label")).isEmpty();
      JsonNode j = Json.mapper().readTree(runDir.resolve("manifest.json").toFile()).path("judge");
      assertThat(j.path("unjudged").path("total").asLong()).isEqualTo(10);
      assertThat(j.path("calls").path("made").path("total").asLong()).isEqualTo(server.judgeRequests());
      // and: every pick other than the intended label is counted, not rejected
      long judged = j.path("judged").path("total").asLong();
      long complaints = j.path("judged").path("per_label").path("complaint").asLong();
      assertThat(j.path("disagreed_kept").path("total").asLong()).isEqualTo(judged - complaints).isPositive();
      assertThat(j.path("agreement_with_label_filter").asDouble()).isCloseTo(complaints / (double) judged, org.assertj.core.data.Offset.offset(1e-4));
      assertThat(j.has("threshold")).isFalse();
    }
  }
}
