package dev.seedforge.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What went wrong with one attempt, named after what happened, as {@code failed.jsonl} and the
 * manifest's {@code calls.failures_by_kind} show it:
 *
 * <ul>
 *   <li>{@code timeout}: no complete response (connect, headers and body) within {@code
 *       llm.timeout_seconds};
 *   <li>{@code rate_limited}: HTTP 429;
 *   <li>{@code server_error}: HTTP 5xx;
 *   <li>{@code http_400}, {@code http_422}, …: any other error status;
 *   <li>{@code html_response}: an HTML page instead of the API's JSON, whatever the status (a proxy's
 *       login page, a captive portal, a web UI at the base URL);
 *   <li>{@code not_json}: a successful status whose body is not JSON;
 *   <li>{@code connection}: the connection failed (refused, reset, closed half way, unknown host);
 *   <li>{@code error}: anything else.
 * </ul>
 *
 * <p>The status decides the retry (429, 5xx, 408, 409, timeouts and connection failures are
 * retried); the kind only names it. Messages are not yet redacted: {@link LangChainCaller} does it.
 *
 * @param status the HTTP status, or 0 when no response came
 */
public record CallError(String kind, int status, boolean retriable, String message) {
  public static final String TIMEOUT = "timeout";
  public static final String RATE_LIMITED = "rate_limited";
  public static final String SERVER_ERROR = "server_error";
  public static final String HTML_RESPONSE = "html_response";
  public static final String NOT_JSON = "not_json";
  public static final String CONNECTION = "connection";
  public static final String ERROR = "error";

  private static final Pattern TITLE = Pattern.compile("(?is)<title[^>]*>(.*?)</title>");

  /** The kind of an HTTP error status that is neither 429 nor 5xx: {@code http_<status>}. */
  public static String httpKind(int status) {
    return "http_" + status;
  }

  /** Names what {@code e}, thrown by a LangChain4j chat call, says happened. */
  public static CallError of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnusableResponseException u) {
        return new CallError(u.kind(), u.status(), false, u.getMessage());
      }
      if (t instanceof HttpException h) {
        return ofStatus(h.statusCode(), h.getMessage());
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException || t instanceof java.net.SocketTimeoutException) {
        String m = t.getMessage();
        return new CallError(TIMEOUT, 0, true, m != null && m.startsWith("timed out") ? m : HeaderCapturingHttpClient.timedOut(null));
      }
      if (t instanceof JsonProcessingException) {
        // a successful status whose JSON LangChain4j could not read (cut short, or not a chat completion)
        return new CallError(NOT_JSON, 0, false, "the response is not the API's JSON (" + t.getClass().getSimpleName() + ")");
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof java.nio.channels.UnresolvedAddressException) {
        return new CallError(CONNECTION, 0, true, "connection failed: " + describe(t));
      }
    }
    return new CallError(ERROR, 0, false, describe(e));
  }

  /** An error status with its body. */
  static CallError ofStatus(int status, String body) {
    boolean retriable = status == 408 || status == 409 || status == 429 || status >= 500;
    if (isHtml(null, body)) {
      return new CallError(HTML_RESPONSE, status, retriable, htmlMessage(status, body));
    }
    String kind = status == 429 ? RATE_LIMITED : status >= 500 ? SERVER_ERROR : httpKind(status);
    return new CallError(kind, status, retriable, "HTTP " + status + ": " + errorText(body));
  }

  /** Whether a body is an HTML page: by its content type, or by how it starts. */
  static boolean isHtml(String contentType, String body) {
    if (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("html")) {
      return true;
    }
    String start = body == null ? "" : body.stripLeading();
    start = start.substring(0, Math.min(start.length(), 15)).toLowerCase(Locale.ROOT);
    return start.startsWith("<!doctype html") || start.startsWith("<html") || start.startsWith("<head") || start.startsWith("<body");
  }

  static String htmlMessage(int status, String body) {
    Matcher m = TITLE.matcher(body == null ? "" : body);
    String title = m.find() ? " (\"" + snippet(m.group(1).strip()) + "\")" : "";
    return "HTTP " + status + " with an HTML page" + title
        + " instead of the API's JSON; check that llm.base_url is the API's address and that no proxy or login page is in the way";
  }

  /** The error's own words from an OpenAI- or Ollama-shaped error body, else the start of the body. */
  static String errorText(String body) {
    if (body == null || body.isBlank()) {
      return "(empty body)";
    }
    try {
      JsonNode root = Json.mapper().readTree(body);
      for (JsonNode n : new JsonNode[] {root.path("error").path("message"), root.path("error"), root.path("message"), root.path("detail")}) {
        if (n.isTextual() && !n.asText().isBlank()) {
          return snippet(n.asText());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: the body itself
    }
    return snippet(body.strip());
  }

  /** At most 300 characters of {@code s}, on one line. */
  static String snippet(String s) {
    String line = s.replaceAll("\\s+", " ");
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
