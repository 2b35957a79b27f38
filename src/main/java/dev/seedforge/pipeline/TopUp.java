package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.RequestPlanner;
import dev.seedforge.util.AtomicFiles;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Top-up rounds: after a run, labels still short of their quota get more calls (new sample
 * indices, so new few-shot draws and seeds in rotation), and the job runs again over all requests
 * so far. Earlier responses come from the response cache, so a round pays only for its new calls.
 * Stops when every quota is met, at {@code generation.max_rounds}, or when a budget or the circuit
 * breaker stopped the run.
 */
public final class TopUp {
  private TopUp() {}

  /**
   * Calls to add per label: the shortfall divided by what one call yielded for that label so far
   * (records that survived the gate and dedup), at least one call's worth per strategy.
   */
  public static Map<String, Integer> callsNeeded(JsonNode manifest, PipelineSpec spec) {
    Map<String, Integer> out = new LinkedHashMap<>();
    JsonNode balance = manifest.path("balance");
    JsonNode planned = manifest.path("calls").path("planned").path("per_label");
    for (Iterator<String> it = balance.fieldNames(); it.hasNext(); ) {
      String label = it.next();
      int wanted = spec.targets().wanted(label);
      long available = balance.path(label).path("available").asLong();
      if (wanted <= 0 || available >= wanted) {
        continue;
      }
      long calls = Math.max(1, planned.path(label).asLong());
      long seeds = manifest.path("seeds").path("per_label").path(label).asLong();
      double perCall = Math.max(0.5, (available - (spec.output().includeSeeds() ? seeds : 0)) / (double) calls);
      out.put(label, (int) Math.ceil((wanted - available) / perCall));
    }
    return out;
  }

  public static Runner.Outcome run(RunPlan plan, PipelineOptions options) throws IOException {
    Runner.Outcome outcome = Runner.run(plan, options);
    PipelineSpec spec = plan.spec();
    boolean cached = spec.llm().cache() != null;
    ArrayNode rounds = Json.mapper().createArrayNode();
    rounds.add(summary(0, plan.requests().size(), outcome.manifest()));
    if (plan.usesLlm() && cached) {
      RequestPlanner planner = new RequestPlanner(plan.pack(), spec, plan.generator(), plan.seeds());
      int strategies = planner.strategies().size();
      Map<String, Integer> nextSample = new LinkedHashMap<>();
      RunPlan current = plan;
      for (int round = 1; round < spec.generation().maxRounds() && outcome.manifest().path("status").asText("complete").equals("complete"); round++) {
        Map<String, Integer> needed = callsNeeded(outcome.manifest(), spec);
        if (needed.isEmpty()) {
          break;
        }
        List<GenerationRequest> more = new ArrayList<>();
        for (Map.Entry<String, Integer> e : needed.entrySet()) {
          int first = nextSample.getOrDefault(e.getKey(), spec.generation().callsPerLabel());
          int samples = Math.max(1, (int) Math.ceil(e.getValue() / (double) strategies));
          more.addAll(planner.planLabel(e.getKey(), round, first, samples));
          nextSample.put(e.getKey(), first + samples);
        }
        current = current.withRequests(more);
        outcome = Runner.run(current, options);
        rounds.add(summary(round, more.size(), outcome.manifest()));
      }
    }
    ObjectNode m = outcome.manifest();
    m.set("rounds", rounds);
    if (plan.usesLlm() && !cached && spec.generation().maxRounds() > 1) {
      m.with("warnings").put("top_up", "top-up rounds need the response cache (llm.cache); none were run");
    }
    AtomicFiles.writeString(outcome.outDir().resolve("manifest.json"), Json.pretty(m) + "\n");
    dev.seedforge.report.HtmlReport.write(outcome.outDir());
    return outcome;
  }

  private static ObjectNode summary(int round, int newCalls, JsonNode manifest) {
    ObjectNode r = Json.mapper().createObjectNode();
    r.put("round", round);
    r.put("new_calls", newCalls);
    ObjectNode perLabel = r.putObject("available_per_label");
    manifest.path("balance").fields().forEachRemaining(e -> perLabel.put(e.getKey(), e.getValue().path("available").asLong()));
    return r;
  }
}
