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

  /** {@code perLabel} 0 means: cap every label at the smallest label's count. */
  public record Targets(int perLabel, Map<String, Integer> labels) implements Serializable {}

  public record Split(double validation) implements Serializable {}

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
