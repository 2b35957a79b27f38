package dev.seedforge.judge;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.seedforge.accounting.CallRecord;
import dev.seedforge.accounting.RunAccount;
import dev.seedforge.accounting.Tally;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Counts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The manifest's {@code judge} section: the judge's own calls, tokens and cost (from its {@link
 * CallRecord}s, purpose judge, every round), what it judged and rejected (from the last round's
 * counts, which cover every candidate so far), how often its blind label pick agreed with the
 * intended label that the label filter had let through, its input tokens per token of the examples
 * it judged (paid calls only), and its cost per record written.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JudgeReport(
    String model,
    List<String> modes,
    int batchSize,
    Double threshold,
    String onDisagreement,
    RunAccount.Calls calls,
    RunAccount.Tokens tokens,
    RunAccount.Cost cost,
    Tally judged,
    Tally unjudged,
    Tally verdictsFromCache,
    Map<String, Tally> rejected,
    Tally disagreedKept,
    Double agreementWithLabelFilter,
    Double inputTokensPerExampleToken,
    Double costPerKeptExampleUsd,
    String note) {

  /**
   * @param callsPerRound each round's judge call records, in order
   * @param countsPerRound each round's stage counts, in order
   */
  public static JudgeReport of(PipelineSpec spec, List<List<CallRecord>> callsPerRound, List<Counts> countsPerRound) {
    PipelineSpec.Judge j = spec.judge();
    PipelineSpec.Llm llm = JudgePlan.llm(spec);
    List<RunAccount.RoundCalls> rounds = new ArrayList<>();
    for (int i = 0; i < callsPerRound.size(); i++) {
      rounds.add(new RunAccount.RoundCalls(i, 0, callsPerRound.get(i)));
    }
    RunAccount account = RunAccount.of(rounds, llm);
    Counts last = countsPerRound.get(countsPerRound.size() - 1);
    Tally judged = last.tally(Counter.JUDGE, JudgeStage.JUDGED);
    Map<String, Tally> rejected = new TreeMap<>();
    for (String filter : List.of(JudgeStage.SCORE_FILTER, JudgeStage.LABEL_FILTER)) {
      Tally t = last.tally(Counter.REJECTED, JudgeStage.STRATEGY + "/" + filter);
      if (t.total() > 0 || (filter.equals(JudgeStage.SCORE_FILTER) ? j.rubric() : j.relabel())) {
        rejected.put(filter, t);
      }
    }
    Double agreement = j.relabel() && judged.total() > 0
        ? round4(last.tally(Counter.JUDGE, JudgeStage.RELABEL_AGREED).total() / (double) judged.total()) : null;
    long ownTokens = 0;
    for (Counts c : countsPerRound) {
      ownTokens += c.tally(Counter.JUDGE, JudgeStage.SENT_OWN_TOKENS).total();
    }
    long paidInput = account.tokens().input().total();
    long written = 0;
    for (String split : last.names(Counter.FINAL)) {
      written += last.tally(Counter.FINAL, split).total();
    }
    List<String> modes = new ArrayList<>();
    if (j.rubric()) {
      modes.add("rubric");
    }
    if (j.relabel()) {
      modes.add("relabel");
    }
    return new JudgeReport(llm.model(), modes, j.batchSize(), j.rubric() ? j.threshold() : null,
        j.relabel() ? j.onDisagreement().name().toLowerCase(java.util.Locale.ROOT) : null,
        account.calls(), account.tokens(), account.cost(), judged, last.tally(Counter.JUDGE, JudgeStage.UNJUDGED),
        last.tally(Counter.JUDGE, JudgeStage.FROM_CACHE), rejected,
        j.relabel() ? last.tally(Counter.JUDGE, JudgeStage.DISAGREED_KEPT) : null, agreement,
        ownTokens > 0 ? round4(paidInput / (double) ownTokens) : null,
        written > 0 ? account.cost().total() / written : null,
        "seeds are not judged; candidates without a verdict (failed or malformed judge calls, see failed.jsonl) are kept unjudged;"
            + " agreement_with_label_filter: share of judged candidates, all of which passed the label filter, whose blind label pick"
            + " is their intended label; input_tokens_per_example_token: the judge calls' input tokens over the judged examples' own"
            + " tokens, calls this run paid for; cost_per_kept_example_usd: the judge's cost over the records written");
  }

  private static double round4(double d) {
    return Math.round(d * 10_000) / 10_000.0;
  }
}
