package dev.seedforge.config;

import java.io.Serializable;

/**
 * The pipeline's {@code self_instruct:} section, the feedback loop of the Self-Instruct paper:
 * in rounds after the first, {@code fewShotGeneratedShare} of each call's few-shot examples are
 * tasks the run already accepted (the paper: 2 of 8), and a task whose instruction has a ROUGE-L
 * of {@code novelty} or more with any task already in the pool is rejected as {@code not_novel}
 * (the paper: 0.7; 0 turns the check off).
 */
public record SelfInstructSpec(double fewShotGeneratedShare, double novelty) implements Serializable {
  public static SelfInstructSpec off() {
    return new SelfInstructSpec(0, 0);
  }

  public boolean noveltyOn() {
    return novelty > 0;
  }

  static SelfInstructSpec read(Fields s) {
    SelfInstructSpec spec = new SelfInstructSpec(s.number("few_shot_generated_share", 0, 0, 1), s.number("novelty_rouge_l", 0, 0, 1));
    s.finish();
    return spec;
  }
}
