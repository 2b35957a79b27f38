package dev.seedforge.format;

import java.util.List;

/**
 * The legacy prompt/completion rules of OpenAI's prepare_data tool: one separator ends every
 * prompt and appears in no prompt text; every completion starts with a space and ends with one
 * stop sequence that appears in no completion. The choice is the first candidate no record
 * contains, found from a bit mask of which candidates occur in the data (bit i: separator i
 * occurs in some prompt; bit 32 + j: stop j occurs in some completion).
 */
public final class PromptCompletion {
  public static final List<String> DEFAULT_SEPARATORS = List.of("\n\n###\n\n", "\n\n===\n\n", "\n\n-->\n\n", " ->");
  public static final List<String> DEFAULT_STOPS = List.of("\n", " END", " ###", " <|end|>");

  private PromptCompletion() {}

  public record Markers(String separator, String stop) {}

  /** The bits of the candidates that occur in this example's prompt text or completion. */
  public static long occurring(FormatSpec f, Example e) {
    long mask = 0;
    for (int i = 0; i < f.separators().size(); i++) {
      if (e.user().contains(f.separators().get(i))) {
        mask |= 1L << i;
      }
    }
    String completion = " " + e.assistant();
    for (int j = 0; j < f.stops().size(); j++) {
      if (completion.contains(f.stops().get(j))) {
        mask |= 1L << (32 + j);
      }
    }
    return mask;
  }

  /** The first separator and stop that occur nowhere; fails when every candidate occurs. */
  public static Markers choose(FormatSpec f, long mask) {
    String separator = null;
    for (int i = 0; i < f.separators().size() && separator == null; i++) {
      if ((mask & (1L << i)) == 0) {
        separator = f.separators().get(i);
      }
    }
    String stop = null;
    for (int j = 0; j < f.stops().size() && stop == null; j++) {
      if ((mask & (1L << (32 + j))) == 0) {
        stop = f.stops().get(j);
      }
    }
    if (separator == null) {
      throw new IllegalStateException("format " + f.name() + ": every candidate separator occurs in some prompt; add another to options.separators");
    }
    if (stop == null) {
      throw new IllegalStateException("format " + f.name() + ": every candidate stop sequence occurs in some completion; add another to options.stops");
    }
    return new Markers(separator, stop);
  }
}
