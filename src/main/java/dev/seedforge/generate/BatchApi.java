package dev.seedforge.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.util.Json;
import dev.seedforge.util.Secrets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The provider's Batch API over the JDK's HTTP client (LangChain4j has no batch client): upload an
 * input file ({@code POST /files}, purpose {@code batch}), create a batch ({@code POST /batches}),
 * retrieve and cancel it, and download its output and error files ({@code GET
 * /files/{id}/content}). OpenAI and Azure OpenAI's v1 API share these paths under the base URL;
 * they differ in the {@code url} of each input line and the batch's {@code endpoint}. The key goes
 * only in the header the provider expects, as for every other call.
 */
final class BatchApi {
  /** What the provider says about a batch. */
  record Status(String id, String status, String outputFileId, String errorFileId, long total, long completed, long failed,
      long inProgressAt, long expiresAt, String errors) {
    boolean terminal() {
      return switch (status) {
        case "completed", "failed", "expired", "cancelled" -> true;
        default -> false;
      };
    }

    static Status of(JsonNode b) {
      JsonNode counts = b.path("request_counts");
      StringBuilder errors = new StringBuilder();
      for (JsonNode e : b.path("errors").path("data")) {
        if (errors.length() > 0) {
          errors.append("; ");
        }
        errors.append(e.path("code").asText("error")).append(": ").append(e.path("message").asText(""));
        if (e.hasNonNull("line")) {
          errors.append(" (line ").append(e.path("line").asInt()).append(')');
        }
      }
      return new Status(b.path("id").asText(), b.path("status").asText(), text(b, "output_file_id"), text(b, "error_file_id"),
          counts.path("total").asLong(), counts.path("completed").asLong(), counts.path("failed").asLong(),
          b.path("in_progress_at").asLong(0), b.path("expires_at").asLong(0), errors.length() == 0 ? null : errors.toString());
    }

    private static String text(JsonNode n, String field) {
      return n.hasNonNull(field) ? n.path(field).asText() : null;
    }
  }

  /** A failed Batch API request: its status (0: no response) and the API's own words, redacted. */
  static final class ApiException extends RuntimeException {
    final int status;

    ApiException(int status, String message) {
      super(Secrets.redact(message));
      this.status = status;
    }

    boolean retriable() {
      return status == 0 || status == 408 || status == 409 || status == 429 || status >= 500;
    }
  }

  private final String base;
  private final String key;
  private final boolean azure;
  private final String apiKeyEnv;
  private final HttpClient http;
  private final Duration timeout;

  BatchApi(ModelSettings settings, Map<String, String> env) {
    this.base = Endpoint.url(settings.provider(), settings.baseUrl()).replaceAll("/+$", "");
    String k = Secrets.key(env, settings.apiKeyEnv());
    this.key = k == null || k.isBlank() ? null : k;
    this.azure = Endpoint.isAzure(base);
    this.apiKeyEnv = settings.apiKeyEnv();
    this.timeout = Duration.ofSeconds(Math.max(settings.timeoutSeconds(), 60));
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(Math.min(30, settings.timeoutSeconds()))).build();
  }

  /** The {@code url} of each input line and the batch's {@code endpoint}: Azure's v1 API takes it without the version prefix. */
  String endpointPath() {
    return azure ? "/chat/completions" : "/v1/chat/completions";
  }

  /** Uploads a batch input file; returns its file id. */
  String upload(byte[] jsonl, String filename) {
    String boundary = "seedforge-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream(jsonl.length + 512);
    write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n");
    write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
        + "\"\r\nContent-Type: application/jsonl\r\n\r\n");
    body.writeBytes(jsonl);
    write(body, "\r\n--" + boundary + "--\r\n");
    HttpRequest.Builder r = request("/files").header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    return json(send(r)).path("id").asText();
  }

  /** Creates a batch of the uploaded file {@code inputFileId}. */
  Status create(String inputFileId, String completionWindow, String runId) {
    ObjectNode b = Json.mapper().createObjectNode();
    b.put("input_file_id", inputFileId);
    b.put("endpoint", endpointPath());
    b.put("completion_window", completionWindow);
    b.putObject("metadata").put("seedforge_run", runId);
    HttpRequest.Builder r = request("/batches").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(b)));
    return Status.of(json(send(r)));
  }

  Status retrieve(String batchId) {
    return Status.of(json(send(request("/batches/" + batchId).GET())));
  }

  Status cancel(String batchId) {
    return Status.of(json(send(request("/batches/" + batchId + "/cancel").POST(HttpRequest.BodyPublishers.noBody()))));
  }

  /** The content of an output or error file: JSONL, one line per request. */
  String content(String fileId) {
    return send(request("/files/" + fileId + "/content").GET());
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    if (key != null) {
      r.header("Authorization", "Bearer " + key);
      if (azure) {
        r.header("api-key", key);
      }
    }
    return r;
  }

  private String send(HttpRequest.Builder r) {
    HttpRequest req = r.build();
    HttpResponse<String> response;
    try {
      response = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ApiException(0, req.method() + " " + req.uri().getPath() + ": connection failed: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling the Batch API", e);
    }
    int code = response.statusCode();
    if (code == 401 || code == 403) {
      throw new FatalCallException("the endpoint refused the API key (HTTP " + code + ") for the Batch API; check that the environment variable "
          + apiKeyEnv + " holds a valid key for " + base + " (llm.api_key_env names the variable)");
    }
    if (code == 404 && req.uri().getPath().endsWith("/batches")) {
      throw new FatalCallException("the endpoint " + base + " has no Batch API (HTTP 404 on POST /batches); use llm.mode: sync for it");
    }
    if (code < 200 || code >= 300) {
      throw new ApiException(code, req.method() + " " + req.uri().getPath() + ": HTTP " + code + ": " + CallError.errorText(response.body()));
    }
    return response.body();
  }

  private static JsonNode json(String body) {
    try {
      return Json.mapper().readTree(body);
    } catch (IOException e) {
      throw new ApiException(0, "the Batch API answered with something that is not JSON: " + CallError.snippet(body));
    }
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }
}
