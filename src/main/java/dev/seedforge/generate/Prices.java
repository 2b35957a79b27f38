package dev.seedforge.generate;

import com.fasterxml.jackson.databind.JsonNode;
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

  /**
   * The Batch API's price of {@code model}: {@code override} (llm.batch.price) if given; else the
   * table's batch price when the sync price is the table's own; else null (an llm.price override
   * without a batch price: the batch is priced at the sync price, no discount assumed).
   */
  public PipelineSpec.Price batchPriceOf(String model, PipelineSpec.Price syncOverride, PipelineSpec.Price override) {
    if (override != null) {
      return override;
    }
    JsonNode e = syncOverride == null ? entry(model) : null;
    if (e == null || !e.has("batch_input_per_million")) {
      return null;
    }
    return new PipelineSpec.Price(e.path("batch_input_per_million").asDouble(), e.path("batch_output_per_million").asDouble());
  }

  /** Where a batch price came from, for messages and the manifest. */
  public String batchSourceOf(String model, PipelineSpec.Price syncOverride, PipelineSpec.Price override) {
    if (override != null) {
      return "llm.batch.price in the pipeline file";
    }
    return batchPriceOf(model, syncOverride, null) == null
        ? "no batch price known: priced at the sync price (" + sourceOf(model, syncOverride) + ")"
        : "prices.yaml batch prices as of " + ModelTable.get().batchAsOf;
  }

  /**
   * USD per million prompt tokens the provider served from its prompt cache, when the table lists
   * one for {@code model} and the sync price is the table's own ({@code syncOverride} null); else
   * null: cached tokens are priced as any input token.
   */
  public Double cachedInputPerMillion(String model, PipelineSpec.Price syncOverride) {
    JsonNode e = syncOverride == null ? entry(model) : null;
    return e == null || !e.has("cached_input_per_million") ? null : e.path("cached_input_per_million").asDouble();
  }

  /** The cached rate for a resolved sync {@code price}: the table's, when {@code price} is the table's own price of {@code model}. */
  public Double cachedRateFor(String model, PipelineSpec.Price price) {
    return price != null && price.equals(priceOf(model, null)) ? cachedInputPerMillion(model, null) : null;
  }

  private static JsonNode entry(String model) {
    ModelTable t = ModelTable.get();
    String best = model == null ? null : ModelTable.longestPrefix(t.models.keySet(), model, "-");
    return best == null ? null : t.models.get(best);
  }

  public static double cost(PipelineSpec.Price p, long in, long out) {
    return p == null ? 0 : (in * p.inputPerMillion() + out * p.outputPerMillion()) / 1e6;
  }
}
