package dev.seedforge.generate;

import com.google.common.collect.ImmutableSortedMap;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A generated example on its way through the gate. The id hashes where it came from (request and
 * position) and what it says, so a re-run gives every candidate the same id.
 */
public record Candidate(
    String id, String label, Map<String, String> fields, Provenance provenance, Map<String, Double> features)
    implements Serializable {

  public Candidate {
    fields = ImmutableSortedMap.copyOf(fields);
    features = features == null ? ImmutableSortedMap.of() : ImmutableSortedMap.copyOf(features);
  }

  /** Where a candidate came from. {@code generator} is the provider (openai, ollama) or lexical. */
  public record Provenance(
      List<String> seedIds,
      String strategy,
      String templateId,
      String generator,
      String model,
      String requestId,
      int round)
      implements Serializable {
    public Provenance {
      seedIds = List.copyOf(seedIds);
    }
  }

  public static Candidate of(String label, Map<String, String> fields, Provenance provenance, int position) {
    Map<String, String> sorted = ImmutableSortedMap.copyOf(fields);
    String id = Hashes.id("candidate", provenance.requestId(), String.valueOf(position), label, Json.write(sorted));
    return new Candidate(id, label, sorted, provenance, Map.of());
  }

  public String field(String name) {
    return fields.getOrDefault(name, "");
  }

  public Candidate withFeatures(Map<String, Double> more) {
    ImmutableSortedMap.Builder<String, Double> b = ImmutableSortedMap.naturalOrder();
    Map<String, Double> merged = new java.util.TreeMap<>(features);
    merged.putAll(more);
    b.putAll(merged);
    return new Candidate(id, label, fields, provenance, b.build());
  }
}
