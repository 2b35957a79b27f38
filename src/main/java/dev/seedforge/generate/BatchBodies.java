package dev.seedforge.generate;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.Map;

/**
 * The body of each batch request line: the very JSON the synchronous path would send. It is
 * produced by LangChain4j's own {@link OpenAiChatModel}, configured as {@link LangChainCaller}
 * configures it, over an HTTP client that keeps the request's body instead of sending it; so model,
 * messages, response_format, temperature, top_p, seed and max_tokens cannot drift between the two
 * modes.
 */
final class BatchBodies {
  private static final ThreadLocal<String> BODY = new ThreadLocal<>();

  private final LangChainCaller requests;
  private final ChatModel model;

  BatchBodies(ModelSettings settings, Map<String, String> env) {
    this.requests = new LangChainCaller(settings, env);
    this.model = OpenAiChatModel.builder()
        .baseUrl(Endpoint.url(settings.provider(), settings.baseUrl()))
        .apiKey("not-sent")
        .modelName(settings.model())
        .timeout(Duration.ofSeconds(settings.timeoutSeconds()))
        .maxRetries(0)
        .httpClientBuilder(new Capture.Builder())
        .build();
  }

  /** The chat-completions body for {@code r}, as the synchronous call would send it. */
  String body(GenerationRequest r) {
    BODY.remove();
    try {
      model.chat(requests.toChatRequest(r));
    } catch (RuntimeException expected) {
      // the capturing client stops every call after taking its body
    }
    String body = BODY.get();
    BODY.remove();
    if (body == null) {
      throw new IllegalStateException("LangChain4j built no request body for request " + r.id());
    }
    return body;
  }

  /** An HTTP client that keeps the body of the request it is given and sends nothing. */
  private static final class Capture implements HttpClient {
    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) throws HttpException {
      BODY.set(request.body());
      throw new HttpException(599, "not sent: body captured for a batch input file");
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
      throw new UnsupportedOperationException("batch requests are never streamed");
    }

    static final class Builder implements HttpClientBuilder {
      private Duration connect;
      private Duration read;

      @Override
      public Duration connectTimeout() {
        return connect;
      }

      @Override
      public Builder connectTimeout(Duration d) {
        connect = d;
        return this;
      }

      @Override
      public Duration readTimeout() {
        return read;
      }

      @Override
      public Builder readTimeout(Duration d) {
        read = d;
        return this;
      }

      @Override
      public HttpClient build() {
        return new Capture();
      }
    }
  }
}
