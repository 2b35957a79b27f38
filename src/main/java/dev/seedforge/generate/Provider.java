package dev.seedforge.generate;

import java.util.Locale;

/**
 * The APIs seedforge calls, each with its default endpoint and the environment variable its key
 * is read from when {@code llm.api_key_env} is not set. {@code auto} and any OpenAI-compatible
 * server are {@link #OPENAI}.
 */
public enum Provider {
  /** OpenAI's chat completions, and any server that speaks them (vLLM, llama.cpp, Azure's v1 API). */
  OPENAI("https://api.openai.com/v1", "OPENAI_API_KEY"),
  /** Azure OpenAI by deployment: {@code /openai/deployments/NAME/chat/completions?api-version=V}, key in {@code api-key}. */
  AZURE(null, "AZURE_OPENAI_API_KEY"),
  /** Anthropic's Messages API, key in {@code x-api-key}. */
  ANTHROPIC("https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
  /** Ollama's native API; no key. */
  OLLAMA("http://localhost:11434", "OPENAI_API_KEY");

  /** The Azure OpenAI API version used when {@code llm.api_version} is not set (GA, with structured outputs). */
  public static final String AZURE_DEFAULT_API_VERSION = "2024-10-21";

  /** The Messages API version sent in {@code anthropic-version}. */
  public static final String ANTHROPIC_API_VERSION = "2023-06-01";

  private final String defaultBaseUrl;
  private final String defaultKeyEnv;

  Provider(String defaultBaseUrl, String defaultKeyEnv) {
    this.defaultBaseUrl = defaultBaseUrl;
    this.defaultKeyEnv = defaultKeyEnv;
  }

  /** The provider of an {@code llm.provider} value; auto, lexical and openai are {@link #OPENAI}. */
  public static Provider of(String name) {
    if (name == null) {
      return OPENAI;
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "azure" -> AZURE;
      case "anthropic" -> ANTHROPIC;
      case "ollama" -> OLLAMA;
      default -> OPENAI;
    };
  }

  /** The base URL used when none is configured; null for Azure, whose resource URL is always the user's. */
  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  public String defaultKeyEnv() {
    return defaultKeyEnv;
  }

  /** Whether calls need a key: every hosted API; Ollama and local OpenAI-compatible servers do not. */
  public boolean needsKey(String baseUrl) {
    return switch (this) {
      case AZURE, ANTHROPIC -> true;
      case OPENAI -> baseUrl == null;
      case OLLAMA -> false;
    };
  }

  /**
   * The URL an Azure deployment's OpenAI-style client is pointed at: the resource URL (with or
   * without a trailing {@code /openai}) and {@code /openai/deployments/DEPLOYMENT}.
   */
  public static String azureDeploymentUrl(String resourceUrl, String deployment) {
    String base = resourceUrl.strip().replaceAll("/+$", "");
    if (base.endsWith("/openai")) {
      base = base.substring(0, base.length() - "/openai".length());
    }
    return base + "/openai/deployments/" + deployment;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
