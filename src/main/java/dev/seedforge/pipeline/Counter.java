package dev.seedforge.pipeline;

/**
 * What the stages count for the manifest. Each count has a counter, a name within it (or none)
 * and a label (or none); {@link Ledger} sums them.
 */
public enum Counter {
  /** Seeds read, per label. */
  SEEDS_READ,
  /** Candidates that reached the quality gate, per label. */
  GENERATED,
  /** Candidates that passed the quality gate, per label. */
  QUALITY_PASSED,
  /** Records dropped, named {@code stage/filter}, per label. */
  REJECTED,
  /** Candidates that reached the gate, named by strategy, and per template in the label slot. */
  ACCEPTANCE_GENERATED,
  /** Candidates kept after the gate and dedup, named by strategy, and per template in the label slot. */
  ACCEPTANCE_KEPT,
  /** Records available to balancing, per label. */
  BALANCE_AVAILABLE,
  /** The quota of each label. */
  BALANCE_QUOTA,
  /** Records written, named by split, per label. */
  FINAL,
  /** Learning-curve subset records, named by subset, per label. */
  SUBSET,
  /** Prompt/completion marker masks, per format name in the label slot. */
  FORMAT_MARKERS,
  /** Grounded records available to balancing, named by chunk id. */
  CHUNK_AVAILABLE,
  /** Grounded records written to train, validation and test, named by chunk id. */
  CHUNK_WRITTEN,
  /** Split groups per label: named groups, largest, groups/SPLIT and links/KIND. */
  SPLIT_GROUPS,
  /** Per label, the largest similarity of an evaluation record to train, in millionths: named SPLIT/jaccard, SPLIT/cosine. */
  SPLIT_CLOSEST,
  /** Per label, evaluation records with a train record at or above the group bound: named SPLIT/jaccard, SPLIT/cosine. */
  SPLIT_VARIANTS,
  /** The LLM judge's figures, named by {@code dev.seedforge.judge.JudgeStage}'s counts, per label. */
  JUDGE,
  /** Candidates the out-of-fold label check judged, per label. */
  LABEL_CHECKED,
  /** Preference runs: prompts that reached the pair stage, pairs made and pairs that passed its gate (named by dev.seedforge.pairs.PairStage). */
  PAIRS,
  /** Evol-Instruct steps, named {@code depth/D/OUTCOME} and {@code operation/OP/OUTCOME} (planned, rewritten, answered, kept), per label. */
  EVOLUTION,
  /** Self-Instruct novelty: tasks checked against the pool and those found too close, named {@code checked} and {@code not_novel}, per label. */
  NOVELTY
}
