package dev.seedforge.generate;

import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.List;

/**
 * One planned call. The id hashes everything that changes the response (provider, endpoint,
 * model, messages, sampling parameters and the sample index), so it is also the response-cache
 * key.
 */
public record GenerationRequest(
    String id,
    String label,
    String strategy,
    String templateId,
    List<String> seedIds,
    List<ChatTurn> messages,
    Params params,
    int sampleIndex,
    int round,
    Candidate.Grounding grounding,
    java.util.Map<String, String> setting,
    Evolving evolving)
    implements Serializable {

  /**
   * What an Evol-Instruct rewrite request evolves: the step (depth, operation, parent id) and the
   * parent task's fields, which the elimination rules compare the rewritten task with.
   */
  public record Evolving(Candidate.Evolution step, java.util.Map<String, String> parent) implements Serializable {
    public Evolving {
      parent = com.google.common.collect.ImmutableSortedMap.copyOf(parent);
    }
  }

  /** The same request, as the rewrite of an Evol-Instruct step. */
  public GenerationRequest withEvolving(Evolving e) {
    return new GenerationRequest(id, label, strategy, templateId, seedIds, messages, params, sampleIndex, round, grounding, setting, e);
  }

  public GenerationRequest {
    seedIds = List.copyOf(seedIds);
    messages = List.copyOf(messages);
    setting = setting == null ? java.util.Map.of() : com.google.common.collect.ImmutableSortedMap.copyOf(setting);
  }

  /** A request without a conversation setting that does not rewrite a task (see {@link #withSetting}, {@link #withEvolving}). */
  public GenerationRequest(String id, String label, String strategy, String templateId, List<String> seedIds, List<ChatTurn> messages,
      Params params, int sampleIndex, int round, Candidate.Grounding grounding) {
    this(id, label, strategy, templateId, seedIds, messages, params, sampleIndex, round, grounding, null, null);
  }

  /** A request that is not grounded in a document chunk. */
  public GenerationRequest(String id, String label, String strategy, String templateId, List<String> seedIds, List<ChatTurn> messages,
      Params params, int sampleIndex, int round) {
    this(id, label, strategy, templateId, seedIds, messages, params, sampleIndex, round, null);
  }

  /** Where the call goes ({@code endpoint}: the base URL in {@link Endpoint#normalized} form) and the sampling parameters sent with it. */
  public record Params(
      String provider,
      String endpoint,
      String model,
      double temperature,
      double topP,
      int maxTokens,
      int examplesPerCall,
      String responseFormat,
      long sampleSeed)
      implements Serializable {}

  public static GenerationRequest of(
      String label,
      String strategy,
      String templateId,
      List<String> seedIds,
      List<ChatTurn> messages,
      Params params,
      int sampleIndex,
      int round) {
    String id = Hashes.id("request", params.provider(), params.endpoint(), params.model(), Json.write(messages), Json.write(params), String.valueOf(sampleIndex));
    return new GenerationRequest(id, label, strategy, templateId, seedIds, messages, params, sampleIndex, round);
  }

  /** The same request, grounded in a document chunk (whose text is in the messages, so in the id). */
  public GenerationRequest withGrounding(Candidate.Grounding g) {
    return new GenerationRequest(id, label, strategy, templateId, seedIds, messages, params, sampleIndex, round, g, setting, evolving);
  }

  /**
   * The same request with the setting it was drawn with (a conversation's persona, scenario, system
   * prompt and turn count), which every candidate of its answer carries as fields. The setting is
   * rendered into the messages, so it is in the id already.
   */
  public GenerationRequest withSetting(java.util.Map<String, String> s) {
    return new GenerationRequest(id, label, strategy, templateId, seedIds, messages, params, sampleIndex, round, grounding, s, evolving);
  }
}
