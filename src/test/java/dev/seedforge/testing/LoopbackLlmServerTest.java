package dev.seedforge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loopback server itself, over plain java.net.http. */
@Timeout(20)
class LoopbackLlmServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLASSIFY =
      "{\"model\":\"m1\",\"messages\":[{\"role\":\"system\",\"content\":\"Write data. Return exactly 5 new examples as one JSON object "
          + "of this shape and nothing else: {\\\"examples\\\": [{\\\"text\\\": \\\"...\\\"}]}\"},"
          + "{\"role\":\"user\",\"content\":\"Label: shipping. My parcel never arrived and the tracking page is blank.\"}]}";
  private static final String INSTRUCT =
      "{\"model\":\"m2\",\"messages\":[{\"role\":\"system\",\"content\":\"Return exactly 2 new examples: "
          + "{\\\"examples\\\": [{\\\"instruction\\\": \\\"...\\\", \\\"input\\\": \\\"...\\\", \\\"output\\\": \\\"...\\\"}]}\"},"
          + "{\"role\":\"user\",\"content\":\"Summarize the email about the quarterly budget.\"}]}";

  private LoopbackLlmServer server;
  private HttpClient http;

  @BeforeEach
  void start() {
    server = new LoopbackLlmServer(3);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String body) throws Exception {
    return post(body, Duration.ofSeconds(10));
  }

  private HttpResponse<String> post(String body, Duration timeout) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer sk-abc")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode content(HttpResponse<String> r) throws Exception {
    return JSON.readTree(JSON.readTree(r.body()).at("/choices/0/message/content").asText());
  }

  @Test
  void should_answer_with_an_openai_shaped_completion() throws Exception {
    HttpResponse<String> r = post(CLASSIFY);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode root = JSON.readTree(r.body());
    assertThat(root.path("object").asText()).isEqualTo("chat.completion");
    assertThat(root.path("model").asText()).isEqualTo("m1");
    assertThat(root.path("id").asText()).startsWith("chatcmpl-");
    assertThat(root.path("created").asLong()).isPositive();
    assertThat(root.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(root.at("/usage/prompt_tokens").asInt()).isEqualTo(CLASSIFY.length() / 4);
    assertThat(root.at("/usage/total_tokens").asInt())
        .isEqualTo(root.at("/usage/prompt_tokens").asInt() + root.at("/usage/completion_tokens").asInt());
    JsonNode examples = content(r).path("examples");
    assertThat(examples).hasSize(5);
    for (JsonNode e : examples) {
      String text = e.path("text").asText();
      assertThat(text.split("\\s+").length).isGreaterThanOrEqualTo(8);
      assertThat(text).containsAnyOf("shipping", "parcel", "tracking", "page", "blank");
    }
    assertThat(post(CLASSIFY).body()).contains(examples.get(0).path("text").asText()); // deterministic
  }

  @Test
  void should_answer_instruction_requests_with_instruction_fields() throws Exception {
    JsonNode examples = content(post(INSTRUCT)).path("examples");
    assertThat(examples).hasSize(2);
    assertThat(examples.get(0).has("instruction") && examples.get(0).has("input") && examples.get(0).has("output")).isTrue();
  }

  @Test
  void should_send_429_with_retry_after_and_rate_limit_headers() throws Exception {
    server.retryAfterSeconds(7).next(Behavior.RATE_LIMIT, 1);
    HttpResponse<String> r = post(CLASSIFY);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(post(CLASSIFY).statusCode()).isEqualTo(200);
    assertThat(server.tooManyRequestsSent()).isEqualTo(1);
  }

  @Test
  void should_enforce_server_side_rate_limit() throws Exception {
    server.rateLimitPerMinute(60, 3); // burst 3, then one per second
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 6; i++) {
      int status = post(CLASSIFY).statusCode();
      if (status == 200) {
        ok++;
      } else if (status == 429) {
        limited++;
      }
    }
    assertThat(ok).isBetween(3, 4);
    assertThat(limited).isEqualTo(6 - ok);
    assertThat(server.rateLimiterRejections()).isEqualTo(limited);
    assertThat(server.tooManyRequestsSent()).isEqualTo(limited);
  }

  @Test
  void should_give_openai_error_bodies_for_401_and_404() throws Exception {
    server.next(Behavior.UNAUTHORIZED, 1).next(Behavior.MODEL_NOT_FOUND, 1);
    HttpResponse<String> unauthorized = post(CLASSIFY);
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(unauthorized.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
    HttpResponse<String> notFound = post(CLASSIFY);
    assertThat(notFound.statusCode()).isEqualTo(404);
    JsonNode err = JSON.readTree(notFound.body()).path("error");
    assertThat(err.path("message").asText()).isEqualTo("The model `m1` does not exist");
    assertThat(err.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(err.path("code").asText()).isEqualTo("model_not_found");
  }

  @Test
  void should_be_deterministic_with_probabilities() throws Exception {
    List<Integer> first = statuses(new LoopbackLlmServer(11));
    List<Integer> second = statuses(new LoopbackLlmServer(11));
    assertThat(first).isEqualTo(second).contains(200, 500, 503);
  }

  private List<Integer> statuses(LoopbackLlmServer s) throws Exception {
    try (s) {
      s.withProbability(Behavior.SERVER_ERROR, 0.2).withProbability(Behavior.SERVICE_UNAVAILABLE, 0.2);
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        HttpRequest r =
            HttpRequest.newBuilder(URI.create(s.baseUrl() + "/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(CLASSIFY)).build();
        out.add(http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode());
      }
      assertThat(s.count(Behavior.SERVER_ERROR) + s.count(Behavior.SERVICE_UNAVAILABLE) + s.count(Behavior.OK)).isEqualTo(40);
      return out;
    }
  }

  @Test
  void should_follow_a_script_and_produce_faulty_contents() throws Exception {
    server.script((n, body) -> switch (n) {
      case 1 -> Behavior.TRUNCATED;
      case 2 -> Behavior.FENCED;
      case 3 -> Behavior.EMPTY;
      case 4 -> Behavior.PROSE;
      default -> null;
    });
    JsonNode truncated = JSON.readTree(post(CLASSIFY).body());
    assertThat(truncated.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    String full = JSON.readTree(post(CLASSIFY).body()).at("/choices/0/message/content").asText();
    assertThat(full).startsWith("Here are").contains("```json\n{\"examples\"");
    assertThat(JSON.readTree(post(CLASSIFY).body()).at("/choices/0/message/content").asText()).isEmpty();
    assertThat(JSON.readTree(post(CLASSIFY).body()).at("/choices/0/message/content").asText()).doesNotContain("{", "[");
    assertThat(post(CLASSIFY).statusCode()).isEqualTo(200);
    assertThat(server.requestCount()).isEqualTo(5);
    assertThat(server.requestBodies()).hasSize(5).allMatch(CLASSIFY::equals);
    assertThat(server.count(Behavior.OK)).isEqualTo(1);
  }

  @Test
  void should_hold_hung_requests_for_the_configured_duration() throws Exception {
    server.hangMillis(300).next(Behavior.HANG, 1);
    long start = System.nanoTime();
    assertThat(post(CLASSIFY).statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(280);
    assertThat(server.count(Behavior.HANG)).isEqualTo(1);
  }

  @Test
  void should_stall_half_way_through_the_body_past_the_jdk_request_timeout() throws Exception {
    // given
    server.next(Behavior.STALL_BODY, 1).next(Behavior.STALL_BODY, 1).hangMillis(1_500);

    // when the JDK client's request timeout (500 ms) is shorter than the stall
    long start = System.nanoTime();
    HttpResponse<String> r = post(CLASSIFY, Duration.ofMillis(500));
    long ms = (System.nanoTime() - start) / 1_000_000;

    // then that timeout does not cover the body: the response comes whole when the stall ends
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(content(r).path("examples")).hasSize(5);
    assertThat(ms).isGreaterThanOrEqualTo(1_400);
    // and until then the body holds only its first half
    server.hangMillis(0);
    HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString(CLASSIFY)).build();
    try (java.io.InputStream in = http.send(req, HttpResponse.BodyHandlers.ofInputStream()).body()) {
      byte[] buf = new byte[1 << 16];
      int got = in.read(buf);
      assertThat(new String(buf, 0, got, java.nio.charset.StandardCharsets.UTF_8)).startsWith("{\"id\":\"chatcmpl-");
    }
    assertThat(server.count(Behavior.STALL_BODY)).isEqualTo(2);
  }

  @Test
  void should_answer_400_html_and_text_faults_and_echo_the_key_when_asked() throws Exception {
    server.echoApiKey(true).next(Behavior.BAD_REQUEST, 1).next(Behavior.HTML_LOGIN, 1).next(Behavior.NOT_JSON, 1);

    HttpResponse<String> bad = post(CLASSIFY);
    HttpResponse<String> login = post(CLASSIFY);
    HttpResponse<String> text = post(CLASSIFY);

    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).at("/error/message").asText()).contains("Authorization: Bearer sk-abc");
    assertThat(login.statusCode()).isEqualTo(403);
    assertThat(login.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(login.body()).startsWith("<!DOCTYPE html>").contains("<title>Sign in</title>");
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.body()).startsWith("service warming up");
    assertThat(server.arrivalMillis()).hasSize(3).isSorted();
  }

  @Test
  void should_serve_64_requests_concurrently() throws Exception {
    // Long enough that all 64 arrive while the first are still held, even on a loaded machine.
    server.latencyMillis(2_000);
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      List<Future<Integer>> fs = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        fs.add(pool.submit(() -> post(CLASSIFY).statusCode()));
      }
      for (Future<Integer> f : fs) {
        assertThat(f.get()).isEqualTo(200);
      }
      assertThat(server.maxInFlight()).isGreaterThanOrEqualTo(48);
    } finally {
      pool.shutdownNow();
    }
  }

  private JsonNode batchCall(String method, String path, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(10));
    if (contentType != null) {
      r.header("Content-Type", contentType);
    }
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    return path.endsWith("/content") ? JSON.createObjectNode().put("content", resp.body()) : JSON.readTree(resp.body());
  }

  @Test
  void should_run_a_batch_through_upload_create_retrieve_and_content_in_the_documented_shapes() throws Exception {
    // given: a two-line input file; the second line is answered 500 inside the batch
    server.script((n, body) -> body.contains("parcel") ? Behavior.SERVER_ERROR : null);
    String lines = "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":" + INSTRUCT + "}\n"
        + "{\"custom_id\":\"b\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":" + CLASSIFY + "}\n";
    String multipart = "--x\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
        + "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
        + lines + "\r\n--x--\r\n";

    // when
    JsonNode file = batchCall("POST", "/files", "multipart/form-data; boundary=x", multipart.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    JsonNode created = batchCall("POST", "/batches", "application/json",
        ("{\"input_file_id\":\"" + file.path("id").asText() + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}").getBytes());
    String id = created.path("id").asText();
    JsonNode running = batchCall("GET", "/batches/" + id, null, null);
    JsonNode done = batchCall("GET", "/batches/" + id, null, null);
    String output = batchCall("GET", "/files/" + done.path("output_file_id").asText() + "/content", null, null).path("content").asText();
    String errors = batchCall("GET", "/files/" + done.path("error_file_id").asText() + "/content", null, null).path("content").asText();

    // then
    assertThat(file.path("purpose").asText()).isEqualTo("batch");
    assertThat(created.path("status").asText()).isEqualTo("validating");
    assertThat(running.path("status").asText()).isEqualTo("in_progress");
    assertThat(done.path("status").asText()).isEqualTo("completed");
    assertThat(done.path("request_counts").path("completed").asInt()).isEqualTo(1);
    assertThat(done.path("request_counts").path("failed").asInt()).isEqualTo(1);
    JsonNode ok = JSON.readTree(output.strip());
    assertThat(ok.path("custom_id").asText()).isEqualTo("a");
    assertThat(ok.path("response").path("status_code").asInt()).isEqualTo(200);
    assertThat(ok.path("response").path("body").path("choices").path(0).path("message").path("content").asText()).contains("\"examples\"");
    JsonNode failed = JSON.readTree(errors.strip());
    assertThat(failed.path("custom_id").asText()).isEqualTo("b");
    assertThat(failed.path("response").path("status_code").asInt()).isEqualTo(500);
    assertThat(server.batchLinesProcessed()).isEqualTo(2);
  }

  @Test
  void should_write_the_requests_an_expired_batch_did_not_reach_to_its_error_file_as_batch_expired() throws Exception {
    // given: a batch that expires after its first line
    server.expireNextBatchAfter(1);
    String lines = "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":" + INSTRUCT + "}\n"
        + "{\"custom_id\":\"b\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":" + CLASSIFY + "}\n";
    String multipart = "--x\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
        + "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n\r\n" + lines + "\r\n--x--\r\n";
    JsonNode file = batchCall("POST", "/files", "multipart/form-data; boundary=x", multipart.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String id = batchCall("POST", "/batches", "application/json",
        ("{\"input_file_id\":\"" + file.path("id").asText() + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}").getBytes())
        .path("id").asText();

    // when
    batchCall("GET", "/batches/" + id, null, null);
    JsonNode done = batchCall("GET", "/batches/" + id, null, null);

    // then
    assertThat(done.path("status").asText()).isEqualTo("expired");
    JsonNode expired = JSON.readTree(batchCall("GET", "/files/" + done.path("error_file_id").asText() + "/content", null, null)
        .path("content").asText().strip());
    assertThat(expired.path("custom_id").asText()).isEqualTo("b");
    assertThat(expired.path("response").isNull()).isTrue();
    assertThat(expired.path("error").path("code").asText()).isEqualTo("batch_expired");
  }
}
