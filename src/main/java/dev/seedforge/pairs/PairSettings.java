package dev.seedforge.pairs;

import dev.seedforge.config.Fields;
import dev.seedforge.config.Problems;
import dev.seedforge.seed.TaskType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code pairs:} section of a preference pack: how the rejected answer is made, and the bound
 * over which two answers count as the same.
 *
 * @param degradations method degrade: the ways to make an answer worse, one drawn per prompt
 * @param answers method judge_rank: how many answers the judge ranks per prompt
 * @param rejectedLlm method models: the weaker generator, as overrides of the pipeline's llm
 * @param maxSimilarity near_identical_pair rejects answers whose word-level edit similarity reaches this
 */
public record PairSettings(PairMethod method, List<Degradation> degradations, int answers, RejectedLlm rejectedLlm, double maxSimilarity)
    implements Serializable {

  public static final double DEFAULT_MAX_SIMILARITY = 0.97;
  public static final int DEFAULT_ANSWERS = 4;

  public PairSettings {
    degradations = List.copyOf(degradations);
  }

  /**
   * The weaker generator of method models: each value left out is the pipeline's llm value.
   * A different model, endpoint or temperature (a higher one samples worse answers) makes it weaker.
   */
  public record RejectedLlm(String model, String baseUrl, Double temperature, String apiKeyEnv) implements Serializable {}

  /** The section as given, or null when the pack is not a preference pack (then the section must be absent). */
  public static PairSettings read(Fields top, TaskType task, Problems problems) {
    if (task != TaskType.PREFERENCE) {
      if (top.has("pairs")) {
        top.raw("pairs");
        problems.add("pairs", "only a preference pack (task: preference) makes pairs; remove the section or set task: preference");
      }
      return null;
    }
    Fields p = top.object("pairs");
    String methodName = p.string("method", PairMethod.DEGRADE.wireName());
    PairMethod method = PairMethod.parse(methodName);
    if (method == null) {
      problems.add("pairs.method", "expected " + String.join(", ", Arrays.stream(PairMethod.values()).map(PairMethod::wireName).toList())
          + ", got \"" + methodName + "\"");
      method = PairMethod.DEGRADE;
    }
    List<Degradation> degradations = degradations(p, method, problems);
    if (method != PairMethod.JUDGE_RANK && p.has("answers")) {
      problems.add("pairs.answers", "only method judge_rank ranks several answers; remove it or set method: judge_rank");
    }
    int answers = p.integer("answers", DEFAULT_ANSWERS, 2, 8);
    RejectedLlm rejected = rejectedLlm(p, method, problems);
    double maxSimilarity = p.number("max_similarity", DEFAULT_MAX_SIMILARITY, 0.0, 1.0);
    p.finish();
    return new PairSettings(method, degradations, answers, rejected, maxSimilarity);
  }

  private static List<Degradation> degradations(Fields p, PairMethod method, Problems problems) {
    if (method != PairMethod.DEGRADE && p.has("degradations")) {
      problems.add("pairs.degradations", "only method degrade rewrites answers; remove it or set method: degrade");
    }
    List<String> names = p.stringList("degradations", Arrays.stream(Degradation.values()).map(Degradation::wireName).toList());
    List<Degradation> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Degradation d = Degradation.parse(names.get(i));
      if (d == null) {
        problems.add("pairs.degradations[" + i + "]", "expected " + String.join(", ", Arrays.stream(Degradation.values()).map(Degradation::wireName).toList())
            + ", got \"" + names.get(i) + "\"");
      } else if (!out.contains(d)) {
        out.add(d);
      }
    }
    if (names.isEmpty()) {
      problems.add("pairs.degradations", "name at least one way to degrade an answer, e.g. [wrong_fact, ignored_constraint, unhelpful_tone]");
    }
    return out;
  }

  private static RejectedLlm rejectedLlm(Fields p, PairMethod method, Problems problems) {
    if (!p.has("rejected_llm")) {
      p.raw("rejected_llm");
      if (method == PairMethod.MODELS) {
        problems.add("pairs.rejected_llm", "method models needs the weaker generator: give a model, a base_url or a temperature"
            + " (e.g. rejected_llm: {model: gpt-4.1-nano}) for the rejected answers");
      }
      return null;
    }
    if (method != PairMethod.MODELS) {
      problems.add("pairs.rejected_llm", "only method models asks a second generator; remove it or set method: models");
    }
    Fields r = p.object("rejected_llm");
    String model = r.string("model", null);
    String baseUrl = r.string("base_url", null);
    Double temperature = r.has("temperature") ? r.number("temperature", 1.0, 0.0, 2.0) : null;
    String keyEnv = r.string("api_key_env", null);
    r.finish();
    if (model == null && baseUrl == null && temperature == null) {
      problems.add("pairs.rejected_llm", "give a model, a base_url or a temperature that makes the rejected answers differ from llm's");
    }
    return new RejectedLlm(model, baseUrl, temperature, keyEnv);
  }
}
