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
      int round,
      Grounding grounding,
      Evolution evolution)
      implements Serializable {
    public Provenance {
      seedIds = List.copyOf(seedIds);
    }

    /** Provenance of a candidate that was not evolved from another task. */
    public Provenance(List<String> seedIds, String strategy, String templateId, String generator, String model, String requestId, int round,
        Grounding grounding) {
      this(seedIds, strategy, templateId, generator, model, requestId, round, grounding, null);
    }

    /** Provenance of a candidate not generated from a document. */
    public Provenance(List<String> seedIds, String strategy, String templateId, String generator, String model, String requestId, int round) {
      this(seedIds, strategy, templateId, generator, model, requestId, round, null);
    }
  }

  /**
   * The document passage a grounded candidate was generated from: the document, the chunk's id and
   * its character offsets, and the page or section it lies in (null when the format has none).
   */
  public record Grounding(String document, String chunkId, int start, int end, Integer page, String heading) implements Serializable {}

  /**
   * How an Evol-Instruct candidate was made: the evolution depth (1 for a rewrite of a seed), the
   * operation drawn for it, and the task it rewrote (a seed, or a task the previous depth accepted).
   */
  public record Evolution(int depth, String operation, @com.fasterxml.jackson.annotation.JsonProperty("parent_id") String parentId)
      implements Serializable {}

  /** The candidate's evolution step, or null when it was not evolved. */
  public Evolution evolution() {
    return provenance == null ? null : provenance.evolution();
  }

  /** The candidate's grounding, or null when it was not generated from a document. */
  public Grounding grounding() {
    return provenance == null ? null : provenance.grounding();
  }

  /** The same candidate with other fields (the id stays: it names where the candidate came from). */
  public Candidate withFields(Map<String, String> newFields) {
    return new Candidate(id, label, newFields, provenance, features);
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
