package dev.seedforge.generate;

import dev.seedforge.util.Secrets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A free check, on the driver, before any worker starts: can the endpoint be reached, and does
 * it accept the key? It lists the models (GET /models, or /api/tags for native Ollama), which
 * costs nothing, so a wrong key stops the run in about a second instead of after the first wave
 * of paid calls. Endpoints without a model list are let through. The key goes only in the header
 * the provider expects: {@code Authorization: Bearer} (and Azure's {@code api-key} to Azure hosts
 * of the v1 API), {@code api-key} alone for Azure deployments, {@code x-api-key} for Anthropic.
 * Messages are redacted by {@link FatalCallException}.
 */
public final class Preflight {
  private Preflight() {}

  public static void check(ModelSettings s, Map<String, String> env) {
    Provider provider = Provider.of(s.provider());
    String base = Endpoint.url(s.provider(), s.baseUrl());
    String trimmed = base.replaceAll("/+$", "");
    String url = switch (provider) {
      case OLLAMA -> trimmed + "/api/tags";
      case AZURE -> Provider.azureDeploymentUrl(trimmed, "").replaceAll("/deployments/$", "") + "/models?api-version=" + s.apiVersion();
      default -> trimmed + "/models";
    };
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(Math.min(15, s.timeoutSeconds()))).GET();
    String key = Secrets.key(env, s.apiKeyEnv());
    if (key != null) {
      switch (provider) {
        case OLLAMA -> { }
        case AZURE -> req.header("api-key", key);
        case ANTHROPIC -> req.header("x-api-key", key).header("anthropic-version", Provider.ANTHROPIC_API_VERSION);
        case OPENAI -> {
          req.header("Authorization", "Bearer " + key);
          if (Endpoint.isAzure(base)) {
            // Azure's own header; any other server would only be handed the key twice
            req.header("api-key", key);
          }
        }
      }
    }
    HttpResponse<String> response;
    try {
      response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new FatalCallException("cannot reach " + base + " (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
          + "); check llm.base_url or --base-url and that the server is running");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FatalCallException("interrupted while checking " + base);
    }
    int code = response.statusCode();
    if (code == 401 || code == 403) {
      throw new FatalCallException(
          "the endpoint refused the API key (HTTP " + code + "); check that the environment variable " + s.apiKeyEnv()
              + " holds a valid key for " + base + " (llm.api_key_env names the variable)");
    }
  }
}
