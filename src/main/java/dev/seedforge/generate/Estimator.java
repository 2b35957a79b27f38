package dev.seedforge.generate;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.seed.Seed;
import dev.seedforge.util.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run's calls will cost before any is made: every planned prompt rendered and counted with
 * jtokkit; which of them the response cache already answers (they cost nothing); output tokens as
 * a range, low = the seeds' typical length × examples_per_call, high = max_tokens; the cost of both
 * ends for the calls still to pay; the worst case with every top-up round the pipeline allows; the
 * budget checked against all of it; and the wall time at the configured concurrency and limits.
 */
public final class Estimator {
  /** Assumed model speed for durations: time to first token plus output tokens at this rate. */
  public static final double FIRST_TOKEN_SECONDS = 0.5;
  public static final double OUTPUT_TOKENS_PER_SECOND = 60;

  /**
   * Figures of one label, or of the total (label null): calls planned, how many are cached, and
   * the tokens and cost of the calls still to pay.
   */
  public record Row(String label, long calls, long cached, long inputTokens, long outputLow, long outputHigh, double costLow, double costHigh) {}

  /**
   * The most a run can send and pay with every allowed top-up round: round 0's calls still to pay
   * plus {@code maxRounds - 1} rounds of {@code newCallsPerRound}, every call at max_tokens.
   */
  public record TopUpBound(int maxRounds, int newCallsPerRound, long calls, long inputTokens, long outputTokens, double cost) {}

  public record Estimate(
      List<Row> rows, Row total, String encoding, String priceSource, PipelineSpec.Price price,
      double secondsLow, double secondsHigh, String bottleneck, TopUpBound worstCase, List<String> budgetWarnings) {}

  private Estimator() {}

  public static Estimate estimate(PipelineSpec spec, List<Seed> seeds, List<GenerationRequest> requests) {
    return estimate(spec, seeds, requests, java.util.Set.of());
  }

  /** The estimate when the requests with an id in {@code cached} are answered by the response cache. */
  public static Estimate estimate(PipelineSpec spec, List<Seed> seeds, List<GenerationRequest> requests, java.util.Set<String> cached) {
    PipelineSpec.Llm llm = spec.llm();
    TokenCounter counter = TokenCounter.forModel(llm.model());
    PipelineSpec.Price price = Prices.table().priceOf(llm.model(), llm.price());
    int perCall = spec.generation().examplesPerCall();

    Map<String, long[]> seedTokens = new LinkedHashMap<>(); // label -> {tokens, count}
    for (Seed s : seeds) {
      long[] t = seedTokens.computeIfAbsent(key(s.label()), k -> new long[2]);
      t[0] += counter.count(Json.write(s.fields()));
      t[1]++;
    }
    long[] all = new long[2];
    seedTokens.values().forEach(t -> {
      all[0] += t[0];
      all[1] += t[1];
    });

    double perTurn = ConversationSetting.tokensPerTurn(seeds, counter);
    Map<String, long[]> perLabel = new LinkedHashMap<>(); // label -> {calls, in, low, high, cached}
    long allPromptTokens = 0;
    for (GenerationRequest r : requests) {
      long[] t = seedTokens.getOrDefault(key(r.label()), all);
      double avgExample = t[1] == 0 ? (all[1] == 0 ? 0 : (double) all[0] / all[1]) : (double) t[0] / t[1];
      if (ConversationSetting.turnsAsked(r) > 0) {
        // a conversation's length follows the turns asked for, not the seeds' own turn counts
        avgExample = perTurn * ConversationSetting.turnsAsked(r);
      }
      // the reply is {"examples": [ ... ]}: the examples plus a few tokens of wrapping
      long low = Math.min(r.params().maxTokens(), Math.round(avgExample * perCall) + 8);
      long[] row = perLabel.computeIfAbsent(key(r.label()), k -> new long[5]);
      int prompt = counter.promptTokens(r.messages());
      allPromptTokens += prompt;
      row[0]++;
      if (cached.contains(r.id())) {
        row[4]++;
        continue;
      }
      row[1] += prompt;
      row[2] += low;
      row[3] += r.params().maxTokens();
    }
    List<Row> rows = perLabel.entrySet().stream()
        .map(e -> row(e.getKey(), e.getValue(), price))
        .toList();
    long[] sum = new long[5];
    perLabel.values().forEach(v -> {
      for (int i = 0; i < 5; i++) {
        sum[i] += v[i];
      }
    });
    Row total = row(null, sum, price);
    TopUpBound worst = worstCase(spec, requests.size(), sum, allPromptTokens, price);

    // Duration of the calls to pay: the slowest of concurrency (calls in flight × time per call),
    // requests per minute and tokens per minute.
    double calls = sum[0] - sum[4];
    double lowPerCall = calls == 0 ? 0 : FIRST_TOKEN_SECONDS + sum[2] / calls / OUTPUT_TOKENS_PER_SECOND;
    double highPerCall = calls == 0 ? 0 : FIRST_TOKEN_SECONDS + sum[3] / calls / OUTPUT_TOKENS_PER_SECOND;
    double[] low = {calls * lowPerCall / llm.concurrency(), 0, 0};
    double[] high = {calls * highPerCall / llm.concurrency(), 0, 0};
    if (llm.requestsPerMinute() > 0) {
      low[1] = high[1] = calls / (llm.requestsPerMinute() / 60.0);
    }
    if (llm.tokensPerMinute() > 0) {
      low[2] = (sum[1] + sum[2]) / (llm.tokensPerMinute() / 60.0);
      high[2] = (sum[1] + sum[3]) / (llm.tokensPerMinute() / 60.0);
    }
    String[] names = {"concurrency " + llm.concurrency(), "requests_per_minute " + fmt(llm.requestsPerMinute()), "tokens_per_minute " + fmt(llm.tokensPerMinute())};
    int worstLimit = 0;
    for (int i = 1; i < 3; i++) {
      if (high[i] > high[worstLimit]) {
        worstLimit = i;
      }
    }
    return new Estimate(rows, total, counter.encodingName(), Prices.table().sourceOf(llm.model(), llm.price()), price,
        Math.max(low[0], Math.max(low[1], low[2])), Math.max(high[0], Math.max(high[1], high[2])), names[worstLimit],
        worst, budgetWarnings(llm.budget(), total, worst));
  }

