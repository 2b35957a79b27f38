package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.seedforge.accounting.CallRecord;
import dev.seedforge.accounting.RunAccount;
import dev.seedforge.accounting.Tally;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.RequestPlanner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Top-up rounds: after a round, labels still short of their quota get more calls (new sample
 * indices, so new few-shot draws and seeds in rotation), and the job runs again over all requests
 * so far; earlier responses come from the response cache, so a round pays only for its new calls.
 *
 * <p>Bounded: a round plans at most {@code generation.max_topup_calls} new calls (by default as
 * many as round 0 planned), and a label whose last round kept fewer records per call than {@code
 * generation.min_topup_yield} × examples_per_call gets no more calls: its candidates are being
 * rejected, and paying again would not fix the prompt. Stops when every quota is met, at {@code
 * generation.max_rounds}, or when the budget or the circuit breaker stopped the run.
 */
public final class TopUp {
  private TopUp() {}

  /** One round in the manifest: its calls, and per label the records available after it and the records its calls yielded per call. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record RoundSummary(int round, long newRequests, RunAccount.Round calls, Map<String, Long> availablePerLabel,
      Map<String, Double> yieldPerCall) {}

  /** A filter and how many of a label's candidates it rejected. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record FilterCount(String filter, long rejected) {}

  /** A label that got no more calls because its calls yielded too little. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Starved(String label, int round, double yieldPerCall, double floorPerCall, long shortOf, List<FilterCount> topFilters) {
    public String message() {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
          "label %s kept %.2f records per call in round %d, under the floor of %.2f (generation.min_topup_yield × examples_per_call);"
              + " no more calls for it, %d short of its quota",
          label.isEmpty() ? "(none: the pack has no labels)" : label, yieldPerCall, round, floorPerCall, shortOf));
      if (!topFilters.isEmpty()) {
        b.append(". Most of its candidates were rejected by ");
        for (int i = 0; i < topFilters.size(); i++) {
          b.append(i == 0 ? "" : ", ").append(topFilters.get(i).filter()).append(" (").append(topFilters.get(i).rejected()).append(')');
        }
      }
      return b.append(": fix its prompt, seeds or label description rather than paying for more calls").toString();
    }
  }

  /** The top-up section of the manifest: the bounds in force and the labels that starved. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Report(int maxRounds, int roundsRun, int maxNewCallsPerRound, double minTopupYield, List<Starved> starved, String ended) {}

  /**
   * Records each label's calls yielded in {@code round}: records available after it minus those
   * before it (round 0: minus the seeds it includes), over the label's requests answered this
   * round (not those reused from an earlier round). Labels with no answered request are left out.
   */
  static Map<String, Double> yields(RunPlan plan, Invocation.Round previous, Invocation.Round round) {
    // only calls of the kind a top-up round adds count (a label strategy's planned requests): not
    // the judge's, a pair's, a chunk's or an evolution step's
    java.util.Set<String> labelRequests = new java.util.HashSet<>();
    plan.requests().stream().filter(r -> r.grounding() == null && r.evolving() == null).forEach(r -> labelRequests.add(r.id()));
    boolean unlabelled = unlabelled(plan);
    Map<String, Long> answered = new TreeMap<>();
    for (CallRecord c : round.calls()) {
      String key = c.label() != null ? c.label() : unlabelled ? UNLABELLED : null;
      if (c.ok() && c.source() != CallRecord.Source.REUSED && key != null && labelRequests.contains(c.requestId())) {
        answered.merge(key, 1L, Long::sum);
      }
    }
    Tally available = round.counts().tally(Counter.BALANCE_AVAILABLE);
    Tally before = previous != null ? previous.counts().tally(Counter.BALANCE_AVAILABLE)
        : plan.spec().output().includeSeeds() ? round.counts().tally(Counter.SEEDS_READ) : Tally.ZERO;
    Map<String, Double> out = new TreeMap<>();
    answered.forEach((label, n) -> out.put(label, Math.round(100.0 * Math.max(0, of(available, label) - of(before, label)) / n) / 100.0));
    return out;
  }

  /** The key of a pack without labels: its records are one group, counted by the tallies' totals. */
  static final String UNLABELLED = RequestPlanner.labelKey(null);

  private static boolean unlabelled(RunPlan plan) {
    return plan.pack() != null && plan.pack().labels().isEmpty();
  }

