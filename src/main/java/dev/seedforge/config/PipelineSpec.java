package dev.seedforge.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A pipeline file ({@code pipelines/*.yaml}) after validation. Paths are absolute. Secrets are
 * never held here: the spec names the environment variable that holds the API key.
 */
public record PipelineSpec(
    String name,
    String sourceFile,
    String specHash,
    String packDir,
    String seedsFile,
    long seed,
    Llm llm,
    Generation generation,
    Lexical lexical,
    Quality quality,
    Targets targets,
    Split split,
    Output output)
    implements Serializable {

  /** How to reach the model. {@code provider} is auto, lexical, openai or ollama. */
  public record Llm(
      String provider,
      String model,
      String baseUrl,
      String apiKeyEnv,
      double temperature,
      double topP,
      int maxTokens,
      int timeoutSeconds,
      int maxAttempts,
      int concurrency,
      String responseFormat)
      implements Serializable {}

  /** How many requests to plan: per label, per strategy, {@code callsPerLabel} sample indices. */
  public record Generation(
      List<String> strategies, int callsPerLabel, int examplesPerCall, int fewShot)
      implements Serializable {}

  /** The offline EDA-style generator. Rates are fractions of a text's words. */
  public record Lexical(
      int variantsPerSeed, double synonymRate, double insertRate, double swapRate, double deleteRate)
      implements Serializable {}

  /** The first quality filters. {@code language} null turns language checks off. */
  public record Quality(
      int minTokens,
      int maxTokens,
      String language,
      double minLanguageConfidence,
      int languageMinTokens,
      List<String> extraPhrases)
      implements Serializable {}

  /**
   * Records kept per label: {@code labels} (per label), else {@code proportions} of {@code total},
   * else {@code perLabel}; {@code perLabel} 0 means: cap every label at the smallest label's count.
   */
  public record Targets(int perLabel, Map<String, Integer> labels, Map<String, Double> proportions, int total) implements Serializable {
    public Targets {
      labels = Map.copyOf(labels);
      proportions = Map.copyOf(proportions);
    }

    public Targets(int perLabel, Map<String, Integer> labels) {
      this(perLabel, labels, Map.of(), 0);
    }

    /** The explicit target of a label, or 0 when it is the smallest label's count. */
    public int wanted(String label) {
      Integer explicit = labels.get(label);
      if (explicit != null && explicit > 0) {
        return explicit;
      }
      Double p = proportions.get(label);
      if (p != null) {
        return (int) Math.round(p * total);
      }
      return proportions.isEmpty() ? perLabel : 0;
    }
  }

  /**
   * Shares of each label in validation and test: a fraction below 1, or a count per label (1 or
   * more). {@code evaluation} is {@code all} or {@code seeds} (only seeds in validation/test);
   * {@code seedsInEvaluation} false keeps seeds out of validation/test. {@code subsets} (the
   * top-level {@code subsets:} key): nested learning-curve subsets of train, fractions or counts.
   */
  public record Split(double validation, double test, String evaluation, boolean seedsInEvaluation, List<Double> subsets)
      implements Serializable {
    public Split {
      subsets = List.copyOf(subsets);
    }

    public Split(double validation, double test, String evaluation, boolean seedsInEvaluation) {
      this(validation, test, evaluation, seedsInEvaluation, List.of());
    }
  }

  /**
   * {@code includeSeeds}: the seeds themselves join the dataset (they win every duplicate group).
   * {@code formats}: the record formats written (templates/*.yaml), at least one. {@code azure}:
   * the openai-chat files are written as UTF-8 with a byte-order mark.
   */
  public record Output(
      String dir, String systemMessage, boolean includeSeeds, java.util.List<dev.seedforge.format.FormatSpec> formats, boolean azure)
      implements Serializable {
    public Output {
      formats = java.util.List.copyOf(formats);
    }

    public Output withDir(String newDir) {
      return new Output(newDir, systemMessage, includeSeeds, formats, azure);
    }
  }
}
