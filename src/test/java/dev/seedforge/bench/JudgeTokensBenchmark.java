package dev.seedforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.TokenCounter;
import dev.seedforge.judge.JudgePrompt;
import dev.seedforge.prompt.Pack;
import dev.seedforge.quality.Texts;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The judge's input tokens per token of the examples it judges, by batch size, on real text: short
 * CLINC150 queries of 12 close intents (rubric and blind relabelling; the worst case, as the
 * prefix weighs most against short texts) and the Self-Instruct seed tasks' own outputs (rubric).
 * Counts the prompts {@link JudgePrompt} builds with jtokkit (o200k_base, gpt-4o-mini), as a run
 * sends them. Prints BENCH lines; asserts nothing.
 */
@Tag("benchmark")
class JudgeTokensBenchmark {
  static final Path DATA = Path.of("../shared/data");
  static final List<String> INTENTS = List.of("transfer", "bill_balance", "pay_bill", "balance", "freeze_account", "report_fraud", "card_declined",
      "replacement_card_duration", "new_card", "credit_limit", "interest_rate", "bill_due");
  static final GenerationRequest.Params PARAMS =
      new GenerationRequest.Params("openai", "https://api.openai.com/v1", "gpt-4o-mini", 0, 1, 1232, 20, "json_object", 42);

  @Test
  void judge_input_tokens_per_example_token_by_batch_size() throws Exception {
    JsonNode clinc = Json.mapper().readTree(DATA.resolve("clinc150/data_full.json").toFile());
    Map<String, String> labels = new LinkedHashMap<>();
    INTENTS.forEach(i -> labels.put(i, "The user's query is about " + i.replace('_', ' ') + " (a banking request)."));
    List<Candidate> queries = new ArrayList<>();
    for (JsonNode pair : clinc.path("test")) {
      if (INTENTS.contains(pair.get(1).asText())) {
        queries.add(candidate(pair.get(1).asText(), Map.of("text", pair.get(0).asText()), queries.size()));
      }
    }
    Pack intents = new Pack("clinc", "banking", TaskType.CLASSIFICATION, "Intent classification of short banking queries to a voice assistant.",
        "x", labels, "s.jsonl", List.of());
    report("clinc150 rubric+relabel", intents, judge(true, true), queries, TaskType.CLASSIFICATION);
    report("clinc150 relabel", intents, judge(false, true), queries, TaskType.CLASSIFICATION);

    List<Candidate> tasks = new ArrayList<>();
    for (String line : Files.readAllLines(DATA.resolve("self-instruct/seed_tasks.jsonl"))) {
      JsonNode t = Json.mapper().readTree(line);
      JsonNode inst = t.path("instances").get(0);
      tasks.add(candidate(null, Map.of("instruction", t.path("instruction").asText(), "input", inst.path("input").asText(),
          "output", inst.path("output").asText()), tasks.size()));
    }
    Pack instructions = new Pack("si", "self-instruct", TaskType.INSTRUCTION,
        "Diverse, self-contained tasks for instruction-tuning a general-purpose assistant.", "x", Map.of(), "s.jsonl", List.of());
    report("self-instruct rubric", instructions, judge(true, false), tasks, TaskType.INSTRUCTION);
  }

  static PipelineSpec.Judge judge(boolean rubric, boolean relabel) {
    return new PipelineSpec.Judge(true, null, null, null, 20, rubric, relabel, 3, PipelineSpec.OnDisagreement.REJECT, 0, null);
  }

  static Candidate candidate(String label, Map<String, String> fields, int i) {
    return Candidate.of(label, fields, new Candidate.Provenance(List.of(), "s", "t", "openai", "m", "r" + i, 0), 0);
  }

  static void report(String name, Pack pack, PipelineSpec.Judge judge, List<Candidate> candidates, TaskType task) {
    TokenCounter counter = TokenCounter.forModel(PARAMS.model());
    JudgePrompt prompt = new JudgePrompt(pack, judge, PARAMS);
    long own = 0;
    for (Candidate c : candidates) {
      own += counter.count(Texts.of(c, task));
    }
    for (int size : List.of(1, 5, 10, 20, 30, 40)) {
      long in = 0;
      int calls = 0;
      for (int from = 0; from < candidates.size(); from += size) {
        in += counter.promptTokens(prompt.request(candidates.subList(from, Math.min(candidates.size(), from + size)), 0).messages());
        calls++;
      }
      System.out.printf(Locale.ROOT, "BENCH judge_tokens %-26s batch_size=%-3d candidates=%d calls=%d own_tokens=%d judge_input_tokens=%d"
          + " input_per_own_token=%.2f%n", name, size, candidates.size(), calls, own, in, in / (double) own);
    }
  }
}