  private static long of(Tally t, String key) {
    return key.equals(UNLABELLED) ? t.total() : t.of(key);
  }

  /**
   * Calls to add per label: the shortfall over what one call yielded in the label's latest round
   * with answered calls. Labels under the yield floor are added to {@code starved} instead. The
   * sum is cut to {@code maxNewCalls}, in whole samples of {@code strategies} calls, in proportion.
   */
  static Map<String, Integer> callsNeeded(RunPlan plan, List<Invocation.Round> rounds, int maxNewCalls, int strategies, Map<String, Starved> starved) {
    PipelineSpec spec = plan.spec();
    Invocation.Round last = rounds.get(rounds.size() - 1);
    Tally available = last.counts().tally(Counter.BALANCE_AVAILABLE);
    double floor = spec.generation().minTopupYield() * spec.generation().examplesPerCall();
    Map<String, Integer> samples = new LinkedHashMap<>();
    List<String> keys = unlabelled(plan) ? List.of(UNLABELLED) : List.copyOf(available.perLabel().keySet());
    for (String label : keys) {
      int wanted = spec.targets().wanted(label);
      long have = of(available, label);
      if (wanted <= 0 || have >= wanted || starved.containsKey(label)) {
        continue;
      }
      Double yield = null;
      int yieldRound = -1;
      for (int i = rounds.size() - 1; i >= 0 && yield == null; i--) {
        yield = yields(plan, i == 0 ? null : rounds.get(i - 1), rounds.get(i)).get(label);
        yieldRound = i;
      }
      if (yield == null) {
        continue;
      }
      if (yield < floor) {
        starved.put(label, new Starved(label, yieldRound, yield, floor, wanted - have, topFilters(last.counts(), label)));
        continue;
      }
      int calls = (int) Math.ceil((wanted - have) / yield);
      samples.put(label, Math.max(1, (int) Math.ceil(calls / (double) strategies)));
    }
    return cut(samples, Math.max(0, maxNewCalls / Math.max(1, strategies)));
  }

  /**
   * Chunks with fewer than documents.min_examples_per_chunk records available after the last
   * round, in document order, at most {@code max}: each gets one more call per chunk strategy. A
   * chunk that already had a top-up call ({@code toppedUp}) and still falls short gets no more
   * (added to {@code starved}): its passage or its prompt, not the number of calls, is the problem.
   */
  static List<String> chunksNeeded(RunPlan plan, List<Invocation.Round> rounds, java.util.Set<String> toppedUp, java.util.Set<String> starved, int max) {
    int wanted = plan.spec().documents().minExamplesPerChunk();
    Counts last = rounds.get(rounds.size() - 1).counts();
    List<String> out = new ArrayList<>();
    for (dev.seedforge.document.Chunk c : plan.chunks()) {
      if (starved.contains(c.id()) || last.tally(Counter.CHUNK_AVAILABLE, c.id()).total() >= wanted) {
        continue;
      }
      if (toppedUp.contains(c.id())) {
        starved.add(c.id());
      } else if (out.size() < max) {
        out.add(c.id());
      }
    }
    return out;
  }

