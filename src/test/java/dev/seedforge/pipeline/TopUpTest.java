package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.accounting.CallRecord;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.prompt.Pack;
import dev.seedforge.seed.TaskType;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quotas the first round cannot meet are topped up, paying only for new calls. */
class TopUpTest {
  @TempDir Path dir;

  @Test
  void should_top_up_short_labels_until_every_quota_is_met_paying_each_call_once() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      Path f = dir.resolve("p.yaml");
      Files.writeString(f, String.join("\n",
          "pack: " + Path.of("prompts/customer-support").toAbsolutePath(),
          "llm: {provider: openai, base_url: \"" + server.baseUrl() + "\", cache: \"" + dir.resolve("cache.sqlite") + "\"}",
          "generation: {calls_per_label: 1, examples_per_call: 5, max_rounds: 6}",
          // the loopback's template sentences are not real messages of their labels: the label check
          // learned from the pool and the off-topic bound calibrated on the seeds reject most of
          // them, and this test is about the rounds, not the gate
          "quality: {language: \"off\", label_check: false, min_similarity: 0.15}",
          "targets: {per_label: 25}",
          "output: {dir: out}",
          ""));
      PipelineSpec spec = SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());

      Runner.Outcome outcome = TopUp.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());

      JsonNode m = outcome.manifest();
      assertThat(m.path("rounds").size()).isGreaterThan(1);
      assertThat(m.path("rounds").get(0).path("new_requests").asLong()).isEqualTo(20);
      m.path("balance").forEach(label -> assertThat(label.path("kept").asLong()).isEqualTo(25));
      assertThat(m.path("warnings").path("unmet_quota/order_status").isMissingNode()).isTrue();
      long planned = m.path("calls").path("planned").path("total").asLong();
      assertThat(server.requestCount()).as("every planned call paid for exactly once across rounds").isEqualTo((int) planned);
      assertThat(Json.mapper().readTree(outcome.outDir().resolve("manifest.json").toFile()).path("rounds").size())
          .isEqualTo(m.path("rounds").size());
    }
  }

  static CallRecord answered(String label, int i) {
    return new CallRecord("r-" + label + i, label, 0, CallRecord.Source.CALLED, null, null, 1, 10, 10, 0, 5);
  }

  static Invocation.Round round(Map<String, Integer> calls, Map<String, Long> available, Map<String, Long> seeds, Map<String, Long> rejectedByLabelConsistency) {
    List<CallRecord> records = new ArrayList<>();
    calls.forEach((label, n) -> {
      for (int i = 0; i < n; i++) {
        records.add(answered(label, i));
      }
    });
    List<Ledger.Value> values = new ArrayList<>();
    available.forEach((l, n) -> values.add(new Ledger.Value(Counter.BALANCE_AVAILABLE, "", l, n)));
    seeds.forEach((l, n) -> values.add(new Ledger.Value(Counter.SEEDS_READ, "", l, n)));
    rejectedByLabelConsistency.forEach((l, n) -> values.add(new Ledger.Value(Counter.REJECTED, "quality/label_consistency", l, n)));
    values.add(new Ledger.Value(Counter.REJECTED, "dedup/near_duplicate", "c", 2));
    return new Invocation.Round(0, records.size(), records, Counts.of(values));
  }

  /** A plan whose requests are those {@code r}'s calls answered, for a pack with these labels. */
  RunPlan plan(int perLabel, Invocation.Round r, Map<String, String> labels) throws IOException {
    Path f = dir.resolve("x.yaml");
    Files.createDirectories(dir.resolve("prompts/p"));
    Files.writeString(dir.resolve("prompts/p/pack.yaml"), "system_prompt: s\n");
    Files.writeString(f, "pack: prompts/p\ngeneration: {examples_per_call: 5}\ntargets: {per_label: " + perLabel + "}\n");
    PipelineSpec spec = SpecLoader.load(f, Map.of(), SpecLoader.Overrides.none());
    Pack pack = new Pack("prompts/p", "d", TaskType.CLASSIFICATION, "", "s", labels, "seeds.jsonl", List.of());
    List<GenerationRequest> requests = r.calls().stream()
        .map(c -> new GenerationRequest(c.requestId(), c.label(), "paraphrase", "t", List.of(), List.of(), null, 0, 0)).toList();
    return new RunPlan(spec, pack, List.of(), "openai", "", requests, List.of());
  }

  RunPlan plan(int perLabel, Invocation.Round r) throws IOException {
    return plan(perLabel, r, Map.of("a", "A", "b", "B", "c", "C"));
  }

  @Test
  void should_ask_for_calls_in_proportion_to_each_labels_shortfall_and_yield() throws IOException {
    // given: a kept 12 (2 seeds + 10 from 2 calls: 5 a call), b met its quota, c kept only its 3 seeds
    Invocation.Round r = round(Map.of("a", 2, "b", 2, "c", 2), Map.of("a", 12L, "b", 40L, "c", 3L), Map.of("a", 2L, "b", 2L, "c", 3L),
        Map.of("c", 9L));
    Map<String, TopUp.Starved> starved = new java.util.LinkedHashMap<>();

    // when
    Map<String, Integer> needed = TopUp.callsNeeded(plan(30, r), List.of(r), 100, 1, starved);

    // then: a is 18 short at 5 a call -> 4 calls; c yielded nothing, under the floor of 0.5 a call
    assertThat(needed).containsExactly(Map.entry("a", 4));
    assertThat(starved).containsOnlyKeys("c");
    TopUp.Starved c = starved.get("c");
    assertThat(c.yieldPerCall()).isZero();
    assertThat(c.floorPerCall()).isEqualTo(0.5);
    assertThat(c.shortOf()).isEqualTo(27);
    assertThat(c.topFilters()).extracting(TopUp.FilterCount::filter).containsExactly("quality/label_consistency", "dedup/near_duplicate");
    assertThat(c.message()).contains("label c", "quality/label_consistency (9)", "no more calls");
  }

  @Test
  void should_never_plan_more_new_calls_in_a_round_than_allowed() throws IOException {
    // given: three labels each far short, at 1 record a call
    Invocation.Round r = round(Map.of("a", 2, "b", 2, "c", 2), Map.of("a", 2L, "b", 2L, "c", 2L), Map.of(), Map.of());

    // when: at most 20 new calls a round, in samples of 2 strategies
    Map<String, Integer> samples = TopUp.callsNeeded(plan(100, r), List.of(r), 20, 2, new java.util.LinkedHashMap<>());

    // then: 10 samples of 2 calls, shared in proportion (98 short each: 3, 3, 3, plus one)
    assertThat(samples.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    assertThat(samples).containsOnlyKeys("a", "b", "c");
    assertThat(samples.values()).allSatisfy(n -> assertThat(n).isBetween(3, 4));
  }

  @Test
  void should_top_up_a_pack_without_labels_as_one_group_counting_only_its_generation_calls() throws IOException {
    // given: a pack without labels, 4 generation calls that kept 10 records, and 6 calls of another
    // kind (a pair stage's or the judge's) that are not in the plan's requests
    List<CallRecord> records = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      records.add(answered(null, i));
    }
    for (int i = 0; i < 6; i++) {
      records.add(new CallRecord("pair-" + i, null, 0, CallRecord.Source.CALLED, null, null, 1, 10, 10, 0, 1));
    }
    Invocation.Round generated = new Invocation.Round(0, 4, records.subList(0, 4), Counts.of(List.of()));
    Invocation.Round r = new Invocation.Round(0, 10, records, Counts.of(List.of(new Ledger.Value(Counter.BALANCE_AVAILABLE, "", "", 10))));
    RunPlan plan = plan(30, generated, Map.of());

    // when
    Map<String, Double> yields = TopUp.yields(plan, null, r);
    Map<String, Integer> needed = TopUp.callsNeeded(plan, List.of(r), 100, 1, new java.util.LinkedHashMap<>());

    // then: 2.5 records a generation call; 20 short -> 8 more calls, under the pack's one key
    assertThat(yields).containsExactly(Map.entry("", 2.5));
    assertThat(needed).containsExactly(Map.entry("", 8));
  }
}
