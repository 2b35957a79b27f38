package dev.seedforge.generate;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Calls the model through LangChain4j's {@link ChatModel}: any OpenAI-compatible endpoint by base
 * URL, or Ollama natively. LangChain4j's own retries are off; this class retries retriable errors
 * (429, 5xx, timeouts) with capped exponential backoff and jitter, so the two layers never multiply.
 */
public final class LangChainCaller implements ModelCaller {
  private final ModelSettings settings;
  private final ChatModel model;
  private final long baseBackoffMillis;
  static final long MAX_TOLD_WAIT_MILLIS = 600_000;

  public LangChainCaller(ModelSettings settings, Map<String, String> env) {
    this(settings, env, 500);
  }

  LangChainCaller(ModelSettings settings, Map<String, String> env, long baseBackoffMillis) {
    this.settings = settings;
    this.baseBackoffMillis = baseBackoffMillis;
    this.model = build(settings, env);
  }

  static ChatModel build(ModelSettings s, Map<String, String> env) {
    Duration timeout = Duration.ofSeconds(s.timeoutSeconds());
    if ("ollama".equals(s.provider())) {
      return OllamaChatModel.builder()
          .baseUrl(s.baseUrl() == null ? "http://localhost:11434" : s.baseUrl())
          .modelName(s.model())
          .timeout(timeout)
          .maxRetries(0)
          .build();
    }
    String key = env.get(s.apiKeyEnv());
    return OpenAiChatModel.builder()
        .baseUrl(s.baseUrl() == null ? "https://api.openai.com/v1" : s.baseUrl())
        // Local OpenAI-compatible servers (vLLM, llama.cpp, LM Studio, Ollama /v1) take any key.
        .apiKey(key == null || key.isBlank() ? "no-key" : key)
        .modelName(s.model())
        .timeout(timeout)
        .maxRetries(0)
        // keeps the response headers, so a 429's Retry-After is honoured
        .httpClientBuilder(HeaderCapturingHttpClient.builder())
        .build();
  }

  /** Hooks that a worker's shared limits put around every attempt. */
  public interface Gate {
    /** Blocks until the next attempt may be sent. */
    void beforeAttempt();

    /** The server asked every client thread to wait {@code millis} before the next request. */
    void pause(long millis);

    /** Before a retry: null when it may be sent, else why not (no room in the budget, or the run stopped). */
    default Refusal refuseRetry() {
      return null;
    }
  }

  /** Why a retry was not sent: a failure kind (budget_exhausted, circuit_open) and the reason. */
  public record Refusal(String kind, String message) {
  }

  private static final Gate OPEN = new Gate() {
    @Override
    public void beforeAttempt() {}

    @Override
    public void pause(long millis) {}
  };

  @Override
  public CallOutcome call(GenerationRequest request) {
    return call(request, OPEN);
  }