  static TopUpBound worstCase(PipelineSpec spec, int round0Calls, long[] sum, long allPromptTokens, PipelineSpec.Price price) {
    PipelineSpec.Generation g = spec.generation();
    boolean topUps = g.maxRounds() > 1 && spec.llm().cache() != null;
    int perRound = topUps ? g.topupCallsPerRound(round0Calls) : 0;
    long extra = topUps ? (long) (g.maxRounds() - 1) * perRound : 0;
    double avgPrompt = round0Calls == 0 ? 0 : allPromptTokens / (double) round0Calls;
    long in = sum[1] + Math.round(extra * avgPrompt);
    long out = sum[3] + extra * spec.llm().maxTokens();
    return new TopUpBound(topUps ? g.maxRounds() : 1, perRound, sum[0] - sum[4] + extra, in, out, Prices.cost(price, in, out));
  }

  /** What llm.budget will cut short: round 0 alone, or the top-up rounds it allows. */
  static List<String> budgetWarnings(PipelineSpec.Budget b, Row total, TopUpBound worst) {
    List<String> out = new java.util.ArrayList<>();
    long toPay = total.calls() - total.cached();
    if (b.maxCalls() > 0 && b.maxCalls() < toPay) {
      out.add("llm.budget.max_calls " + b.maxCalls() + " is below the " + toPay + " calls round 0 still has to pay: the run will stop at the budget");
    } else if (b.maxCalls() > 0 && b.maxCalls() < worst.calls()) {
      out.add("llm.budget.max_calls " + b.maxCalls() + " covers round 0 but not every top-up round (up to " + worst.calls() + " calls)");
    }
    long lowTokens = total.inputTokens() + total.outputLow();
    long highTokens = total.inputTokens() + total.outputHigh();
    if (b.maxTokens() > 0 && b.maxTokens() < lowTokens) {
      out.add("llm.budget.max_tokens " + b.maxTokens() + " is below round 0's low estimate of " + lowTokens + " tokens: the run will stop at the budget");
    } else if (b.maxTokens() > 0 && b.maxTokens() < highTokens) {
      out.add("llm.budget.max_tokens " + b.maxTokens() + " is below round 0's high estimate of " + highTokens
          + " tokens (every call at max_tokens): the run may stop at the budget, since each call reserves its worst case");
    }
    if (b.maxCostUsd() > 0 && b.maxCostUsd() < total.costLow()) {
      out.add(String.format(java.util.Locale.ROOT, "llm.budget.max_cost_usd %.4f is below round 0's low estimate of $%.4f: the run will stop at the budget",
          b.maxCostUsd(), total.costLow()));
    } else if (b.maxCostUsd() > 0 && b.maxCostUsd() < total.costHigh()) {
      out.add(String.format(java.util.Locale.ROOT, "llm.budget.max_cost_usd %.4f is below round 0's high estimate of $%.4f: the run may stop at the budget",
          b.maxCostUsd(), total.costHigh()));
    }
    return out;
  }

