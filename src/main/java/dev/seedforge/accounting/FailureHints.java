package dev.seedforge.accounting;

import java.util.Map;

/** What to check for each kind of failed call or unusable answer, for the message a run ends with. */
public final class FailureHints {
  private static final Map<String, String> HINTS = Map.ofEntries(
      Map.entry("rate_limited", "the endpoint kept answering 429: lower llm.concurrency or set llm.requests_per_minute / llm.tokens_per_minute"),
      Map.entry("timeout", "calls did not finish within llm.timeout_seconds: raise it, lower llm.max_tokens, or check the server's load"),
      Map.entry("server_error", "the endpoint answered 5xx: check the server's health and logs, then re-run (answers so far are cached)"),
      Map.entry("connection", "the endpoint could not be reached or dropped the connection: check llm.base_url and that the server is running"),
      Map.entry("html_response", "a web page answered instead of an API (a proxy, a login page or the wrong path): check llm.base_url (it usually ends in /v1)"),
      Map.entry("not_json", "the endpoint's answers were not JSON: check llm.base_url points at an OpenAI-compatible API, or set llm.response_format to json_object or text"),
      Map.entry("parse/not_json", "the model answered prose instead of the JSON asked for: use a model that follows instructions, or set llm.response_format to json_schema or json_object"),
      Map.entry("parse/truncated_response", "answers were cut off at llm.max_tokens: raise it or lower generation.examples_per_call"),
      Map.entry("parse/empty_response", "the model answered nothing: check the model name and the prompt templates"),
      Map.entry("parse/schema", "the model's JSON did not have the fields asked for: check the pack's task and templates"));

  private FailureHints() {}

  /** The hint for {@code kind}: a failure kind ({@code http_400}, {@code timeout}, ...) or a parse filter ({@code parse/not_json}). */
  public static String of(String kind) {
    String hint = HINTS.get(kind);
    if (hint != null) {
      return hint;
    }
    if (kind.startsWith("http_4")) {
      return "the endpoint refused the requests (" + kind.replace('_', ' ').toUpperCase(java.util.Locale.ROOT)
          + "): check llm.model, llm.max_tokens and llm.response_format (json_schema needs structured-output support; try json_object or text)";
    }
    return "see failed.jsonl for the messages";
  }
}
