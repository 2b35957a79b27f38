package dev.seedforge.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.seedforge.config.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The dated table of fine-tuning limits and prices ({@code fine-tuning-models.yaml} beside this
 * class): tokenizer, most tokens per training example, and price per million training tokens.
 */
public final class ModelLimits {
  public record Model(String name, String encoding, int maxTokensPerExample, double usdPerMillionTrainingTokens) {}

  private final String asOf;
  private final List<Model> models;

  private ModelLimits(String asOf, List<Model> models) {
    this.asOf = asOf;
    this.models = List.copyOf(models);
  }

  public static ModelLimits load() {
    try (InputStream in = ModelLimits.class.getResourceAsStream("fine-tuning-models.yaml")) {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
      List<Model> models = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.path("models").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode m = e.getValue();
        models.add(new Model(e.getKey(), m.path("encoding").asText(), m.path("max_tokens_per_example").asInt(), m.path("training_usd_per_1m_tokens").asDouble()));
      }
      return new ModelLimits(root.path("as_of").asText(), models);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String asOf() {
    return asOf;
  }

  public List<Model> models() {
    return models;
  }

  /** The entry whose name is the longest prefix of {@code model}; bad input when none is. */
  public Model find(String model) {
    Model best = null;
    for (Model m : models) {
      if (model.equals(m.name()) || model.startsWith(m.name() + "-") || model.startsWith("ft:" + m.name())) {
        if (best == null || m.name().length() > best.name().length()) {
          best = m;
        }
      }
    }
    if (best == null) {
      throw new InvalidInputException("--base-model: no fine-tuning limits known for \"" + model + "\" (table dated " + asOf + "); known: "
          + String.join(", ", models.stream().map(Model::name).toList()));
    }
    return best;
  }
}
