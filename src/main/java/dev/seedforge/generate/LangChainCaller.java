package dev.seedforge.generate;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicChatRequestParameters;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import dev.seedforge.util.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Calls the model through LangChain4j's {@link ChatModel}: any OpenAI-compatible endpoint by base
 * URL, or Ollama natively, both over {@link HeaderCapturingHttpClient} (one deadline for the whole
 * call). LangChain4j's own retries are off; this class retries retriable errors (429, 5xx,
 * timeouts, failed connections) with capped exponential backoff and jitter, so the two layers never
 * multiply. A failure is named by {@link CallError}, and its message has every key redacted.
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

  /** The model client. LangChain4j's request and response logging stays off: it would print the bodies. */
  static ChatModel build(ModelSettings s, Map<String, String> env) {
    Duration timeout = Duration.ofSeconds(s.timeoutSeconds());
    if ("ollama".equals(s.provider())) {
      return OllamaChatModel.builder()
          .baseUrl(s.baseUrl() == null ? "http://localhost:11434" : s.baseUrl())
          .modelName(s.model())
          .timeout(timeout)
          .maxRetries(0)
          .httpClientBuilder(HeaderCapturingHttpClient.builder())
          .build();
    }
    String key = Secrets.key(env, s.apiKeyEnv());
    Provider provider = Provider.of(s.provider());
    if (provider == Provider.ANTHROPIC) {
      return AnthropicChatModel.builder()
          .baseUrl(Endpoint.url(s.provider(), s.baseUrl()))
          .apiKey(key)
          .version(Provider.ANTHROPIC_API_VERSION)
          .modelName(s.model())
          .maxTokens(s.maxTokens())
          .timeout(timeout)
          .maxRetries(0)
          .httpClientBuilder(HeaderCapturingHttpClient.builder())
          .build();
    }
    if (provider == Provider.AZURE) {
      // A deployment URL and api-version; the key only in Azure's api-key header, never as a Bearer token.
      return OpenAiChatModel.builder()
          .baseUrl(Provider.azureDeploymentUrl(s.baseUrl(), s.model()))
          .customQueryParams(Map.of("api-version", s.apiVersion()))
          .customHeaders(Map.of("api-key", key == null ? "" : key))
          .modelName(s.model())
          .timeout(timeout)
          .maxRetries(0)
          .httpClientBuilder(HeaderCapturingHttpClient.builder())
          .build();
    }
    return OpenAiChatModel.builder()
        .baseUrl(s.baseUrl() == null ? "https://api.openai.com/v1" : s.baseUrl())
        // Local OpenAI-compatible servers (vLLM, llama.cpp, LM Studio, Ollama /v1) take any key.
        .apiKey(key == null || key.isBlank() ? "no-key" : key)
        .modelName(s.model())
        .timeout(timeout)
        .maxRetries(0)
        // bounds the whole call by the timeout, and keeps the response headers, so a 429's Retry-After is honoured
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
            promptTokens(usage),
            usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount(),
            attempt).withCachedInput(cachedTokens(usage));
      } catch (RuntimeException e) {
        CallError error = CallError.of(e);
        FatalCallException fatal = fatal(error);
        if (fatal != null) {
          throw fatal;
        }
        if (error.retriable() && attempt < settings.maxAttempts()) {
          long told = error.status() > 0 ? HeaderCapturingHttpClient.waitMillis(HeaderCapturingHttpClient.lastResponseHeaders()) : -1;
          if (told >= 0) {
            long wait = Math.min(told, MAX_TOLD_WAIT_MILLIS);
            gate.pause(wait);
            sleep(wait);
          } else {
            sleep(backoff(attempt));
          }
          continue;
        }
        return CallOutcome.failure(request, error.kind(), safeMessage(error.message()), attempt);
      }
    }
  }

  /** Prompt tokens the provider served from its prompt cache (usage.prompt_tokens_details.cached_tokens), 0 when not reported. */
  static long cachedTokens(TokenUsage usage) {
    if (usage instanceof OpenAiTokenUsage u && u.inputTokensDetails() != null && u.inputTokensDetails().cachedTokens() != null) {
      return u.inputTokensDetails().cachedTokens();
    }
    return 0;
  }

  /** A refused key or an unknown model: no retry and no other call can succeed. An HTML page is neither. */
  private FatalCallException fatal(CallError error) {
    if (error.kind().equals(CallError.HTML_RESPONSE)) {
      return null;
    }
    if (error.status() == 401 || error.status() == 403) {
      return new FatalCallException(
          "the endpoint refused the API key (HTTP "
              + error.status()
              + "); check that the environment variable "
              + settings.apiKeyEnv()
              + " holds a valid key for "
              + endpoint()
              + " (llm.api_key_env names the variable)");
    }
    if (error.status() == 404) {
      return new FatalCallException(
          "the endpoint " + endpoint() + " has no model \"" + settings.model() + "\" (HTTP 404); check llm.model or --model");
    }
    return null;
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
    ResponseFormat format = OutputContract.responseFormat(settings.task(), p.responseFormat(), r.grounding() != null);
    if (Provider.of(settings.provider()) == Provider.ANTHROPIC) {
      return anthropicRequest(messages, p, format);
    }
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

  /**
   * The Messages API takes a JSON schema as {@code output_config.format} but has no schema-less JSON
   * mode, so {@code json_object} sends none (the parser still finds the JSON). It has no seed, and
   * current models refuse temperature and top_p together, so top_p goes only when it is not 1.
   */
  private static ChatRequest anthropicRequest(List<ChatMessage> messages, GenerationRequest.Params p, ResponseFormat format) {
    AnthropicChatRequestParameters.Builder params =
        AnthropicChatRequestParameters.builder().modelName(p.model()).temperature(p.temperature()).maxOutputTokens(p.maxTokens());
    if (p.topP() < 1.0) {
      params.topP(p.topP());
    }
    if (format != null && format.jsonSchema() != null) {
      params.responseFormat(format);
    }
    return ChatRequest.builder().messages(messages).parameters(params.build()).build();
  }

  /**
   * Prompt tokens as billed: Anthropic reports cache reads and cache writes apart from
   * {@code input_tokens}, and all three are paid for.
   */
  static int promptTokens(TokenUsage usage) {
    if (usage == null || usage.inputTokenCount() == null) {
      return 0;
    }
    int tokens = usage.inputTokenCount();
    if (usage instanceof AnthropicTokenUsage a) {
      tokens += (a.cacheReadInputTokens() == null ? 0 : a.cacheReadInputTokens())
          + (a.cacheCreationInputTokens() == null ? 0 : a.cacheCreationInputTokens());
    }
    return tokens;
  }

  /** A message fit for failed.jsonl and the terminal: every key redacted, at most 500 characters. */
  static String safeMessage(String message) {
    String m = Secrets.redact(message == null ? "" : message);
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
