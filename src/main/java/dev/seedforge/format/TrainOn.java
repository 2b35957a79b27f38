package dev.seedforge.format;

import dev.seedforge.config.Fields;
import dev.seedforge.config.Problems;

/**
 * Which assistant turns of a conversation record are trained on ({@code output.train_on}): all
 * of them (the default, no weights written), or only the last, the earlier ones written with
 * {@code "weight": 0} and the last with {@code "weight": 1} in the openai-chat format.
 */
public enum TrainOn {
  ALL,
  LAST;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** {@code output.train_on} of a pipeline file; absent, {@link #ALL}. */
  public static TrainOn read(Fields output, Problems problems) {
    String v = output.string("train_on", null);
    if (v == null) {
      return ALL;
    }
    for (TrainOn t : values()) {
      if (t.wireName().equals(v)) {
        return t;
      }
    }
    problems.add("output.train_on", "expected all or last, got \"" + v + "\"");
    return ALL;
  }

  /** Whether a record written this way carries weights on its assistant messages. */
  public boolean weighted() {
    return this != ALL;
  }
}
