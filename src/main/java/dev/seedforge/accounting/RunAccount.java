package dev.seedforge.accounting;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Prices;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The account of one run's calls, summed over every round from the {@link CallRecord}s the
 * pipeline wrote: the manifest's {@code calls}, {@code tokens} and {@code cost} sections and the
 * per-round breakdown, as records that Jackson writes.
 *
 * <p>Each round re-runs every request so far; requests answered in an earlier round come from the
 * cache and are {@link CallRecord.Source#REUSED}. So what a run paid is the sum over rounds of the
 * calls each round sent, and the state of each request at the end is in the last round.
 */
public record RunAccount(Calls calls, Tokens tokens, Cost cost, List<Round> rounds) {

  /**
   * {@code planned} = {@code made} + {@code cached} + {@code failed}: every request ends answered
   * by a call of this run, answered from the cache (paid by an earlier run), or failed. {@code
   * usable}: requests whose answer parsed into at least one candidate. {@code sent} calls were sent
   * by this run (answered or not, all rounds), {@code attempts} the HTTP requests they took (what
   * the endpoint counted), {@code retried} = attempts - sent.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Calls(Tally planned, Tally made, Tally cached, Tally failed, Tally usable, Tally sent, Tally attempts, Tally retried,
      Map<String, Long> failuresByKind) {}

  /**
   * Tokens as the provider reported them: paid by this run, and served from the response cache (not
   * billed again). {@code promptCacheInput}: of the input paid, the tokens the provider served from
   * its prompt cache ({@code usage.prompt_tokens_details.cached_tokens}, billed at the cached rate),
   * and {@code promptCacheShare} their share of the input paid.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Tokens(String source, Tally input, Tally output, Tally cachedInput, Tally cachedOutput, Tally promptCacheInput,
      double promptCacheShare) {}

  /**
   * What this run's calls cost, in USD. {@code mode}: sync or batch, how they were sent; {@code
   * syncEquivalent} and {@code batchEquivalent}: what the same usage costs at the sync and at the
   * Batch API's price, side by side.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Cost(String currency, String priceSource, Double inputPerMillion, Double outputPerMillion, double total,
      Map<String, Double> perLabel, String note, String mode, Double cachedInputPerMillion, String batchPriceSource,
      Double batchInputPerMillion, Double batchOutputPerMillion, Double syncEquivalent, Double batchEquivalent) {}

  /** One round: the requests it added, the calls it sent and what they cost. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Round(int round, long newRequests, long sent, long made, long attempts, long retried, long failed,
      long inputTokens, long outputTokens, double costUsd) {}

  /** The calls of one round, as the pipeline wrote them, and how many requests that round added to the plan. */
  public record RoundCalls(int round, long newRequests, List<CallRecord> records) {}

  public static RunAccount of(List<RoundCalls> rounds, PipelineSpec.Llm llm) {
    List<CallRecord> all = new ArrayList<>();
    rounds.forEach(r -> all.addAll(r.records()));
    List<CallRecord> last = rounds.isEmpty() ? List.of() : rounds.get(rounds.size() - 1).records();
    Tally sent = Tally.count(all, r -> r.source() == CallRecord.Source.CALLED);
    Tally attempts = Tally.of(all, r -> true, CallRecord::attempts);
    Map<String, Long> byKind = new TreeMap<>();
    last.stream().filter(r -> !r.ok()).forEach(r -> byKind.merge(r.failureKind(), 1L, Long::sum));
    Calls calls = new Calls(
        Tally.count(last, r -> true),
        Tally.count(all, CallRecord::made),
        Tally.count(last, r -> r.source() == CallRecord.Source.CACHED),
        Tally.count(last, r -> !r.ok()),
        Tally.count(last, CallRecord::usable),
        sent, attempts, attempts.minus(sent), byKind);
    Tokens tokens = new Tokens("usage reported by the provider",
        Tally.of(all, r -> r.source() == CallRecord.Source.CALLED, CallRecord::inputTokens),
        Tally.of(all, r -> r.source() == CallRecord.Source.CALLED, CallRecord::outputTokens),
        Tally.of(last, r -> r.source() == CallRecord.Source.CACHED, CallRecord::inputTokens),
        Tally.of(last, r -> r.source() == CallRecord.Source.CACHED, CallRecord::outputTokens),
        Tally.of(all, r -> r.source() == CallRecord.Source.CALLED, CallRecord::cachedInputTokens), 0);
    long paidInput = tokens.input().total();
    tokens = new Tokens(tokens.source(), tokens.input(), tokens.output(), tokens.cachedInput(), tokens.cachedOutput(), tokens.promptCacheInput(),
        paidInput == 0 ? 0 : Math.round(10_000.0 * tokens.promptCacheInput().total() / paidInput) / 10_000.0);
    Tally pico = Tally.of(all, r -> r.source() == CallRecord.Source.CALLED, CallRecord::picoUsd);
    Map<String, Double> perLabel = new TreeMap<>();
    pico.perLabel().forEach((l, v) -> perLabel.put(l, Usd.toUsd(v)));
    PipelineSpec.Price price = Prices.table().priceOf(llm.model(), llm.price());
    PipelineSpec.Price batchPrice = Prices.table().batchPriceOf(llm.model(), llm.price(), llm.batch().price());
    PipelineSpec.Price batchOrSync = batchPrice != null ? batchPrice : price;
    Double cachedRate = Prices.table().cachedInputPerMillion(llm.model(), llm.price());
    long syncPico = 0;
    long batchPico = 0;
    for (CallRecord r : all) {
      if (r.source() == CallRecord.Source.CALLED) {
        syncPico += Usd.picoCost(price, r.inputTokens(), r.cachedInputTokens(), cachedRate, r.outputTokens());
        batchPico += Usd.picoCost(batchOrSync, r.inputTokens(), r.outputTokens());
      }
    }
    Cost cost = new Cost("USD", Prices.table().sourceOf(llm.model(), llm.price()),
        price == null ? null : price.inputPerMillion(), price == null ? null : price.outputPerMillion(),
        Usd.toUsd(pico.total()), perLabel.isEmpty() ? null : perLabel,
        "every call this run sent, in every round; responses from the cache were paid for by an earlier run and are not billed again",
        llm.batch().mode(), cachedRate, Prices.table().batchSourceOf(llm.model(), llm.price(), llm.batch().price()),
        batchOrSync == null ? null : batchOrSync.inputPerMillion(), batchOrSync == null ? null : batchOrSync.outputPerMillion(),
        Usd.toUsd(syncPico), Usd.toUsd(batchPico));
    List<Round> out = new ArrayList<>();
    for (RoundCalls r : rounds) {
      out.add(round(r));
    }
    return new RunAccount(calls, tokens, cost, List.copyOf(out));
  }

  static Round round(RoundCalls r) {
    Collection<CallRecord> records = r.records();
    long sent = 0;
    long made = 0;
    long attempts = 0;
    long failed = 0;
    long in = 0;
    long out = 0;
    long pico = 0;
    for (CallRecord c : records) {
      attempts += c.attempts();
      if (!c.ok()) {
        failed++;
      }
      if (c.source() == CallRecord.Source.CALLED) {
        sent++;
        made += c.ok() ? 1 : 0;
        in += c.inputTokens();
        out += c.outputTokens();
        pico += c.picoUsd();
      }
    }
    return new Round(r.round(), r.newRequests(), sent, made, attempts, attempts - sent, failed, in, out, Usd.toUsd(pico));
  }
}
