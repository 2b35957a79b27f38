package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Ollama's native API (/api/chat) through LangChain4j's Ollama module (1.18.1, the newest served
 * here, beside langchain4j-core 1.19.0): checks that the two versions work together for real.
 */
class OllamaNativeTest {
  @Test
  void should_call_ollama_native_chat_and_read_text_usage_and_finish_reason() throws Exception {
    AtomicReference<JsonNode> received = new AtomicReference<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/chat", ex -> {
      received.set(Json.mapper().readTree(ex.getRequestBody().readAllBytes()));
      byte[] out = ("{\"model\":\"llama3.1\",\"created_at\":\"2026-11-24T00:00:00Z\",\"message\":{\"role\":\"assistant\","
          + "\"content\":\"{\\\"examples\\\":[{\\\"text\\\":\\\"Where is parcel 123?\\\"}]}\"},\"done\":true,\"done_reason\":\"stop\","
          + "\"prompt_eval_count\":42,\"eval_count\":9}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    server.start();
    try {
      ModelSettings settings = new ModelSettings("ollama", "llama3.1", "http://127.0.0.1:" + server.getAddress().getPort(), "UNUSED", 5, 1, 1, TaskType.CLASSIFICATION);
      GenerationRequest request = GenerationRequest.of("order_status", "new_example", "t.txt", List.of(),
          List.of(new ChatTurn("system", "You write messages."), new ChatTurn("user", "Write 1.")),
          new GenerationRequest.Params("ollama", "http://localhost:11434", "llama3.1", 0.7, 1.0, 256, 1, "json_schema", 7), 0, 0);

      CallOutcome outcome = new LangChainCaller(settings, Map.of()).call(request);

      assertThat(outcome.ok()).isTrue();
      assertThat(outcome.inputTokens()).isEqualTo(42);
      assertThat(outcome.outputTokens()).isEqualTo(9);
      assertThat(outcome.finishReason()).isEqualTo("stop");
      assertThat(ResponseParser.parse(outcome.text(), TaskType.CLASSIFICATION, false).items()).hasSize(1);
      assertThat(received.get().path("model").asText()).isEqualTo("llama3.1");
      assertThat(received.get().path("messages").get(0).path("role").asText()).isEqualTo("system");
      assertThat(received.get().path("format").isObject()).as("JSON schema sent as Ollama's format").isTrue();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void should_time_out_an_ollama_answer_that_stalls_half_way() throws Exception {
    // given an Ollama that sends the headers and half of its answer, then nothing for 30 s
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/api/chat", ex -> {
      ex.getRequestBody().readAllBytes();
      byte[] out = "{\"model\":\"llama3.1\",\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},\"done\":true}"
          .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out, 0, out.length / 2);
      ex.getResponseBody().flush();
      try {
        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
    });
    server.start();
    try {
      ModelSettings settings = new ModelSettings("ollama", "llama3.1", "http://127.0.0.1:" + server.getAddress().getPort(), "UNUSED", 1, 1, 1,
          TaskType.CLASSIFICATION);
      GenerationRequest request = GenerationRequest.of("order_status", "new_example", "t.txt", List.of(),
          List.of(new ChatTurn("user", "Write 1.")),
          new GenerationRequest.Params("ollama", "http://localhost:11434", "llama3.1", 0.7, 1.0, 256, 1, "text", 7), 0, 0);

      // when
      long start = System.nanoTime();
      CallOutcome outcome = new LangChainCaller(settings, Map.of()).call(request);
      long ms = (System.nanoTime() - start) / 1_000_000;

      // then
      assertThat(outcome.errorKind()).isEqualTo("timeout");
      assertThat(ms).isBetween(900L, 5_000L);
    } finally {
      release.countDown();
      server.stop(0);
    }
  }
}
