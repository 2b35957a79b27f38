package dev.seedforge.generate;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.seed.Seed;
import dev.seedforge.util.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run's calls will cost before any is made: every planned prompt rendered and counted with
 * jtokkit; output tokens as a range, low = the seeds' typical length × examples_per_call, high =
 * max_tokens; the cost of both ends; and the wall time at the configured concurrency and limits.
 */
public final class Estimator {
  /** Assumed model speed for durations: time to first token plus output tokens at this rate. */
  public static final double FIRST_TOKEN_SECONDS = 0.5;
  public static final double OUTPUT_TOKENS_PER_SECOND = 60;

  /** Figures of one label, or of the total (label null). */
  public record Row(String label, long calls, long inputTokens, long outputLow, long outputHigh, double costLow, double costHigh) {}

  public record Estimate(
      List<Row> rows, Row total, String encoding, String priceSource, PipelineSpec.Price price,
      double secondsLow, double secondsHigh, String bottleneck) {}

  private Estimator() {}

  public static Estimate estimate(PipelineSpec spec, List<Seed> seeds, List<GenerationRequest> requests) {
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

    Map<String, long[]> perLabel = new LinkedHashMap<>(); // label -> {calls, in, low, high}
    for (GenerationRequest r : requests) {
      long[] t = seedTokens.getOrDefault(key(r.label()), all);
      double avgExample = t[1] == 0 ? (all[1] == 0 ? 0 : (double) all[0] / all[1]) : (double) t[0] / t[1];
      // the reply is {"examples": [ ... ]}: the examples plus a few tokens of wrapping
      long low = Math.min(r.params().maxTokens(), Math.round(avgExample * perCall) + 8);
      long[] row = perLabel.computeIfAbsent(key(r.label()), k -> new long[4]);
      row[0]++;
      row[1] += counter.promptTokens(r.messages());
      row[2] += low;
      row[3] += r.params().maxTokens();
    }
    List<Row> rows = perLabel.entrySet().stream()
        .map(e -> row(e.getKey(), e.getValue(), price))
        .toList();
    long[] sum = new long[4];
    perLabel.values().forEach(v -> {
      for (int i = 0; i < 4; i++) {
        sum[i] += v[i];
      }
    });
    Row total = row(null, sum, price);

    // Duration: the slowest of concurrency (calls in flight × time per call), requests per minute
    // and tokens per minute.
    double calls = sum[0];
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
    int worst = 0;
    for (int i = 1; i < 3; i++) {
      if (high[i] > high[worst]) {
        worst = i;
      }
    }
    return new Estimate(rows, total, counter.encodingName(), Prices.table().sourceOf(llm.model(), llm.price()), price,
        Math.max(low[0], Math.max(low[1], low[2])), Math.max(high[0], Math.max(high[1], high[2])), names[worst]);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static Row row(String label, long[] v, PipelineSpec.Price price) {
    return new Row(label, v[0], v[1], v[2], v[3], Prices.cost(price, v[1], v[2]), Prices.cost(price, v[1], v[3]));
  }

  private static String key(String label) {
    return label == null ? "" : label;
  }
}
