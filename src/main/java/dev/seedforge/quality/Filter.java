package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import java.io.Serializable;

/**
 * One quality check. Plain Java, testable without Beam; the gate stage composes the configured
 * chain. Implementations are immutable and thread-safe; heavy models are shared per JVM.
 */
public interface Filter extends Serializable {
  /** The name written to rejected.jsonl and the manifest, e.g. "token_count". */
  String name();

  Verdict check(Candidate candidate);

  /**
   * The same verdict from a candidate's shared measures (token count, normalised text, ...), which
   * the gate computes once per record for all its filters; filters that use them override this.
   */
  default Verdict check(CandidateText text) {
    return check(text.candidate());
  }

  /** The verdicts on many candidates, in their order; filters that gain from batches override it. */
  default java.util.List<Verdict> checkAll(java.util.List<CandidateText> texts) {
    return texts.stream().map(this::check).toList();
  }

  /** True when {@link #checkAll} is much cheaper per candidate than {@link #check} (a model call per batch). */
  default boolean batches() {
    return false;
  }

  /** Loads what the filter's first check would load (models, seed vectors), so a caller can do it ahead. */
  default void warmUp() {}
}