  /** Scales the samples per label down to at most {@code max} in all, keeping their proportions (largest shortfalls first). */
  static Map<String, Integer> cut(Map<String, Integer> samples, int max) {
    long sum = samples.values().stream().mapToLong(Integer::longValue).sum();
    if (sum <= max) {
      return samples;
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    samples.forEach((l, n) -> out.put(l, (int) (n * (long) max / sum)));
    int left = max - out.values().stream().mapToInt(Integer::intValue).sum();
    List<String> bySize = new ArrayList<>(samples.keySet());
    bySize.sort(Comparator.comparingInt((String l) -> -samples.get(l)).thenComparing(l -> l));
    for (int i = 0; left > 0 && i < bySize.size(); i++, left--) {
      out.merge(bySize.get(i), 1, Integer::sum);
    }
    out.values().removeIf(n -> n == 0);
    return out;
  }

  private static List<FilterCount> topFilters(Counts counts, String label) {
    List<FilterCount> out = new ArrayList<>();
    for (String filter : counts.names(Counter.REJECTED)) {
      long n = counts.tally(Counter.REJECTED, filter).of(label);
      if (n > 0) {
        out.add(new FilterCount(filter, n));
      }
    }
    out.sort(Comparator.comparingLong(FilterCount::rejected).reversed().thenComparing(FilterCount::filter));
    return List.copyOf(out.subList(0, Math.min(3, out.size())));
  }

  public static Runner.Outcome run(RunPlan plan, PipelineOptions options) throws IOException {
    Invocation run = Invocation.start(plan, options, null);
    try {
      return topUp(plan, run);
    } catch (RuntimeException | IOException | Error e) {
      run.abandon();
      throw e;
    }
  }

  private static Runner.Outcome topUp(RunPlan plan, Invocation run) throws IOException {
    PipelineSpec spec = plan.spec();
    run.round(plan, plan.requests().size());
    boolean cached = spec.llm().cache() != null;
    Map<String, String> warnings = new LinkedHashMap<>();
    if (!plan.usesLlm()) {
      return run.finish(plan, null, warnings);
    }
    if (!cached) {
      if (spec.generation().maxRounds() > 1) {
        warnings.put("top_up", "top-up rounds need the response cache (llm.cache); none were run");
      }
      return run.finish(plan, null, warnings);
    }
    RequestPlanner planner = plan.planner();
    int strategies = planner.labelStrategies().size();
    Map<String, Integer> nextChunkSample = new LinkedHashMap<>();
    java.util.Set<String> starvedChunks = new java.util.TreeSet<>();
    int maxNew = spec.generation().topupCallsPerRound(plan.requests().size());
    Map<String, Starved> starved = new LinkedHashMap<>();
    Map<String, Integer> nextSample = new LinkedHashMap<>();
    RunPlan current = plan;
    String ended = "every quota met";
    while (true) {
      if (run.status() != RunStatus.COMPLETE) {
        ended = "stopped: " + run.status().wireName();
        break;
      }
      if (run.rounds().size() >= spec.generation().maxRounds()) {
        ended = "generation.max_rounds " + spec.generation().maxRounds() + " reached";
        break;
      }
      Map<String, Integer> needed = callsNeeded(current, run.rounds(), maxNew, strategies, starved);
      int labelCalls = needed.values().stream().mapToInt(Integer::intValue).sum() * Math.max(1, strategies);
      int perChunk = Math.max(1, planner.chunkStrategies().size());
      List<String> chunks = chunksNeeded(current, run.rounds(), nextChunkSample.keySet(), starvedChunks, (maxNew - labelCalls) / perChunk);
      List<GenerationRequest> evolved = Evolution.nextDepth(current, run.rounds().size(), Path.of(spec.output().dir()));
      if (needed.isEmpty() && chunks.isEmpty() && evolved.isEmpty()) {
        ended = starved.isEmpty() && starvedChunks.isEmpty() ? "every quota met" : "no label short of its quota yields enough per call";
        break;
      }
      int round = run.rounds().size();
      List<GenerationRequest> more = new ArrayList<>(evolved);
      Evolution.fewShotMix(current).ifPresent(planner::withFewShotMix);
      for (Map.Entry<String, Integer> e : needed.entrySet()) {
        int first = nextSample.getOrDefault(e.getKey(), spec.generation().callsPerLabel());
        more.addAll(planner.planLabel(e.getKey(), round, first, e.getValue()));
        nextSample.put(e.getKey(), first + e.getValue());
      }
      for (String chunk : chunks) {
        int first = nextChunkSample.getOrDefault(chunk, spec.documents().callsPerChunk());
        more.addAll(planner.planChunk(chunk, round, first, 1));
        nextChunkSample.put(chunk, first + 1);
      }
      current = current.withRequests(more);
      run.round(current, more.size());
    }
    starved.values().forEach(s -> warnings.put("starved/" + s.label(), s.message()));
    if (!starvedChunks.isEmpty()) {
      warnings.put("starved/chunks", starvedChunks.size() + " chunks kept no record even after a top-up call; their questions are being rejected"
          + " (see rejected.jsonl, filter ungrounded) or the passages hold nothing to ask about: see documents.chunks_without_examples");
    }
    Report report = new Report(spec.generation().maxRounds(), run.rounds().size(), maxNew, spec.generation().minTopupYield(),
        List.copyOf(starved.values()), ended);
    return run.finish(current, report, warnings);
  }
}
