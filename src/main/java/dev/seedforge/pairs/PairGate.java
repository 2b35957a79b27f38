package dev.seedforge.pairs;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.quality.Filter;
import dev.seedforge.quality.PatternFilter;
import dev.seedforge.quality.QualityGate;
import dev.seedforge.quality.RepetitionFilter;
import dev.seedforge.quality.TextStatsFilter;
import dev.seedforge.quality.TruncationFilter;
import dev.seedforge.seed.TaskType;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gate of a made pair: the pair rules ({@code identical_pair}, {@code near_identical_pair}),
 * then the chosen answer through the run's whole instruction chain (length, refusals, language,
 * noise, the Self-Instruct rules, relevance) with the prompt as its instruction, then the rejected
 * answer through the noise filters only: a rejected answer may be unhelpful, curt or wrong on
 * purpose, but not broken text (placeholders, repetition, symbol soup, an echoed template, a cut-off
 * end), which would teach the model to prefer anything over noise. A filter that rejects either side
 * rejects the pair, named {@code chosen_FILTER} or {@code rejected_FILTER}.
 */
public final class PairGate implements Serializable {
  private final QualityGate chosen;
  private final QualityGate rejected;
  private final PairRules rules;

  public PairGate(QualityGate instructionChain, double maxSimilarity) {
    this.chosen = instructionChain;
    this.rejected = new QualityGate(noiseFilters(instructionChain.filters()), TaskType.INSTRUCTION);
    this.rules = new PairRules(maxSimilarity);
  }

  static List<Filter> noiseFilters(List<Filter> chain) {
    return chain.stream()
        .filter(f -> f instanceof TextStatsFilter || f instanceof RepetitionFilter || f instanceof PatternFilter || f instanceof TruncationFilter)
        .toList();
  }

  /** The filters the rejected side goes through. */
  public List<Filter> rejectedFilters() {
    return rejected.filters();
  }

  /** The first reason to reject the pair, or empty. */
  public Optional<Rejection> check(Candidate pair) {
    Optional<PairRules.Broken> broken = rules.check(pair.field("chosen"), pair.field("rejected"));
    if (broken.isPresent()) {
      PairRules.Broken b = broken.get();
      return Optional.of(Rejection.of(pair, PairMaker.STAGE, b.rule(), b.reason(), b.score(), b.threshold(), null));
    }
    Optional<Rejection> c = side(pair, "chosen", chosen);
    return c.isPresent() ? c : side(pair, "rejected", rejected);
  }

  private static Optional<Rejection> side(Candidate pair, String side, QualityGate gate) {
    Candidate view = new Candidate(pair.id(), pair.label(), Map.of("instruction", pair.field("prompt"), "input", "", "output", pair.field(side)),
        pair.provenance(), null);
    return gate.firstRejection(view).map(r -> Rejection.of(pair, PairMaker.STAGE, side + "_" + r.filter(),
        "the " + side + " answer: " + r.verdict().reason(), r.verdict().score(), r.verdict().threshold(), r.verdict().relatedId()));
  }

  public void warmUp() {
    chosen.warmUp();
  }
}
