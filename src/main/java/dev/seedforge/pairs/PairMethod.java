package dev.seedforge.pairs;

import java.util.Arrays;
import java.util.Locale;

/** How a preference pair's rejected answer is made ({@code pairs.method} in pack.yaml). */
public enum PairMethod {
  /** The run's llm answers (chosen), a weaker generator answers the same prompt (rejected). */
  MODELS,
  /** The run's llm answers (chosen), a second call rewrites that answer worse in one named way (rejected). */
  DEGRADE,
  /** N answers, scored by the judge twice in swapped order: the best is chosen, the worst rejected. */
  JUDGE_RANK;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The method named {@code s}, or null. */
  public static PairMethod parse(String s) {
    return Arrays.stream(values()).filter(m -> m.wireName().equals(s)).findFirst().orElse(null);
  }
}