  /**
   * One call with its retries. A retriable error whose response says how long to wait (Retry-After,
   * retry-after-ms, or x-ratelimit-reset-* with nothing remaining) waits exactly that, and asks the
   * whole worker to pause; otherwise capped exponential backoff with jitter.
   */
  public CallOutcome call(GenerationRequest request, Gate gate) {
    ChatRequest chat = toChatRequest(request);
    int attempt = 0;
    while (true) {
      attempt++;
      if (attempt > 1) {
        Refusal refused = gate.refuseRetry();
        if (refused != null) {
          return CallOutcome.failure(request, refused.kind(), "retry not sent: " + refused.message(), attempt - 1);
        }
      }
      gate.beforeAttempt();
      HeaderCapturingHttpClient.clearLast();
      try {
        ChatResponse response = model.chat(chat);
        AiMessage ai = response.aiMessage();
        TokenUsage usage = response.tokenUsage();
        String finish = response.finishReason() == null ? null : response.finishReason().name().toLowerCase();
        return CallOutcome.success(
            request,
            ai == null ? null : ai.text(),
            finish,
            usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount(),
            usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount(),
            attempt);
      } catch (AuthenticationException e) {
        throw new FatalCallException(
            "the endpoint refused the API key (HTTP "
                + statusOf(e, 401)
                + "); check that the environment variable "
                + settings.apiKeyEnv()
                + " holds a valid key for "
                + endpoint()
                + " (llm.api_key_env names the variable)");
      } catch (ModelNotFoundException e) {
        throw new FatalCallException(
            "the endpoint " + endpoint() + " has no model \"" + settings.model() + "\" (HTTP 404); check llm.model or --model");
      } catch (RuntimeException e) {
        String kind = kindOf(e);
        if (isRetriable(e) && attempt < settings.maxAttempts()) {
          long told = statusOf(e, 0) > 0 ? HeaderCapturingHttpClient.waitMillis(HeaderCapturingHttpClient.lastResponseHeaders()) : -1;
          if (told >= 0) {
            long wait = Math.min(told, MAX_TOLD_WAIT_MILLIS);
            gate.pause(wait);
            sleep(wait);
          } else {
            sleep(backoff(attempt));
          }
          continue;
        }
        return CallOutcome.failure(request, kind, safeMessage(e), attempt);
      }
    }
  }

  private String endpoint() {
    return Endpoint.url(settings.provider(), settings.baseUrl());
  }

  ChatRequest toChatRequest(GenerationRequest r) {
    List<ChatMessage> messages = new ArrayList<>();
    for (ChatTurn t : r.messages()) {
      switch (t.role()) {
        case "system" -> messages.add(SystemMessage.from(t.content()));
        case "assistant" -> messages.add(AiMessage.from(t.content()));
        default -> messages.add(UserMessage.from(t.content()));
      }
    }
    GenerationRequest.Params p = r.params();
    ResponseFormat format = OutputContract.responseFormat(settings.task(), p.responseFormat());
    if ("ollama".equals(settings.provider())) {
      ChatRequest.Builder b =
          ChatRequest.builder().messages(messages).temperature(p.temperature()).topP(p.topP()).maxOutputTokens(p.maxTokens());
      if (format != null) {
        b.responseFormat(format);
      }
      return b.build();
    }
    OpenAiChatRequestParameters.Builder params =
        OpenAiChatRequestParameters.builder()
            .modelName(p.model())
            .temperature(p.temperature())
            .topP(p.topP())
            .maxOutputTokens(p.maxTokens())
            .seed((int) p.sampleSeed());
    if (format != null) {
      params.responseFormat(format);
    }
    return ChatRequest.builder().messages(messages).parameters(params.build()).build();
  }

  static boolean isRetriable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RetriableException || t instanceof java.net.http.HttpTimeoutException
          || t instanceof java.net.SocketTimeoutException || t instanceof java.io.IOException) {
        return true;
      }
      if (t instanceof HttpException h) {
        int c = h.statusCode();
        return c == 408 || c == 409 || c == 429 || c >= 500;
      }
    }
    return false;
  }

  static String kindOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RateLimitException) {
        return "rate_limited";
      }
      if (t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException
          || t instanceof java.net.SocketTimeoutException) {
        return "timeout";
      }
      if (t instanceof InternalServerException) {
        return "server_error";
      }
      if (t instanceof HttpException h) {
        return h.statusCode() >= 500 ? "server_error" : "http_" + h.statusCode();
      }
      if (t instanceof java.io.IOException) {
        return "connection";
      }
    }
    return "error";
  }

  private static int statusOf(Throwable e, int def) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpException h) {
        return h.statusCode();
      }
    }
    return def;
  }

  /** The error's message, shortened; LangChain4j messages carry response bodies, never request headers. */
  static String safeMessage(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.length() > 500 ? m.substring(0, 500) + "…" : m;
  }

  private long backoff(int attempt) {
    long cap = Math.min(60_000, baseBackoffMillis * (1L << Math.min(attempt - 1, 10)));
    return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off", e);
    }
  }
}
