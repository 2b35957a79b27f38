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
}
