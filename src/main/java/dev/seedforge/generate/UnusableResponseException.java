package dev.seedforge.generate;

import dev.langchain4j.exception.NonRetriableException;
import java.util.Locale;

/**
 * A successful status whose body is not the API's JSON: an HTML page (a captive portal, a proxy's
 * login page, a web UI at the base URL) or text that is not JSON at all. Retrying sends the same
 * request to the same page, so it is not retried.
 */
public final class UnusableResponseException extends NonRetriableException {
  private final String kind;
  private final int status;

  private UnusableResponseException(String kind, int status, String message) {
    super(message);
    this.kind = kind;
    this.status = status;
  }

  /** {@link CallError#HTML_RESPONSE} or {@link CallError#NOT_JSON}. */
  public String kind() {
    return kind;
  }

  public int status() {
    return status;
  }

  /** Null when {@code body} may be the API's JSON (LangChain4j reads it), else why it is not. */
  static UnusableResponseException check(int status, String contentType, String body) {
    if (CallError.isHtml(contentType, body)) {
      return new UnusableResponseException(CallError.HTML_RESPONSE, status, CallError.htmlMessage(status, body));
    }
    String text = body == null ? "" : body.strip();
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1).strip();
    }
    if (text.isEmpty() || (text.charAt(0) != '{' && text.charAt(0) != '[')) {
      String type = contentType == null ? "no content type" : contentType.toLowerCase(Locale.ROOT);
      return new UnusableResponseException(CallError.NOT_JSON, status,
          "HTTP " + status + " with a body that is not JSON (" + type + (text.isEmpty() ? ", empty" : ": \"" + CallError.snippet(text) + "\"")
              + "); check that llm.base_url is the API's address");
    }
    return null;
  }
}
