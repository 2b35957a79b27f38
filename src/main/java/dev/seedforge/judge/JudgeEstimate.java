package dev.seedforge.judge;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.ChatTurn;
import dev.seedforge.generate.Prices;
import dev.seedforge.generate.TokenCounter;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.seed.Seed;
import java.util.List;

/**
 * What the judge will cost before the run, as an upper bound: every candidate that round 0's calls
 * ask for reaches the judge (the gate and dedup only remove some), in batches of {@code
 * batch_size}. Input tokens are the judge's system message (counted as rendered) plus each
 * candidate at the seeds' mean length and its numbering; output tokens range from a short verdict
 * per candidate to the judge's max_tokens per call. Verdicts already in the response cache cost
 * nothing, which this bound does not subtract.
 */
public record JudgeEstimate(String model, int batchSize, long candidates, long calls, long inputTokens, long outputLow, long outputHigh,
    double costLow, double costHigh, long worstCaseCalls) {
  /** Tokens of a verdict without its rationale's length: id, score, label and JSON punctuation. */
  static final int VERDICT_TOKENS = 24;
  /** The numbering and JSON wrapping of a candidate in the user message. */
  static final int CANDIDATE_OVERHEAD_TOKENS = 8;

  public static JudgeEstimate of(RunPlan plan) {
    PipelineSpec spec = plan.spec();
    PipelineSpec.Llm l = JudgePlan.llm(spec);
    TokenCounter counter = TokenCounter.forModel(l.model());
    JudgeStage.Config config = JudgePlan.config(plan);
    int systemTokens = counter.promptTokens(List.of(new ChatTurn("system", config.prompt().system()), new ChatTurn("user", "Candidates:")));
    double perCandidate = CANDIDATE_OVERHEAD_TOKENS + meanSeedTokens(plan, counter);
    long candidates = (long) plan.requests().size() * spec.generation().examplesPerCall();
    int size = spec.judge().batchSize();
    long calls = (candidates + size - 1) / size;
    long in = Math.round(calls * (double) systemTokens + candidates * perCandidate);
    long low = Math.min(calls * l.maxTokens(), candidates * VERDICT_TOKENS);
    long high = calls * l.maxTokens();
    PipelineSpec.Price price = Prices.table().priceOf(l.model(), l.price());
    PipelineSpec.Generation g = spec.generation();
    long extraCandidates = g.maxRounds() > 1 && spec.llm().cache() != null
        ? (long) (g.maxRounds() - 1) * g.topupCallsPerRound(plan.requests().size()) * g.examplesPerCall() : 0;
    long worst = calls + (extraCandidates + size - 1) / size;
    return new JudgeEstimate(l.model(), size, candidates, calls, in, low, high, Prices.cost(price, in, low), Prices.cost(price, in, high), worst);
  }

  private static double meanSeedTokens(RunPlan plan, TokenCounter counter) {
    List<Seed> seeds = plan.seeds();
    if (seeds.isEmpty()) {
      return 0;
    }
    long sum = 0;
    for (Seed s : seeds) {
      for (String f : plan.pack().task().fields()) {
        sum += counter.count(s.fields().getOrDefault(f, ""));
      }
    }
    return sum / (double) seeds.size();
  }
}
