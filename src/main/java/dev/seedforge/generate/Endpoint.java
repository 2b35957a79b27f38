package dev.seedforge.generate;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Where a provider's calls go: the configured base URL or the provider's default, in one normal form. */
public final class Endpoint {
  public static final String OPENAI_DEFAULT = "https://api.openai.com/v1";
  public static final String OLLAMA_DEFAULT = "http://localhost:11434";

  private Endpoint() {}

  /** The base URL calls go to: {@code baseUrl}, or the provider's default when it is null. */
  public static String url(String provider, String baseUrl) {
    if (baseUrl != null && !baseUrl.isBlank()) {
      return baseUrl;
    }
    String fallback = Provider.of(provider).defaultBaseUrl();
    return fallback == null ? OPENAI_DEFAULT : fallback;
  }

  /**
   * The endpoint in a normal form, for the request id and so the cache key: scheme and host in
   * lower case, the scheme's default port and trailing slashes dropped. Two servers that both call
   * their model "llama3" then never share answers; {@code http://Host:80/v1/} and {@code
   * http://host/v1} are the same endpoint.
   */
  public static String normalized(String provider, String baseUrl) {
    String url = url(provider, baseUrl).trim();
    try {
      URI u = new URI(url);
      if (u.getScheme() == null || u.getHost() == null) {
        return stripSlashes(url);
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      int port = u.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      String path = u.getRawPath() == null ? "" : u.getRawPath();
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + stripSlashes(path)
          + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    } catch (URISyntaxException e) {
      return stripSlashes(url);
    }
  }

  /** Whether {@code url} is an Azure OpenAI resource (which takes its key in an {@code api-key} header). */
  public static boolean isAzure(String url) {
    try {
      String host = new URI(url.trim()).getHost();
      if (host == null) {
        return false;
      }
      host = host.toLowerCase(Locale.ROOT);
      return host.endsWith(".openai.azure.com") || host.endsWith(".cognitiveservices.azure.com");
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static String stripSlashes(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }
}
