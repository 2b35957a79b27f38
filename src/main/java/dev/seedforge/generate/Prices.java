package dev.seedforge.generate;

import dev.seedforge.config.PipelineSpec;
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
      ModelTable models = ModelTable.get();
      Map<String, PipelineSpec.Price> m = new TreeMap<>();
      models.models.forEach((name, entry) ->
          m.put(name, new PipelineSpec.Price(entry.path("input_per_million").asDouble(), entry.path("output_per_million").asDouble())));
      t = new Prices(models.asOf, m);
      table = t;
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
    String best = model == null ? null : ModelTable.longestPrefix(models.keySet(), model, "-");
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
