package dev.seedforge.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dated model table, {@code src/main/resources/prices.yaml}, read once: each model's entry
 * (prices, context window), and the longest-prefix match that {@link Prices} and {@link
 * ContextWindows} look models up by.
 */
final class ModelTable {
  private static volatile ModelTable table;

  final String asOf;
  final Map<String, JsonNode> models;
  final String batchAsOf;

  private ModelTable(String asOf, Map<String, JsonNode> models, String batchAsOf) {
    this.asOf = asOf;
    this.models = Map.copyOf(models);
    this.batchAsOf = batchAsOf;
  }

  static ModelTable get() {
    ModelTable t = table;
    if (t == null) {
      try (InputStream in = ModelTable.class.getResourceAsStream("/prices.yaml")) {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
        Map<String, JsonNode> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("models").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          m.put(e.getKey(), e.getValue());
        }
        t = new ModelTable(root.path("as_of").asText(), m, root.path("batch_as_of").asText(root.path("as_of").asText()));
        table = t;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read prices.yaml", e);
      }
    }
    return t;
  }

  /**
   * The longest of {@code names} that is {@code model} or a prefix of it followed by one of
   * {@code separators} ({@code gpt-4o} for {@code gpt-4o-2024-08-06}), or null.
   */
  static String longestPrefix(Collection<String> names, String model, String separators) {
    String best = null;
    for (String k : names) {
      boolean match = model.equals(k)
          || (model.length() > k.length() && model.startsWith(k) && separators.indexOf(model.charAt(k.length())) >= 0);
      if (match && (best == null || k.length() > best.length())) {
        best = k;
      }
    }
    return best;
  }
}
