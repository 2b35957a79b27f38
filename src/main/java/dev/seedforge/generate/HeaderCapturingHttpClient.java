package dev.seedforge.generate;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A LangChain4j {@link HttpClient} on the JDK's HTTP client that bounds every call by one deadline
 * and keeps the response headers of the last call made on the current thread.
 *
 * <p>The deadline ({@code llm.timeout_seconds}, handed over as the builder's read timeout) covers
 * the whole exchange: connecting, the headers and the whole body. LangChain4j's own {@code
 * JdkHttpClient} sets it as the JDK request timeout, which ends when the headers arrive, so a server
 * that sends the headers and part of the body, then stops, holds the call forever. Here the
 * response is awaited for at most the deadline; then the exchange is cancelled, which closes its
 * connection, and the calling thread is free again.
 *
 * <p>LangChain4j's {@code HttpException} carries only status and body; the caller needs Retry-After
 * and x-ratelimit-* of a 429 to wait exactly as long as told. A 2xx body that is an HTML page or not
 * JSON at all becomes an {@link UnusableResponseException} naming what came back. Streaming goes to
 * LangChain4j's own {@link JdkHttpClient}. Request headers (the API key) are never kept.
 */
public final class HeaderCapturingHttpClient implements HttpClient {
  private static final ThreadLocal<Map<String, String>> LAST = new ThreadLocal<>();
  private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");

  private final java.net.http.HttpClient http;
  private final Duration deadline;
  private final JdkHttpClient streaming;

  HeaderCapturingHttpClient(Builder b) {
    java.net.http.HttpClient.Builder hb = java.net.http.HttpClient.newBuilder();
    if (b.connectTimeout != null) {
      hb.connectTimeout(b.connectTimeout);
    }
    this.http = hb.build();
    this.deadline = b.readTimeout;
    this.streaming = JdkHttpClient.builder().connectTimeout(b.connectTimeout).readTimeout(b.readTimeout).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Lower-cased response headers of the last call on this thread (first value each), or an empty map. */
  public static Map<String, String> lastResponseHeaders() {
    Map<String, String> m = LAST.get();
    return m == null ? Map.of() : m;
  }

  static void clearLast() {
    LAST.remove();
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) throws HttpException {
    LAST.remove();
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(request.url()));
    if (deadline != null) {
      b.timeout(deadline);
    }
    request.headers().forEach((name, values) -> {
      if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> b.header(name, v));
      }
    });
    String body = request.body();
    b.method(request.method().name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = await(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
    Map<String, String> headers = new TreeMap<>();
    response.headers().map().forEach((k, v) -> {
      if (!v.isEmpty()) {
        headers.put(k.toLowerCase(Locale.ROOT), v.get(0));
      }
    });
    LAST.set(headers);
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      throw new HttpException(status, response.body());
    }
    UnusableResponseException unusable = UnusableResponseException.check(status, headers.get("content-type"), response.body());
    if (unusable != null) {
      throw unusable;
    }
    return SuccessfulHttpResponse.builder().statusCode(status).headers(response.headers().map()).body(response.body()).build();
  }

  /** The whole response, body included, within the deadline; past it the exchange is cancelled. */
  private HttpResponse<String> await(CompletableFuture<HttpResponse<String>> pending) {
    try {
      return deadline == null ? pending.get() : pending.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      pending.cancel(true);
      throw new dev.langchain4j.exception.TimeoutException(timedOut(deadline));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.net.http.HttpTimeoutException) {
        // a connect timeout, or the headers' timeout the JDK keeps
        throw new dev.langchain4j.exception.TimeoutException(timedOut(deadline), cause);
      }
      throw new RuntimeException(cause);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  /** What a timed-out call says, so a failure record tells the user what the timeout covers. */
  static String timedOut(Duration deadline) {
    return "timed out: no complete response within " + (deadline == null ? "the timeout" : deadline.toSeconds() + " s")
        + " (llm.timeout_seconds covers connecting, the headers and the whole body)";
  }

  @Override
  public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
    streaming.execute(request, parser, listener);
  }

  /** How long the server asked to wait before the next request, from the given response headers; -1 if it did not say. */
  public static long waitMillis(Map<String, String> headers) {
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        return Math.max(0, (long) Double.parseDouble(ms.trim()));
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    String ra = headers.get("retry-after");
    if (ra != null) {
      try {
        return Math.max(0, (long) (Double.parseDouble(ra.trim()) * 1000));
      } catch (NumberFormatException e) {
        try {
          java.time.ZonedDateTime when = java.time.ZonedDateTime.parse(ra.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
          return Math.max(0, Duration.between(java.time.Instant.now(), when.toInstant()).toMillis());
        } catch (RuntimeException ignored) {
          // unparseable: fall through
        }
      }
    }
    long wait = -1;
    for (String kind : List.of("requests", "tokens")) {
      if ("0".equals(headers.get("x-ratelimit-remaining-" + kind)) && headers.get("x-ratelimit-reset-" + kind) != null) {
        wait = Math.max(wait, parseDuration(headers.get("x-ratelimit-reset-" + kind)));
      }
    }
    return wait;
  }

  /** OpenAI's reset durations: "1s", "6m0s", "120ms", "1h2m3.5s". -1 if unreadable. */
  static long parseDuration(String s) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)").matcher(s.trim());
    double total = 0;
    boolean any = false;
    while (m.find()) {
      any = true;
      double v = Double.parseDouble(m.group(1));
      total += switch (m.group(2)) {
        case "h" -> v * 3_600_000;
        case "m" -> v * 60_000;
        case "s" -> v * 1000;
        default -> v;
      };
    }
    return any ? (long) Math.ceil(total) : -1;
  }

  /**
   * Builds the client; LangChain4j sets the timeouts from the model builder's {@code timeout}: the
   * read timeout becomes the whole call's deadline.
   */
  public static final class Builder implements HttpClientBuilder {
    private Duration connectTimeout;
    private Duration readTimeout;

    @Override
    public Duration connectTimeout() {
      return connectTimeout;
    }

    @Override
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    @Override
    public Duration readTimeout() {
      return readTimeout;
    }

    @Override
    public Builder readTimeout(Duration d) {
      this.readTimeout = d;
      return this;
    }

    @Override
    public HttpClient build() {
      return new HeaderCapturingHttpClient(this);
    }
  }
}
