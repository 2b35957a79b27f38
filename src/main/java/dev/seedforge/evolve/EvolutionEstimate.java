package dev.seedforge.evolve;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.Prices;
import dev.seedforge.generate.TokenCounter;
import dev.seedforge.prompt.Pack;
import java.util.List;

/**
 * What Evol-Instruct adds to a run's calls, as an upper bound: each depth has a rewrite call and an
 * answer call per parent; depth 1's rewrites are the planned ones (their prompts counted exactly),
 * its answers are counted on the parent task (the rewritten one is a little longer, allowed for),
 * and every later depth has at most as many parents as the depth before it planned.
 *
 * @param rounds evolution.rounds
 * @param firstDepthRewrites depth 1's rewrite calls, already in round 0's figures
 * @param callsPerLaterDepth the most rewrite calls a later depth plans (its answers are as many)
 * @param calls every rewrite and answer call of every depth, depth 1's rewrites included
 * @param inputTokens their prompt tokens
 * @param outputLow their output tokens if rewrites are as long as their parents and answers as the seeds' outputs
 * @param outputHigh every call at max_tokens
 */
public record EvolutionEstimate(int rounds, long firstDepthRewrites, long callsPerLaterDepth, long calls, long inputTokens, long outputLow,
    long outputHigh, double costLow, double costHigh) {
  /** Tokens a rewrite adds to its parent: the method's "10 to 20 words", with room. */
  static final int GROWTH_TOKENS = 30;

  public static EvolutionEstimate of(PipelineSpec spec, Pack pack, String provider, List<GenerationRequest> planned) {
    List<GenerationRequest> rewrites = planned.stream().filter(r -> r.evolving() != null).toList();
    TokenCounter counter = TokenCounter.forModel(spec.llm().model());
    EvolutionPlanner planner = new EvolutionPlanner(pack, spec, provider);
    long rewriteIn = 0;
    long answerIn = 0;
    long rewriteOut = 0;
    long answerOut = 0;
    for (GenerationRequest r : rewrites) {
      var parent = r.evolving().parent();
      String instruction = parent.getOrDefault("instruction", "");
      String input = parent.getOrDefault("input", "");
      rewriteIn += counter.promptTokens(r.messages());
      answerIn += counter.promptTokens(planner.answer(r, instruction, input).messages()) + GROWTH_TOKENS;
      rewriteOut += counter.count(instruction + input) + GROWTH_TOKENS;
      answerOut += counter.count(parent.getOrDefault("output", "")) + 8;
    }
    long n = rewrites.size();
    int later = Math.max(0, spec.evolution().rounds() - 1);
    long perLater = spec.evolution().tasksPerRound() > 0 ? Math.min(n, spec.evolution().tasksPerRound()) : n;
    long calls = 2 * n + 2 * perLater * later;
    double scale = n == 0 ? 0 : (double) perLater / n;
    // a later depth rewrites tasks one rewrite longer than the depth before
    long in = rewriteIn + answerIn;
    long low = rewriteOut + answerOut;
    for (int d = 1; d <= later; d++) {
      in += Math.round(scale * (rewriteIn + answerIn)) + 2L * perLater * GROWTH_TOKENS * d;
      low += Math.round(scale * (rewriteOut + answerOut)) + perLater * GROWTH_TOKENS * d;
    }
    long high = calls * spec.llm().maxTokens();
    PipelineSpec.Price price = Prices.table().priceOf(spec.llm().model(), spec.llm().price());
    return new EvolutionEstimate(spec.evolution().rounds(), n, perLater, calls, in, low, high, Prices.cost(price, in, low),
        Prices.cost(price, in, high));
  }
}
