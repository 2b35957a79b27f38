package dev.seedforge.generate;

import dev.seedforge.seed.TaskType;
import java.io.Serializable;

/**
 * How a worker reaches the model. Holds the name of the environment variable with the key, never
 * the key, so it can travel to workers, caches and manifests safely.
 */
public record ModelSettings(
    String provider,
    String model,
    String baseUrl,
    String apiKeyEnv,
    int timeoutSeconds,
    int maxAttempts,
    int concurrency,
    TaskType task)
    implements Serializable {}
