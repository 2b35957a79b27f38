package dev.seedforge.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.seedforge.config.PipelineSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/** The price table (src/main/resources/prices.yaml): USD per million tokens, by model name prefix. */
public final class Prices {
  private static volatile Prices table;

  private final String asOf;
  private final Map<String, PipelineSpec.Price> models;

  private Prices(String asOf, Map<String, PipelineSpec.Price> models) {
    this.asOf = asOf;
    this.models = models;
  }

  public static Prices table() {
    Prices t = table;
    if (t == null) {
      try (InputStream in = Prices.class.getResourceAsStream("/prices.yaml")) {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
        Map<String, PipelineSpec.Price> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("models").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          m.put(e.getKey(), new PipelineSpec.Price(e.getValue().path("input_per_million").asDouble(), e.getValue().path("output_per_million").asDouble()));
        }
        t = new Prices(root.path("as_of").asText(), m);
        table = t;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read prices.yaml", e);
      }
    }
    return t;
  }

  public String asOf() {
    return asOf;
  }

  /** The spec's price if given, else the table's entry with the longest prefix of the model name, else null. */
  public PipelineSpec.Price priceOf(String model, PipelineSpec.Price override) {
    if (override != null) {
      return override;
    }
    String best = null;
    for (String k : models.keySet()) {
      if (model != null && (model.equals(k) || model.startsWith(k + "-")) && (best == null || k.length() > best.length())) {
        best = k;
      }
    }
    return best == null ? null : models.get(best);
  }

  /** Where a price came from, for messages and the manifest. */
  public String sourceOf(String model, PipelineSpec.Price override) {
    if (override != null) {
      return "llm.price in the pipeline file";
    }
    return priceOf(model, null) == null ? "unknown model: no price (set llm.price)" : "prices.yaml as of " + asOf;
  }

  public static double cost(PipelineSpec.Price p, long in, long out) {
    return p == null ? 0 : (in * p.inputPerMillion() + out * p.outputPerMillion()) / 1e6;
  }
}
