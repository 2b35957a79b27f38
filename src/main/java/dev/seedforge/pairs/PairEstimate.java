package dev.seedforge.pairs;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.ModelSettings;
import dev.seedforge.generate.Prices;
import dev.seedforge.generate.TokenCounter;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.seed.Seed;
import java.util.ArrayList;
import java.util.List;

/**
 * What the pair calls will cost before the run, as an upper bound: every prompt round 0 can
 * produce (the seeds, when output.include_seeds, and every prompt the generation calls ask for)
 * reaches the pair stage, and each makes its method's calls: models 2 (an answer from each
 * generator), degrade 2 (the answer, then its rewrite), judge_rank answers + 2 (the answers, then
 * two scorings). Input tokens are the pair prompts rendered for the seeds, the seeds' prompts and
 * answers standing in for generated ones; output tokens range from the seeds' answer length (a
 * short verdict per answer for a scoring) to max_tokens per call, all priced at the generator's price.
 */
public record PairEstimate(PairMethod method, long prompts, int callsPerPrompt, long calls, long inputTokens, long outputLow, long outputHigh,
    double costLow, double costHigh, long worstCaseCalls) {
  /** Tokens of one score in a scoring reply, its rationale's length aside. */
  static final int SCORE_TOKENS = 24;

  /** Calls the pair stage makes for one prompt. */
  public static int callsPerPrompt(PairSettings pairs) {
    return pairs.method() == PairMethod.JUDGE_RANK ? pairs.answers() + 2 : 2;
  }

  /** Prompts round 0 sends to the pair stage at most. */
  public static long prompts(RunPlan plan) {
    long seeds = plan.spec().output().includeSeeds() ? plan.seeds().size() : 0;
    return seeds + (long) plan.requests().size() * plan.spec().generation().examplesPerCall();
  }

  /** The most pair calls round 0 can make (0 offline, where pairs are made without calls). */
  public static long callsAtMost(RunPlan plan) {
    return PairPlan.on(plan) && plan.usesLlm() ? prompts(plan) * callsPerPrompt(plan.pack().pairs()) : 0;
  }

  public static PairEstimate of(RunPlan plan) {
    PipelineSpec spec = plan.spec();
    PairSettings pairs = plan.pack().pairs();
    PairPlan.Sides sides = PairPlan.sides(plan);
    PairPrompts p = sides.prompts();
    ModelSettings generator = plan.modelSettings();
    TokenCounter counter = TokenCounter.forModel(generator.model());
    List<Seed> seeds = plan.seeds();
    double answerIn = 0;
    double answerOut = 0;
    double extraIn = 0;
    double extraOut = 0;
    int n = pairs.answers();
    for (Seed s : seeds) {
      dev.seedforge.generate.Candidate c = PairPlan.prompt(s);
      String chosen = s.field("chosen");
      int chosenTokens = counter.count(chosen);
      answerIn += counter.promptTokens(p.answer(c, 0, 0).messages());
      answerOut += chosenTokens;
      switch (pairs.method()) {
        case MODELS -> {
          extraIn += counter.promptTokens(p.answer(c, 0, 0).messages());
          extraOut += chosenTokens;
        }
        case DEGRADE -> {
          extraIn += counter.promptTokens(p.degrade(c, chosen, pairs.degradations().get(0), 0).messages());
          extraOut += chosenTokens;
        }
        case JUDGE_RANK -> {
          List<String> answers = new ArrayList<>();
          for (int k = 0; k < n; k++) {
            answers.add(chosen);
          }
          extraIn += 2.0 * counter.promptTokens(p.rank(c, answers, 0, false).messages());
          extraOut += 2.0 * SCORE_TOKENS * n;
        }
      }
    }
    int count = Math.max(1, seeds.size());
    long prompts = prompts(plan);
    int answersPerPrompt = pairs.method() == PairMethod.JUDGE_RANK ? n : 1;
    long in = Math.round(prompts * (answersPerPrompt * answerIn + extraIn) / count);
    long low = Math.round(prompts * (answersPerPrompt * answerOut + extraOut) / count);
    int perPrompt = callsPerPrompt(pairs);
    long calls = prompts * perPrompt;
    long high = prompts * (long) (answersPerPrompt * spec.llm().maxTokens()
        + switch (pairs.method()) {
          case MODELS -> sides.weaker().maxTokens();
          case DEGRADE -> spec.llm().maxTokens();
          case JUDGE_RANK -> 2 * sides.judge().maxTokens();
        });
    PipelineSpec.Price price = Prices.table().priceOf(spec.llm().model(), spec.llm().price());
    PipelineSpec.Generation g = spec.generation();
    long extraPrompts = g.maxRounds() > 1 && spec.llm().cache() != null
        ? (long) (g.maxRounds() - 1) * g.topupCallsPerRound(plan.requests().size()) * g.examplesPerCall() : 0;
    return new PairEstimate(pairs.method(), prompts, perPrompt, calls, in, Math.min(low, high), high, Prices.cost(price, in, Math.min(low, high)),
        Prices.cost(price, in, high), calls + extraPrompts * perPrompt);
  }
}
