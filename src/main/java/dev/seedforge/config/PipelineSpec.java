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
    Dedup dedup,
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
      List<String> extraPhrases,
      Noise noise,
      Relevance relevance)
      implements Serializable {
    /** With the default noise and relevance filters. */
    public Quality(int minTokens, int maxTokens, String language, double minLanguageConfidence, int languageMinTokens, List<String> extraPhrases) {
      this(minTokens, maxTokens, language, minLanguageConfidence, languageMinTokens, extraPhrases, Noise.defaults(), Relevance.defaults());
    }

    public Quality(int minTokens, int maxTokens, String language, double minLanguageConfidence, int languageMinTokens, List<String> extraPhrases, Noise noise) {
      this(minTokens, maxTokens, language, minLanguageConfidence, languageMinTokens, extraPhrases, noise, Relevance.defaults());
    }
  }

  /**
   * Label consistency for classification packs: a maxent categorizer trained on the seeds rejects
   * candidates that read like another label (by more than {@code labelMargin} in probability), or
   * whose label's probability is below {@code minLabelProbability}; the manifest reports the seeds' {@code cvFolds}-fold accuracy and
   * warns below {@code warnBelowAccuracy}.
   */
  public record Relevance(boolean labelCheck, double minLabelProbability, double labelMargin, int cvFolds, double warnBelowAccuracy) implements Serializable {
    public static Relevance defaults() {
      return new Relevance(true, 0.0, 0.1, 5, 0.7);
    }
  }

  /**
   * The noise filters (see dev.seedforge.quality): {@code enabled} false turns them all off. Ratios
   * are shares of the non-space characters; {@code finalPunctuationShare}: the final-punctuation
   * rule applies when at least this share of the seeds end with punctuation.
   */
  public record Noise(
      boolean enabled,
      double minMeanWordLength,
      double maxMeanWordLength,
      double maxSymbolRatio,
      double maxDigitRatio,
      double maxUrlRatio,
      int repeatedNgram,
      double maxRepeatedNgrams,
      double maxRepeatedLines,
      double finalPunctuationShare,
      int instructionMinWords,
      int instructionMaxWords)
      implements Serializable {
    public static Noise defaults() {
      return new Noise(true, 2.0, 12.0, 0.25, 0.5, 0.3, 3, 0.3, 0.3, 0.9, 3, 150);
    }
  }

  /**
   * Near-duplicate removal (exact duplicates are always removed). {@code near} false turns it off;
   * {@code nearThreshold} is the Jaccard similarity of word shingles of size {@code shingle} at or
   * above which two records are near duplicates; {@code numHashes} is the MinHash signature length
   * (the LSH bands and rows are derived from the threshold).
   */
  public record Dedup(boolean near, double nearThreshold, int shingle, int numHashes) implements Serializable {}

  /** {@code perLabel} 0 means: cap every label at the smallest label's count. */
  public record Targets(int perLabel, Map<String, Integer> labels) implements Serializable {}

  public record Split(double validation) implements Serializable {}

  /** {@code includeSeeds}: the seeds themselves join the dataset (they win every duplicate group). */
  public record Output(String dir, String systemMessage, boolean includeSeeds) implements Serializable {}
}
