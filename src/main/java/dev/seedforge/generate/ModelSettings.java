package dev.seedforge.generate;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.seed.TaskType;
import java.io.Serializable;

/**
 * How a worker reaches the model. Holds the name of the environment variable with the key, never
 * the key, so it can travel to workers, caches and manifests safely.
 *
 * @param cachePath the response cache file, or null for none
 * @param refreshCache call again even when the cache has the response (and store the new one)
 * @param requestsPerMinute client-side limit per worker; 0 = none
 * @param tokensPerMinute client-side limit per worker (prompt tokens + max_tokens, estimated); 0 = none
 * @param maxTokens the calls' max_tokens, for token estimates
 * @param budget llm.budget: one allowance for the whole run, enforced through the run's ledger
 * @param price USD per million tokens, or null when unknown
 * @param apiVersion Azure OpenAI's api-version (provider azure), else null
 */
public record ModelSettings(
    String provider,
    String model,
    String baseUrl,
    String apiKeyEnv,
    int timeoutSeconds,
    int maxAttempts,
    int concurrency,
    TaskType task,
    String cachePath,
    boolean refreshCache,
    double requestsPerMinute,
    double tokensPerMinute,
    int maxTokens,
    PipelineSpec.Budget budget,
    PipelineSpec.Price price,
    String apiVersion)
    implements Serializable {

  public ModelSettings {
    budget = budget == null ? PipelineSpec.Budget.none() : budget;
    if ("azure".equals(provider) && apiVersion == null) {
      apiVersion = Provider.AZURE_DEFAULT_API_VERSION;
    }
  }

  public ModelSettings(
      String provider, String model, String baseUrl, String apiKeyEnv, int timeoutSeconds, int maxAttempts, int concurrency, TaskType task,
      String cachePath, boolean refreshCache, double requestsPerMinute, double tokensPerMinute, int maxTokens, PipelineSpec.Budget budget,
      PipelineSpec.Price price) {
    this(provider, model, baseUrl, apiKeyEnv, timeoutSeconds, maxAttempts, concurrency, task, cachePath, refreshCache, requestsPerMinute,
        tokensPerMinute, maxTokens, budget, price, null);
  }

  /** No cache, no limits, no budget. */
  public ModelSettings(
      String provider, String model, String baseUrl, String apiKeyEnv, int timeoutSeconds, int maxAttempts, int concurrency, TaskType task) {
    this(provider, model, baseUrl, apiKeyEnv, timeoutSeconds, maxAttempts, concurrency, task, null, false, 0, 0, 1024, null, null);
  }

  public ModelSettings withCache(String path, boolean refresh) {
    return new ModelSettings(provider, model, baseUrl, apiKeyEnv, timeoutSeconds, maxAttempts, concurrency, task, path, refresh,
        requestsPerMinute, tokensPerMinute, maxTokens, budget, price, apiVersion);
  }

  public ModelSettings withLimits(double rpm, double tpm, PipelineSpec.Budget b, PipelineSpec.Price p) {
    return new ModelSettings(provider, model, baseUrl, apiKeyEnv, timeoutSeconds, maxAttempts, concurrency, task, cachePath, refreshCache,
        rpm, tpm, maxTokens, b, p, apiVersion);
  }
}