  /** OpenAI caches a prompt's prefix from this many tokens on, in steps of {@link #PROMPT_CACHE_STEP}. */
  public static final int PROMPT_CACHE_MIN_TOKENS = 1024;
  public static final int PROMPT_CACHE_STEP = 128;

  /**
   * The round's cost both ways, side by side: at the sync price and at the Batch API's price; and
   * the expected share of input tokens the provider's prompt cache would serve.
   *
   * @param batchSource where the batch price came from (no batch price known: the sync price)
   * @param promptCacheShare of the input tokens to pay, those in prefixes that an earlier planned
   *     prompt shares, counted from {@link #PROMPT_CACHE_MIN_TOKENS} in steps of {@link #PROMPT_CACHE_STEP}
   */
  public record Modes(String mode, double syncLow, double syncHigh, double batchLow, double batchHigh, PipelineSpec.Price batchPrice,
      String batchSource, double promptCacheShare, Double cachedInputPerMillion) {}

  public static Modes modes(PipelineSpec spec, Estimate e, List<GenerationRequest> requests, java.util.Set<String> cached) {
    PipelineSpec.Llm llm = spec.llm();
    Prices table = Prices.table();
    PipelineSpec.Price batch = table.batchPriceOf(llm.model(), llm.price(), llm.batch().price());
    PipelineSpec.Price batchOrSync = batch != null ? batch : e.price();
    Row t = e.total();
    List<GenerationRequest> toPay = requests.stream().filter(r -> !cached.contains(r.id())).toList();
    double share = promptCacheShare(toPay, TokenCounter.forModel(llm.model()));
    Double cachedRate = table.cachedInputPerMillion(llm.model(), llm.price());
    double saved = cachedRate == null || e.price() == null ? 0 : t.inputTokens() * share * (e.price().inputPerMillion() - cachedRate) / 1e6;
    return new Modes(llm.batch().mode(), t.costLow() - saved, t.costHigh() - saved,
        Prices.cost(batchOrSync, t.inputTokens(), t.outputLow()), Prices.cost(batchOrSync, t.inputTokens(), t.outputHigh()),
        batchOrSync, table.batchSourceOf(llm.model(), llm.price(), llm.batch().price()), share, cachedRate);
  }

  /**
   * The share of prompt tokens a prefix cache would serve: with the prompts in sorted order, each
   * shares its longest prefix with a neighbour; that prefix, from 1,024 tokens on and rounded down
   * to steps of 128, is served from the cache when the neighbour was sent first (one of each group
   * of prompts with a common prefix pays in full).
   */
  static double promptCacheShare(List<GenerationRequest> requests, TokenCounter counter) {
    List<String> prompts = new java.util.ArrayList<>();
    long all = 0;
    for (GenerationRequest r : requests) {
      StringBuilder b = new StringBuilder();
      r.messages().forEach(m -> b.append(m.role()).append('\u0000').append(m.content()).append('\u0000'));
      prompts.add(b.toString());
      all += counter.promptTokens(r.messages());
    }
    java.util.Collections.sort(prompts);
    long served = 0;
    for (int i = 1; i < prompts.size(); i++) {
      String a = prompts.get(i - 1);
      String b = prompts.get(i);
      int n = 0;
      int max = Math.min(a.length(), b.length());
      while (n < max && a.charAt(n) == b.charAt(n)) {
        n++;
      }
      int tokens = n < PROMPT_CACHE_MIN_TOKENS ? 0 : counter.count(a.substring(0, n).replace('\u0000', '\n'));
      if (tokens >= PROMPT_CACHE_MIN_TOKENS) {
        served += tokens / PROMPT_CACHE_STEP * PROMPT_CACHE_STEP;
      }
    }
    return all == 0 ? 0 : Math.min(1.0, (double) served / all);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static Row row(String label, long[] v, PipelineSpec.Price price) {
    return new Row(label, v[0], v[4], v[1], v[2], v[3], Prices.cost(price, v[1], v[2]), Prices.cost(price, v[1], v[3]));
  }

  private static String key(String label) {
    return label == null ? "" : label;
  }
}
