package dev.seedforge.generate;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Context windows (prompt plus output tokens of one request) of the known generation models, from
 * the dated model table {@code src/main/resources/prices.yaml}, matched like prices by the longest
 * model-name prefix.
 */
public final class ContextWindows {
  private static volatile ContextWindows table;

  private final String asOf;
  private final Map<String, Integer> windows;

  private ContextWindows(String asOf, Map<String, Integer> windows) {
    this.asOf = asOf;
    this.windows = Map.copyOf(windows);
  }

  public static ContextWindows table() {
    ContextWindows t = table;
    if (t == null) {
      ModelTable models = ModelTable.get();
      Map<String, Integer> m = new TreeMap<>();
      models.models.forEach((name, entry) -> {
        if (entry.path("context_window").canConvertToInt()) {
          m.put(name, entry.path("context_window").asInt());
        }
      });
      t = new ContextWindows(models.asOf, m);
      table = t;
    }
    return t;
  }

  public String asOf() {
    return asOf;
  }

  /**
   * The window of {@code model}, or empty for a model the table does not list (local and Azure
   * deployment names). A fine-tuned model ({@code ft:gpt-4o-mini-2024-07-18:org::id}) has its
   * base model's window; a provider prefix ({@code openai/gpt-4o}) is ignored.
   */
  public OptionalInt of(String model) {
    if (model == null) {
      return OptionalInt.empty();
    }
    String m = model.toLowerCase(Locale.ROOT);
    if (m.startsWith("ft:")) {
      m = m.substring(3);
    }
    m = m.substring(m.lastIndexOf('/') + 1);
    String best = ModelTable.longestPrefix(windows.keySet(), m, "-:");
    return best == null ? OptionalInt.empty() : OptionalInt.of(windows.get(best));
  }
}
