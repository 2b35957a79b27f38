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
    Output output,
    Documents documents,
    Judge judge,
    EvolutionSpec evolution,
    SelfInstructSpec selfInstruct)
    implements Serializable {

  public PipelineSpec {
    documents = documents == null ? Documents.none() : documents;
    judge = judge == null ? Judge.off() : judge;
    evolution = evolution == null ? EvolutionSpec.off() : evolution;
    selfInstruct = selfInstruct == null ? SelfInstructSpec.off() : selfInstruct;
  }

  /** A spec without Evol-Instruct rounds or Self-Instruct feedback. */
  public PipelineSpec(String name, String sourceFile, String specHash, String packDir, boolean packAllowOutsidePaths, String seedsFile,
      long seed, Llm llm, Generation generation, Lexical lexical, Quality quality, Dedup dedup, Targets targets, Split split, Output output,
      Documents documents, Judge judge) {
    this(name, sourceFile, specHash, packDir, packAllowOutsidePaths, seedsFile, seed, llm, generation, lexical, quality, dedup, targets, split,
        output, documents, judge, null, null);
  }

  /** A spec without documents or judge, as before either existed. */
  public PipelineSpec(String name, String sourceFile, String specHash, String packDir, boolean packAllowOutsidePaths, String seedsFile,
      long seed, Llm llm, Generation generation, Lexical lexical, Quality quality, Dedup dedup, Targets targets, Split split, Output output) {
    this(name, sourceFile, specHash, packDir, packAllowOutsidePaths, seedsFile, seed, llm, generation, lexical, quality, dedup, targets, split,
        output, Documents.none(), Judge.off());
  }

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
      int maxPromptTokens,
      String apiVersion,
      Batch batch)
      implements Serializable {

    public Llm {
      batch = batch == null ? Batch.sync() : batch;
    }

    /** The settings without an api-version or a batch section: synchronous calls. */
    public Llm(String provider, String model, String baseUrl, String apiKeyEnv, double temperature, double topP, int maxTokens,
        int timeoutSeconds, int maxAttempts, int concurrency, String responseFormat, String cache, boolean refreshCache,
        double requestsPerMinute, double tokensPerMinute, Budget budget, Price price, int maxPromptTokens) {
      this(provider, model, baseUrl, apiKeyEnv, temperature, topP, maxTokens, timeoutSeconds, maxAttempts, concurrency, responseFormat,
          cache, refreshCache, requestsPerMinute, tokensPerMinute, budget, price, maxPromptTokens, null, Batch.sync());
    }

    /** The same settings with another batch section. */
    public Llm withBatch(Batch b) {
      return new Llm(provider, model, baseUrl, apiKeyEnv, temperature, topP, maxTokens, timeoutSeconds, maxAttempts,
          concurrency, responseFormat, cache, refreshCache, requestsPerMinute, tokensPerMinute, budget, price, maxPromptTokens, apiVersion, b);
    }

    public Llm withProvider(String p) {
      return new Llm(p, model, baseUrl, apiKeyEnv, temperature, topP, maxTokens, timeoutSeconds, maxAttempts,
          concurrency, responseFormat, cache, refreshCache, requestsPerMinute, tokensPerMinute, budget, price, maxPromptTokens, apiVersion, batch);
    }

    /**
     * The same settings for another model, on {@code p}'s API at {@code url} (null: the provider's
     * default). A price override belongs to its model and a key variable to its provider, so they
     * carry over only when those stay the same.
     */
    public Llm withModel(String p, String m, String url) {
      String keyEnv = p.equals(provider) ? apiKeyEnv : dev.seedforge.generate.Provider.of(p).defaultKeyEnv();
      return new Llm(p, m, url, keyEnv, temperature, topP, maxTokens, timeoutSeconds, maxAttempts,
          concurrency, responseFormat, cache, refreshCache, requestsPerMinute, tokensPerMinute, budget, m.equals(model) ? price : null,
          maxPromptTokens, "azure".equals(p) ? apiVersion : null, batch);
    }

    /** The same settings with another cache path (null: no cache) and refresh flag. */
    public Llm withCache(String path, boolean refresh) {
      return new Llm(provider, model, baseUrl, apiKeyEnv, temperature, topP, maxTokens, timeoutSeconds, maxAttempts,
          concurrency, responseFormat, path, refresh, requestsPerMinute, tokensPerMinute, budget, price, maxPromptTokens, apiVersion, batch);
    }
  }

  /** Limits of one run; 0 means no limit. Reaching one stops new calls (exit code 3). */
  public record Budget(long maxCalls, long maxTokens, double maxCostUsd) implements Serializable {
    public static Budget none() {
      return new Budget(0, 0, 0);
    }
  }

  /**
   * How calls are sent: {@code mode} sync (one HTTP call per request) or batch (the provider's
   * Batch API: an input file per batch, polled until it ends). Polling waits {@code
   * pollInitialMillis}, then twice as long after each poll that saw no progress, at most {@code
   * pollMaxMillis}. A batch holds at most {@code maxRequests} requests and {@code maxBytes} bytes
   * of input file (the provider's limits: 50,000 and 200 MB at OpenAI); requests of an expired or
   * cancelled batch are submitted again at most {@code maxResubmits} times. {@code price}
   * overrides the price table's batch price.
   */
  public record Batch(String mode, long pollInitialMillis, long pollMaxMillis, String completionWindow, int maxRequests, long maxBytes,
      int maxResubmits, Price price) implements Serializable {
    public static final String SYNC = "sync";
    public static final String BATCH = "batch";
    public static final int OPENAI_MAX_REQUESTS = 50_000;
    public static final long OPENAI_MAX_BYTES = 200L * 1024 * 1024;

    public static Batch sync() {
      return new Batch(SYNC, 10_000, 300_000, "24h", OPENAI_MAX_REQUESTS, OPENAI_MAX_BYTES, 3, null);
    }

    public boolean on() {
      return BATCH.equals(mode);
    }
  }

  /** USD per million input and output tokens. */
  public record Price(double inputPerMillion, double outputPerMillion) implements Serializable {}

  /** The same spec writing to another folder. */
  public PipelineSpec withOutputDir(String dir) {
    return new PipelineSpec(name, sourceFile, specHash, packDir, packAllowOutsidePaths, seedsFile, seed, llm, generation, lexical, quality, dedup, targets, split,
        output.withDir(dir), documents, judge, evolution, selfInstruct);
  }

  /** The same spec with other label targets. */
  public PipelineSpec withTargets(Targets t) {
    return new PipelineSpec(name, sourceFile, specHash, packDir, packAllowOutsidePaths, seedsFile, seed, llm, generation, lexical, quality, dedup, t, split,
        output, documents, judge, evolution, selfInstruct);
  }

  /** The same spec with another llm section. */
  public PipelineSpec withLlm(Llm l) {
    return new PipelineSpec(name, sourceFile, specHash, packDir, packAllowOutsidePaths, seedsFile, seed, l, generation, lexical, quality, dedup, targets, split, output, documents, judge, evolution, selfInstruct);
  }

  /** The same spec with another judge section. */
  public PipelineSpec withJudge(Judge j) {
    return new PipelineSpec(name, sourceFile, specHash, packDir, packAllowOutsidePaths, seedsFile, seed, llm, generation, lexical, quality, dedup, targets, split, output, documents, j, evolution, selfInstruct);
  }

  /**
   * How many requests to plan: per label, per strategy, {@code callsPerLabel} sample indices; and
   * the top-up rounds: at most {@code maxRounds} rounds in all, each planning at most {@code
   * maxTopupCalls} new calls (0: as many as round 0 planned), and none for a label whose last round
   * kept fewer than {@code minTopupYield} of the examples its calls asked for.
   */
  public record Generation(
      List<String> strategies, int callsPerLabel, int examplesPerCall, int fewShot, int maxRounds, int maxTopupCalls, double minTopupYield,
      boolean cachePrefix)
      implements Serializable {
    public static final double DEFAULT_MIN_TOPUP_YIELD = 0.1;

    /** One round: no top-up. */
    public Generation(List<String> strategies, int callsPerLabel, int examplesPerCall, int fewShot) {
      this(strategies, callsPerLabel, examplesPerCall, fewShot, 1, 0, DEFAULT_MIN_TOPUP_YIELD, false);
    }

    /** Without prompt-prefix shaping ({@code cache_prefix: false}). */
    public Generation(List<String> strategies, int callsPerLabel, int examplesPerCall, int fewShot, int maxRounds, int maxTopupCalls,
        double minTopupYield) {
      this(strategies, callsPerLabel, examplesPerCall, fewShot, maxRounds, maxTopupCalls, minTopupYield, false);
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
  public record Split(double validation, double test, String evaluation, boolean seedsInEvaluation, List<Double> subsets, Groups groups)
      implements Serializable {
    public Split {
      subsets = List.copyOf(subsets);
      java.util.Objects.requireNonNull(groups, "groups");
    }

    public Split(double validation, double test, String evaluation, boolean seedsInEvaluation, List<Double> subsets) {
      this(validation, test, evaluation, seedsInEvaluation, subsets, Groups.DEFAULT);
    }

    public Split(double validation, double test, String evaluation, boolean seedsInEvaluation) {
      this(validation, test, evaluation, seedsInEvaluation, List.of());
    }

    /**
     * What keeps records together in one split: {@code lineage} (records made from the same seed),
     * Jaccard at or above {@code jaccard} of word shingles of {@code shingle} words (0: dedup's
     * shingle), and MiniLM cosine at or above {@code cosine} when {@code quality.embeddings} is on;
     * a bound of 0 turns it off.
     */
    public record Groups(boolean lineage, double jaccard, int shingle, double cosine) implements Serializable {
      public static final Groups DEFAULT = new Groups(true, 0.5, 0, 0.9);
    }
  }

  /**
   * {@code includeSeeds}: the seeds themselves join the dataset (they win every duplicate group).
   * {@code formats}: the record formats written (templates/*.yaml), at least one. {@code azure}:
   * the openai-chat files are written as UTF-8 with a byte-order mark.
   */
  public record Output(
      String dir, String systemMessage, boolean includeSeeds, java.util.List<dev.seedforge.format.FormatSpec> formats, boolean azure,
      dev.seedforge.format.TrainOn trainOn)
      implements Serializable {
    public Output {
      formats = java.util.List.copyOf(formats);
      trainOn = trainOn == null ? dev.seedforge.format.TrainOn.ALL : trainOn;
    }

    /** Training on every assistant turn ({@code output.train_on: all}, the default). */
    public Output(String dir, String systemMessage, boolean includeSeeds, java.util.List<dev.seedforge.format.FormatSpec> formats, boolean azure) {
      this(dir, systemMessage, includeSeeds, formats, azure, null);
    }

    public Output withDir(String newDir) {
      return new Output(newDir, systemMessage, includeSeeds, formats, azure, trainOn);
    }
  }

  /**
   * Document inputs for strategies of basis chunk ({@code documents:}): {@code paths} are files,
   * folders or globs as written, relative to the pipeline file; chunks of at most {@code chunkSize}
   * characters share {@code chunkOverlap} with the previous one; every chunk gets
   * {@code callsPerChunk} calls per chunk strategy, and prompts see {@code neighbours} chunks on each
   * side. Top-up rounds give more calls to chunks with fewer than {@code minExamplesPerChunk} kept
   * records. {@code includeContext} ({@code output.context: include}) writes the chunk into each
   * record's user turn; exclude writes question and answer only. {@code minSupport}: the share of
   * an answer's content words the groundedness filter requires in the chunk.
   */
  public record Documents(
      List<String> paths, int chunkSize, int chunkOverlap, int callsPerChunk, int neighbours, int minExamplesPerChunk,
      boolean includeContext, double minSupport)
      implements Serializable {
    public static final double DEFAULT_MIN_SUPPORT = 0.6;

    public Documents {
      paths = List.copyOf(paths);
    }

    public static Documents none() {
      return new Documents(List.of(), 1200, 150, 1, 0, 1, true, DEFAULT_MIN_SUPPORT);
    }

    public boolean any() {
      return !paths.isEmpty();
    }
  }

  /** What the judge does with a candidate whose picked label is not its intended one. */
  public enum OnDisagreement {
    /** Reject it (filter judge_label). */
    REJECT,
    /** Keep it and count it in the manifest. */
    REPORT,
    /**
     * Reject it only when the out-of-fold label check's pool model finds the judge's pick plausible
     * too (its probability at least half the intended label's): two signals that the label is
     * wrong. Otherwise keep it and count it. Without the label check it is {@link #REJECT}.
     */
    CONSENSUS
  }

  /**
   * The optional LLM judge, after the gate and dedup. {@code model}, {@code baseUrl} and {@code
   * apiKeyEnv} null mean the generator's ({@code llm}); {@code batchSize} candidates go in one call;
   * {@code rubric} scores each candidate on the pack's rubric and rejects scores below {@code
   * threshold}; {@code relabel} (classification packs) has the judge pick a label without being
   * told the intended one; {@code maxTokens} null: enough for {@code batchSize} verdicts.
   */
  public record Judge(
      boolean enabled,
      String model,
      String baseUrl,
      String apiKeyEnv,
      int batchSize,
      boolean rubric,
      boolean relabel,
      double threshold,
      OnDisagreement onDisagreement,
      double temperature,
      Integer maxTokens)
      implements Serializable {
    public static final int DEFAULT_BATCH_SIZE = 30;
    /** Output tokens one verdict needs at most: id, score, label and a sentence of rationale. */
    public static final int TOKENS_PER_VERDICT = 60;

    public static Judge off() {
      return new Judge(false, null, null, null, DEFAULT_BATCH_SIZE, true, false, 3, OnDisagreement.REJECT, 0, null);
    }

    /** The judge's model settings: its own overrides over the generator's. */
    public Llm over(Llm l) {
      int out = maxTokens != null ? maxTokens : TOKENS_PER_VERDICT * batchSize + 32;
      return new Llm(l.provider(), model == null ? l.model() : model, baseUrl == null ? l.baseUrl() : baseUrl,
          apiKeyEnv == null ? l.apiKeyEnv() : apiKeyEnv, temperature, 1.0, out, l.timeoutSeconds(), l.maxAttempts(), l.concurrency(),
          l.responseFormat(), l.cache(), l.refreshCache(), l.requestsPerMinute(), l.tokensPerMinute(), l.budget(),
          model == null ? l.price() : null, l.maxPromptTokens(), l.apiVersion(), l.batch());
    }
  }
}
