package dev.seedforge.pairs;

import java.util.Arrays;
import java.util.Locale;

/**
 * One way of making a good answer worse on purpose ({@code pairs.degradations}): what the
 * degrading call is told to do, so the rejected side differs from the chosen one in a known way.
 */
public enum Degradation {
  WRONG_FACT("State at least one important fact, number, name or step incorrectly, confidently and without hedging, "
      + "so that a reader who follows the answer is misled. Keep the rest of the answer as it is."),
  IGNORED_CONSTRAINT("Ignore one explicit constraint or part of the request (a length, format, audience, language, item count "
      + "or a sub-question), answering as if it had not been asked. Keep the answer otherwise plausible."),
  UNHELPFUL_TONE("Answer in a curt, condescending or dismissive tone: lecture the user, skip the useful specifics "
      + "and tell them to look it up themselves, while staying on topic and without insults or refusals.");

  private final String instruction;

  Degradation(String instruction) {
    this.instruction = instruction;
  }

  /** What the degrading call is asked to do to the answer. */
  public String instruction() {
    return instruction;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The degradation named {@code s}, or null. */
  public static Degradation parse(String s) {
    return Arrays.stream(values()).filter(d -> d.wireName().equals(s)).findFirst().orElse(null);
  }
}
