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
    boolean packAllowOutsidePaths,
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

  /**
   * How to reach the model. {@code provider} is auto, lexical, openai or ollama; {@code baseUrl}
   * is null or an http(s) URL; {@code maxPromptTokens} caps every planned prompt (0: only the
   * model's context window, when it is known, limits them).
   */
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
      String responseFormat,
      String cache,
      boolean refreshCache,
      double requestsPerMinute,
      double tokensPerMinute,
      Budget budget,
      Price price,
      int maxPromptTokens)
      implements Serializable {

    public Llm withProvider(String p) {
      return new Llm(p, model, baseUrl, apiKeyEnv, temperature, topP, maxTokens, timeoutSeconds, maxAttempts,
          concurrency, responseFormat, cache, refreshCache, requestsPerMinute, tokensPerMinute, budget, price, maxPromptTokens);
    }

    /** The same settings with another cache path (null: no cache) and refresh flag. */
    public Llm withCache(String path, boolean refresh) {
      return new Llm(provider, model, baseUrl, apiKeyEnv, temperature, topP, maxTokens, timeoutSeconds, maxAttempts,
          concurrency, responseFormat, path, refresh, requestsPerMinute, tokensPerMinute, budget, price, maxPromptTokens);
    }
  }

  /** Limits of one run; 0 means no limit. Reaching one stops new calls (exit code 3). */
  public record Budget(long maxCalls, long maxTokens, double maxCostUsd) implements Serializable {
    public static Budget none() {
      return new Budget(0, 0, 0);
    }
  }

  /** USD per million input and output tokens. */
  public record Price(double inputPerMillion, double outputPerMillion) implements Serializable {}

  /** The same spec with another llm section. */
  public PipelineSpec withLlm(Llm l) {
    return new PipelineSpec(name, sourceFile, specHash, packDir, packAllowOutsidePaths, seedsFile, seed, l, generation, lexical, quality, dedup, targets, split, output);
  }

  /**
   * How many requests to plan: per label, per strategy, {@code callsPerLabel} sample indices; and
   * the top-up rounds: at most {@code maxRounds} rounds in all, each planning at most {@code
   * maxTopupCalls} new calls (0: as many as round 0 planned), and none for a label whose last round
   * kept fewer than {@code minTopupYield} of the examples its calls asked for.
   */
  public record Generation(
      List<String> strategies, int callsPerLabel, int examplesPerCall, int fewShot, int maxRounds, int maxTopupCalls, double minTopupYield)
      implements Serializable {
    public static final double DEFAULT_MIN_TOPUP_YIELD = 0.1;

    /** One round: no top-up. */
    public Generation(List<String> strategies, int callsPerLabel, int examplesPerCall, int fewShot) {
      this(strategies, callsPerLabel, examplesPerCall, fewShot, 1, 0, DEFAULT_MIN_TOPUP_YIELD);
    }

    /** The most new calls a top-up round may plan, given how many round 0 planned. */
    public int topupCallsPerRound(int round0Calls) {
      return maxTopupCalls > 0 ? maxTopupCalls : round0Calls;
    }
  }

  /** The offline EDA-style generator. Rates are fractions of a text's words. */
  public record Lexical(
      int variantsPerSeed, double synonymRate, double insertRate, double swapRate, double deleteRate)
      implements Serializable {}

  /**
   * The first quality filters. {@code language} null turns language checks off. {@code minTokens}
   * or {@code maxTokens} of {@link #FROM_SEEDS} are derived from the seeds' own token counts:
   * the shortest seed divided by {@code lengthBand}, the longest multiplied by it.
   */
  public record Quality(
      int minTokens,
      int maxTokens,
      String language,
      double minLanguageConfidence,
      int languageMinTokens,
      List<String> extraPhrases,
      Noise noise,
      Relevance relevance,
      double lengthBand)
      implements Serializable {
    public static final int FROM_SEEDS = -1;
    public static final double DEFAULT_LENGTH_BAND = 2.0;

    /** With the default noise and relevance filters. */
    public Quality(int minTokens, int maxTokens, String language, double minLanguageConfidence, int languageMinTokens, List<String> extraPhrases) {
      this(minTokens, maxTokens, language, minLanguageConfidence, languageMinTokens, extraPhrases, Noise.defaults(), Relevance.defaults());
    }

    public Quality(int minTokens, int maxTokens, String language, double minLanguageConfidence, int languageMinTokens, List<String> extraPhrases, Noise noise) {
      this(minTokens, maxTokens, language, minLanguageConfidence, languageMinTokens, extraPhrases, noise, Relevance.defaults());
    }

    public Quality(int minTokens, int maxTokens, String language, double minLanguageConfidence, int languageMinTokens, List<String> extraPhrases, Noise noise, Relevance relevance) {
      this(minTokens, maxTokens, language, minLanguageConfidence, languageMinTokens, extraPhrases, noise, relevance, DEFAULT_LENGTH_BAND);
    }
  }

  /**
   * Label consistency for classification packs: a maxent categorizer trained on the seeds rejects
   * candidates that read like another label (by more than {@code labelMargin} in probability), or
   * whose label's probability is below {@code minLabelProbability}; the manifest reports the seeds' {@code cvFolds}-fold accuracy and
   * warns below {@code warnBelowAccuracy}.
   */
  public record Relevance(
      boolean labelCheck,
      double minLabelProbability,
      double labelMargin,
      int cvFolds,
      double warnBelowAccuracy,
      boolean domainCheck,
      boolean embeddings,
      double minSimilarity,
      double maxSimilarity,
      String embeddingModel,
      String labelFeatures)
      implements Serializable {
    /**
     * The label check's features (see dev.seedforge.quality.LabelCheck.Features): auto is the
     * embeddings when {@code embeddings} is on (better precision and retention on the CLINC150
     * benchmark, see README), else words.
     */
    public static final String DEFAULT_LABEL_FEATURES = "auto";
    public static final List<String> LABEL_FEATURES = List.of("auto", "words", "embeddings");

    /** The label check's features after auto is resolved: words or embeddings. */
    public String resolvedLabelFeatures() {
      return !labelFeatures.equals("auto") ? labelFeatures : embeddings ? "embeddings" : "words";
    }

    public Relevance(boolean labelCheck, double minLabelProbability, double labelMargin, int cvFolds, double warnBelowAccuracy,
        boolean domainCheck, boolean embeddings, double minSimilarity, double maxSimilarity, String embeddingModel) {
      this(labelCheck, minLabelProbability, labelMargin, cvFolds, warnBelowAccuracy, domainCheck, embeddings, minSimilarity, maxSimilarity, embeddingModel,
          DEFAULT_LABEL_FEATURES);
    }

    /** The in-process embedding models: all-MiniLM-L6-v2, and the same model quantized to int8. */
    public static final String MINILM = "all-minilm-l6-v2";
    public static final String MINILM_Q = "all-minilm-l6-v2-q";
    public static final List<String> EMBEDDING_MODELS = List.of(MINILM, MINILM_Q);

    public Relevance(boolean labelCheck, double minLabelProbability, double labelMargin, int cvFolds, double warnBelowAccuracy) {
      this(labelCheck, minLabelProbability, labelMargin, cvFolds, warnBelowAccuracy, false, true, 0, 1);
    }

    public Relevance(boolean labelCheck, double minLabelProbability, double labelMargin, int cvFolds, double warnBelowAccuracy,
        boolean domainCheck, boolean embeddings, double minSimilarity, double maxSimilarity) {
      this(labelCheck, minLabelProbability, labelMargin, cvFolds, warnBelowAccuracy, domainCheck, embeddings, minSimilarity, maxSimilarity, MINILM);
    }

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
