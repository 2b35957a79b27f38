package dev.seedforge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Anthropic's Messages API wire format for {@link LoopbackLlmServer}: a {@code POST /v1/messages}
 * body read as the chat request the server already answers, and its chat completion written back
 * as a Messages API reply ({@code content} blocks, {@code stop_reason}, {@code usage.input_tokens}),
 * errors as {@code {"type":"error","error":{"type":…,"message":…}}}.
 */
final class AnthropicWire {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AnthropicWire() {}

  /** The Messages request as chat messages: {@code system} (a string or text blocks) first, then each message's text. */
  static ObjectNode asChatRequest(JsonNode messagesRequest) {
    ObjectNode chat = JSON.createObjectNode();
    chat.put("model", messagesRequest.path("model").asText(""));
    ArrayNode messages = chat.putArray("messages");
    JsonNode system = messagesRequest.path("system");
    String systemText = text(system);
    if (!systemText.isEmpty()) {
      messages.addObject().put("role", "system").put("content", systemText);
    }
    for (JsonNode m : messagesRequest.path("messages")) {
      messages.addObject().put("role", m.path("role").asText("user")).put("content", text(m.path("content")));
    }
    return chat;
  }

  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode block : content) {
      if ("text".equals(block.path("type").asText())) {
        sb.append(block.path("text").asText());
      }
    }
    return sb.toString();
  }

  /** A chat completion (the server's own reply) as a Messages API message. */
  static byte[] asMessage(byte[] chatCompletion) throws IOException {
    JsonNode c = JSON.readTree(chatCompletion);
    JsonNode choice = c.path("choices").path(0);
    ObjectNode out = JSON.createObjectNode();
    out.put("id", "msg_" + c.path("id").asText().replace("chatcmpl-", ""));
    out.put("type", "message");
    out.put("role", "assistant");
    out.put("model", c.path("model").asText());
    ArrayNode content = out.putArray("content");
    content.addObject().put("type", "text").put("text", choice.path("message").path("content").asText(""));
    out.put("stop_reason", "length".equals(choice.path("finish_reason").asText()) ? "max_tokens" : "end_turn");
    out.putNull("stop_sequence");
    ObjectNode usage = out.putObject("usage");
    usage.put("input_tokens", c.path("usage").path("prompt_tokens").asInt());
    usage.put("cache_creation_input_tokens", 0);
    usage.put("cache_read_input_tokens", 0);
    usage.put("output_tokens", c.path("usage").path("completion_tokens").asInt());
    return JSON.writeValueAsBytes(out);
  }

  /** An error body in Anthropic's shape; its type follows the status as Anthropic's documented errors do. */
  static byte[] error(int status, String message) throws IOException {
    String type = switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      case 529, 503 -> "overloaded_error";
      default -> "api_error";
    };
    ObjectNode root = JSON.createObjectNode();
    root.put("type", "error");
    root.putObject("error").put("type", type).put("message", message);
    return JSON.writeValueAsBytes(root);
  }
}
