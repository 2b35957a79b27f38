package dev.seedforge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible chat-completions server on 127.0.0.1 (ephemeral port) for tests and
 * benchmarks, with scriptable, thread-safe fault injection.
 *
 * <p>{@code POST .../chat/completions} (OpenAI, and Azure's deployment paths) and
 * {@code POST .../messages} (Anthropic's Messages API, in its own wire format: {@link AnthropicWire})
 * are served (other paths get an OpenAI-style 404; streaming is not supported), and the Batch API's
 * files and batches endpoints (upload, create, retrieve, cancel, content), whose lines are answered
 * by the same rules as chat calls. By default every request gets a
 * well-formed completion whose content is {@code {"examples":[...]}} with as many examples as the
 * system prompt asks for ("Return exactly N new examples"), deterministic from the request body.
 *
 * <p>How a request's behaviour is chosen, first match wins:
 *
 * <ol>
 *   <li>the {@link #script(Script) script}, if set and it returns non-null;
 *   <li>the required API key ({@link #requireApiKey}) → {@link Behavior#UNAUTHORIZED}, and the
 *       known models ({@link #knownModels}) → {@link Behavior#MODEL_NOT_FOUND};
 *   <li>the server-side rate limit ({@link #rateLimitPerMinute}) → {@link Behavior#RATE_LIMIT};
 *   <li>queued behaviours ({@link #next(Behavior, int)}), in FIFO order;
 *   <li>probabilities ({@link #withProbability}); the draw is a pure function of the seed and the
 *       request number, so runs are reproducible;
 *   <li>{@link Behavior#OK}.
 * </ol>
 *
 * <p>A fixed {@link #latencyMillis latency} is added before every answer.
 */
public final class LoopbackLlmServer implements AutoCloseable {

  /** What the server does with one request. */
  public enum Behavior {
    /** 200, well-formed examples JSON, finish_reason "stop". */
    OK,
    /** 429 with Retry-After and x-ratelimit-* headers. */
    RATE_LIMIT,
    /** 500 with an OpenAI server_error body. */
    SERVER_ERROR,
    /** 503 with an OpenAI "overloaded" body. */
    SERVICE_UNAVAILABLE,
    /** Accept and never answer (until {@link #hangMillis} passes, then answer OK, or until close). */
    HANG,
    /** 200, finish_reason "length", the examples JSON cut in half. */
    TRUNCATED,
    /** 200, prose without any JSON. */
    PROSE,
    /** 200, JSON with unbalanced braces and a syntax error (no complete JSON value). */
    MALFORMED_JSON,
    /** 200, the examples JSON inside a ```json fence with prose around it. */
    FENCED,
    /** 200, empty content. */
    EMPTY,
    /** 401 with OpenAI's invalid_api_key body. */
    UNAUTHORIZED,
    /** 404 with OpenAI's model_not_found body. */
    MODEL_NOT_FOUND,
    /** 200, the same few examples whatever was asked (a model that repeats itself). */
    REPEAT,
    /**
     * 200 and the first half of a well-formed completion, then nothing: until {@link #hangMillis}
     * passes (then the rest), or until close.
     */
    STALL_BODY,
    /** 400 with OpenAI's invalid_request_error body. */
    BAD_REQUEST,
    /** 200 with a plain-text body that is not JSON. */
    NOT_JSON,
    /** 200 with an HTML page (text/html), as a captive portal answers. */
    HTML_PAGE,
    /** 403 with an HTML login page (text/html), as a proxy that wants a sign-in answers. */
    HTML_LOGIN,
    /** Closes the connection without answering. */
    DROP
  }

  /** Picks a behaviour for request number {@code n} (1-based) with body {@code body}; null = default rules. */
  @FunctionalInterface
  public interface Script {
    Behavior choose(int n, String body);
  }

  /** Writes the content of an OK answer from the request's system and user messages; null = the built-in examples. */
  @FunctionalInterface
  public interface Responder {
    String content(String system, String user);
  }

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed
    // ACK and every small response waits ~40 ms. Read once, when the first HttpServer is created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern EXACTLY = Pattern.compile("Return exactly (\\d+)");
  private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z'-]{3,}");
  private static final Pattern NOUN =
      Pattern.compile("(?i)\\b(?:my|the|your|our|a|an|his|her|their|new)\\s+([A-Za-z][A-Za-z-]{3,})");

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final long seed;
  private final Object lock = new Object();

  // configuration
  private volatile long latencyMillis;
  private volatile long hangMillis;
  private volatile int retryAfterSeconds = 1;
  private volatile Script script;
  private volatile String requiredApiKey;
  private volatile Set<String> knownModels;
  private final Deque<Behavior> queued = new ArrayDeque<>(); // guarded by lock
  private final EnumMap<Behavior, Double> probabilities = new EnumMap<>(Behavior.class); // guarded by lock
  private int rateLimitPerMinute; // guarded by lock; 0 = off
  private double bucketCapacity; // guarded by lock
  private double bucketTokens; // guarded by lock
  private long bucketRefilledNanos; // guarded by lock
  private volatile int keepBodies = 1000;
  private volatile boolean echoApiKey;
  private volatile Responder responder;

  // counters
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger tooManyRequests = new AtomicInteger();
  private final AtomicInteger limiterRejections = new AtomicInteger();
  private final AtomicInteger handlerErrors = new AtomicInteger();
  private final AtomicLong billedPrompt = new AtomicLong();
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> completedBodies = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong repeatedCompletions = new AtomicLong();
  private final java.util.Set<String> stalledBodies = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicLong repeatedAfterStall = new AtomicLong();
  private final AtomicLong billedCompletion = new AtomicLong();
  private final AtomicInteger azureKeyHeaders = new AtomicInteger();
  private final long startNanos = System.nanoTime();
  private final List<Long> arrivals = new ArrayList<>(); // guarded by itself
  private volatile RuntimeException lastHandlerError;
  private final Map<Behavior, AtomicLong> counts = new EnumMap<>(Behavior.class);
  private final Deque<String> bodies = new ArrayDeque<>(); // guarded by itself

  /**
   * The judge responder's answer for one candidate: a score and a label (either may be null), and a
   * rationale. {@link #NO_VERDICT} leaves the candidate out of the reply.
   */
  public record JudgeAnswer(Double score, String label, String rationale) {}

  /** Leaves a candidate out of the judge's reply, as a model that skips one does. */
  public static final JudgeAnswer NO_VERDICT = new JudgeAnswer(null, null, "(no verdict)");

  private static final Pattern JUDGE_ITEM = Pattern.compile("(?m)^\\[(\\d+)] (.*)$");
  private volatile java.util.function.Function<String, JudgeAnswer> judgeAnswers;
  private final AtomicInteger judgeRequests = new AtomicInteger();

  /**
   * Answers judge prompts (a system message that opens "You are a strict judge") with one verdict
   * per numbered candidate of the user message, as {@code answers} says for the candidate's text
   * (its {@code text} field, or {@code output} for instructions). Other behaviours (queued,
   * scripted, probabilities) still apply to judge requests.
   */
  public LoopbackLlmServer judge(java.util.function.Function<String, JudgeAnswer> answers) {
    this.judgeAnswers = answers;
    return this;
  }

  /** Requests whose system message is a judge prompt, every attempt counted. */
  public int judgeRequests() {
    return judgeRequests.get();
  }

  static boolean isJudgePrompt(String body) {
    return body.contains("You are a strict judge of synthetic training data");
  }

  private String judgeJson(String user) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode arr = root.putArray("verdicts");
    Matcher m = JUDGE_ITEM.matcher(user);
    while (m.find()) {
      // classification candidates are shown as plain text, instruction candidates as JSON fields
      String shown = m.group(2);
      JsonNode fields = shown.startsWith("{\"instruction\"") ? JSON.readTree(shown) : null;
      String text = fields == null ? shown : fields.path("output").asText();
      JudgeAnswer a = judgeAnswers.apply(text);
      if (a == null || a == NO_VERDICT) {
        continue;
      }
      ObjectNode v = arr.addObject();
      v.put("id", Integer.parseInt(m.group(1)));
      if (a.score() != null) {
        v.put("score", a.score());
      }
      if (a.label() != null) {
        v.put("label", a.label());
      }
      v.put("rationale", a.rationale() == null ? "" : a.rationale());
    }
    return JSON.writeValueAsString(root);
  }

  /** A server with seed 42. */
  public LoopbackLlmServer() {
    this(42L);
  }

  /** A server whose probabilistic behaviours draw from {@code seed}. */
  public LoopbackLlmServer(long seed) {
    this(seed, 0);
  }

  /** The same on loopback port {@code port} (0: any free one), for a run a later JVM repeats with the same base URL. */
  public LoopbackLlmServer(long seed, int port) {
    this.seed = seed;
    for (Behavior b : Behavior.values()) {
      counts.put(b, new AtomicLong());
    }
    AtomicInteger threadNo = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            16,
            1024,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "loopback-llm-" + threadNo.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new IllegalStateException("could not bind a loopback port", e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  // ---------------------------------------------------------------- addresses

  public int port() {
    return server.getAddress().getPort();
  }

  /** "http://127.0.0.1:PORT/v1", the base URL an OpenAI client needs. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  // ---------------------------------------------------------------- configuration (fluent)

  /** Delay before every answer. */
  public LoopbackLlmServer latencyMillis(long ms) {
    this.latencyMillis = Math.max(0, ms);
    return this;
  }

  /** How long {@link Behavior#HANG} holds a request before answering OK; 0 (default) = until close. */
  public LoopbackLlmServer hangMillis(long ms) {
    this.hangMillis = Math.max(0, ms);
    return this;
  }

  /** The Retry-After value (seconds) sent with scripted/queued/probabilistic 429s. */
  public LoopbackLlmServer retryAfterSeconds(int seconds) {
    this.retryAfterSeconds = Math.max(0, seconds);
    return this;
  }

  /** The next {@code k} requests (after script, auth and rate limit) get {@code behavior}. */
  public LoopbackLlmServer next(Behavior behavior, int k) {
    synchronized (lock) {
      for (int i = 0; i < k; i++) {
        queued.addLast(behavior);
      }
    }
    return this;
  }

  /** Each request (that no earlier rule decided) gets {@code behavior} with probability {@code p}; 0 removes it. */
  public LoopbackLlmServer withProbability(Behavior behavior, double p) {
    synchronized (lock) {
      if (p <= 0) {
        probabilities.remove(behavior);
      } else {
        probabilities.put(behavior, p);
      }
      double sum = probabilities.values().stream().mapToDouble(Double::doubleValue).sum();
      if (sum > 1.0 + 1e-9) {
        throw new IllegalArgumentException("probabilities add up to " + sum + " > 1");
      }
    }
    return this;
  }

  /**
   * A server-side token bucket: {@code rpm} requests per minute, refilled continuously, holding at
   * most {@code max(1, rpm / 60)} tokens (one second's worth); requests over it get 429. 0 = off.
   */
  public LoopbackLlmServer rateLimitPerMinute(int rpm) {
    return rateLimitPerMinute(rpm, Math.max(1, rpm / 60.0));
  }

  /** As {@link #rateLimitPerMinute(int)}, with an explicit bucket size (burst). */
  public LoopbackLlmServer rateLimitPerMinute(int rpm, double burst) {
    synchronized (lock) {
      this.rateLimitPerMinute = Math.max(0, rpm);
      this.bucketCapacity = Math.max(1, burst);
      this.bucketTokens = bucketCapacity;
      this.bucketRefilledNanos = System.nanoTime();
    }
    return this;
  }

  /** Per-request script, consulted first; null removes it. */
  public LoopbackLlmServer script(Script script) {
    this.script = script;
    return this;
  }

  /** Answers OK requests with what {@code responder} writes (the other behaviours shape it as usual); null removes it. */
  public LoopbackLlmServer responder(Responder responder) {
    this.responder = responder;
    return this;
  }

  /** Requests whose "Authorization: Bearer" key differs get 401; null = any key. */
  public LoopbackLlmServer requireApiKey(String key) {
    this.requiredApiKey = key;
    return this;
  }

  /** Requests for any other model get 404 model_not_found; none = any model. */
  public LoopbackLlmServer knownModels(String... models) {
    this.knownModels = models.length == 0 ? null : Set.of(models);
    return this;
  }

  /**
   * Error bodies (400, 401, 5xx) quote the request's Authorization and api-key headers in full, as a
   * careless gateway does: the key comes back in the error text.
   */
  public LoopbackLlmServer echoApiKey(boolean echo) {
    this.echoApiKey = echo;
    return this;
  }

  /** How many request bodies {@link #requestBodies()} keeps (the most recent). */
  public LoopbackLlmServer keepBodies(int n) {
    this.keepBodies = Math.max(0, n);
    return this;
  }

  /** Clears faults, script, limits, latency, auth and model checks (not the counters). */
  public LoopbackLlmServer resetFaults() {
    synchronized (lock) {
      queued.clear();
      probabilities.clear();
      rateLimitPerMinute = 0;
    }
    latencyMillis = 0;
    hangMillis = 0;
    retryAfterSeconds = 1;
    echoApiKey = false;
    script = null;
    requiredApiKey = null;
    knownModels = null;
    return this;
  }

  /** Sets every counter back to zero and forgets the stored bodies. */
  public LoopbackLlmServer resetCounters() {
    requests.set(0);
    judgeRequests.set(0);
    maxInFlight.set(inFlight.get());
    tooManyRequests.set(0);
    limiterRejections.set(0);
    handlerErrors.set(0);
    billedPrompt.set(0);
    billedCompletion.set(0);
    azureKeyHeaders.set(0);
    counts.values().forEach(c -> c.set(0));
    synchronized (bodies) {
      bodies.clear();
    }
    synchronized (arrivals) {
      arrivals.clear();
    }
    return this;
  }

  // ---------------------------------------------------------------- counters

  /** Prompt tokens of every answer sent (the usage it reported): what a provider would bill. */
  public long billedPromptTokens() {
    return billedPrompt.get();
  }

  /**
   * Answers generated for a request body that had been answered before: what a provider would
   * bill twice (the client never got the first answer: it was killed, or the body stalled).
   */
  public long repeatedCompletions() {
    return repeatedCompletions.get();
  }

  /** Of {@link #repeatedCompletions()}, those for a body whose body was stalled once (the client could never read that answer). */
  public long repeatedAfterStall() {
    return repeatedAfterStall.get();
  }

  /** Completion tokens of every answer sent (the usage it reported). */
  public long billedCompletionTokens() {
    return billedCompletion.get();
  }

  /**
   * When each chat-completion request arrived, in milliseconds since the server started, in
   * arrival order: tests count the requests sent while others were stalled.
   */
  public List<Long> arrivalMillis() {
    synchronized (arrivals) {
      return List.copyOf(arrivals);
    }
  }

  /** Milliseconds since the server started, on the clock of {@link #arrivalMillis()}. */
  public long nowMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Requests (any path) that carried Azure's {@code api-key} header. */
  public int azureKeyHeaders() {
    return azureKeyHeaders.get();
  }

  /** Chat-completion requests received (any outcome). */
  public int requestCount() {
    return requests.get();
  }

  /** How many requests were answered (or held) with {@code b}. */
  public long count(Behavior b) {
    return counts.get(b).get();
  }

  /** A snapshot of {@link #count} for every behaviour. */
  public Map<Behavior, Long> counts() {
    Map<Behavior, Long> m = new EnumMap<>(Behavior.class);
    counts.forEach((k, v) -> m.put(k, v.get()));
    return Collections.unmodifiableMap(m);
  }

  /** Requests being handled right now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** The most requests handled at once since start (or {@link #resetCounters}). */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** Every 429 sent, whatever decided it. */
  public int tooManyRequestsSent() {
    return tooManyRequests.get();
  }

  /** The 429s sent because the server-side rate limit was exceeded. */
  public int rateLimiterRejections() {
    return limiterRejections.get();
  }

  /** Requests dropped because the handler (or a script) threw; see {@link #lastHandlerError}. */
  public int handlerErrors() {
    return handlerErrors.get();
  }

  public RuntimeException lastHandlerError() {
    return lastHandlerError;
  }

  /** The most recent request bodies (at most {@link #keepBodies}), oldest first. */
  public List<String> requestBodies() {
    synchronized (bodies) {
      return List.copyOf(bodies);
    }
  }

  /** The most recent request body, or null. */
  public String lastRequestBody() {
    synchronized (bodies) {
      return bodies.peekLast();
    }
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- prompt cache

  private volatile int promptCacheBlock;
  private final AtomicLong billedCachedPrompt = new AtomicLong();

  /**
   * Reports a provider's prompt cache in every answer's usage: {@code
   * prompt_tokens_details.cached_tokens} is the prompt's tokens rounded down to whole blocks of
   * {@code block} tokens (OpenAI caches prefixes in steps of 128 from 1,024), 0 below one block.
   */
  public LoopbackLlmServer promptCacheBlock(int block) {
    promptCacheBlock = block;
    return this;
  }

  /** Prompt tokens the answers reported as served from the prompt cache. */
  public long billedCachedPromptTokens() {
    return billedCachedPrompt.get();
  }

  private int promptCacheTokens(int prompt) {
    int block = promptCacheBlock;
    return block <= 0 ? 0 : prompt / block * block;
  }

  // ---------------------------------------------------------------- batch API

  private final BatchApi batchApi = new BatchApi();

  /**
   * Batches advance when they are retrieved: the first retrieve after creation moves a batch from
   * validating to in_progress, each later one processes up to {@code n} of its lines (default:
   * all). Each line is answered as a chat call would be (the same rules and scripts choose its
   * behaviour): 200 with a completion, or its error status and body in the error file.
   */
  public LoopbackLlmServer batchLinesPerPoll(int n) {
    batchApi.linesPerPoll = n;
    return this;
  }

  /** The next batch created expires after processing {@code lines} of its lines: the rest go to its error file as batch_expired. */
  public LoopbackLlmServer expireNextBatchAfter(int lines) {
    synchronized (batchApi) {
      batchApi.expireAfter.addLast(lines);
    }
    return this;
  }

  /** The provider's limits per batch input file: more requests or bytes fail the batch's validation. */
  public LoopbackLlmServer batchLimits(int maxRequests, long maxBytes) {
    batchApi.maxRequests = maxRequests;
    batchApi.maxBytes = maxBytes;
    return this;
  }

  /** Batches created (POST /batches accepted). */
  public int batchesCreated() {
    return batchApi.created.get();
  }

  /** Request lines in every batch created, resubmissions included. */
  public long batchLinesSubmitted() {
    return batchApi.linesSubmitted.get();
  }

  /** Request lines processed (answered or failed): what the provider bills or reports per line. */
  public long batchLinesProcessed() {
    return batchApi.linesProcessed.get();
  }

  /** custom_ids answered with a completion more than once, over every batch: requests paid twice. */
  public long batchRequestsAnsweredTwice() {
    return batchApi.answeredTwice.get();
  }

  /** Request lines an expired batch left unprocessed (written to its error file as batch_expired). */
  public long batchLinesExpired() {
    return batchApi.linesExpired.get();
  }

  /** The largest batch created, in request lines. */
  public int largestBatch() {
    return batchApi.largest.get();
  }

  /** Batch API calls of each kind: upload, create, retrieve, cancel, content. */
  public Map<String, Integer> batchCalls() {
    synchronized (batchApi) {
      return Map.copyOf(batchApi.calls);
    }
  }

  /** The body of every line submitted in a batch, in order, resubmissions included. */
  public List<String> batchBodies() {
    synchronized (batchApi) {
      return List.copyOf(batchApi.bodies);
    }
  }

  /** One batch as the server keeps it. */
  private static final class ServerBatch {
    final String id;
    final String inputFileId;
    final String endpoint;
    final String window;
    final long createdAt = System.currentTimeMillis() / 1000;
    final List<JsonNode> lines;
    final int expireAfter;
    final StringBuilder output = new StringBuilder();
    final StringBuilder errors = new StringBuilder();
    String status = "validating";
    String validationError;
    int next;
    int completed;
    int failed;
    long inProgressAt;
    String outputFileId;
    String errorFileId;

    ServerBatch(String id, String inputFileId, String endpoint, String window, List<JsonNode> lines, int expireAfter) {
      this.id = id;
      this.inputFileId = inputFileId;
      this.endpoint = endpoint;
      this.window = window;
      this.lines = lines;
      this.expireAfter = expireAfter;
    }
  }

  /** The files and batches endpoints of OpenAI's Batch API (and Azure's v1 API, the same paths under /openai/v1). */
  private final class BatchApi {
    volatile int linesPerPoll = Integer.MAX_VALUE;
    volatile int maxRequests = 50_000;
    volatile long maxBytes = 200L * 1024 * 1024;
    final Deque<Integer> expireAfter = new ArrayDeque<>(); // guarded by this
    final Map<String, byte[]> files = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, ServerBatch> batches = new java.util.LinkedHashMap<>(); // guarded by this
    final Map<String, Integer> calls = new java.util.TreeMap<>(); // guarded by this
    final List<String> bodies = new ArrayList<>(); // guarded by this
    final Set<String> answered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final AtomicInteger created = new AtomicInteger();
    final AtomicInteger largest = new AtomicInteger();
    final AtomicLong linesSubmitted = new AtomicLong();
    final AtomicLong linesProcessed = new AtomicLong();
    final AtomicLong answeredTwice = new AtomicLong();
    final AtomicLong linesExpired = new AtomicLong();
    final AtomicInteger ids = new AtomicInteger();

    /** Serves {@code path} if it is a files or batches endpoint; false otherwise. */
    boolean serves(HttpExchange ex, String path) throws IOException {
      String method = ex.getRequestMethod();
      Matcher content = Pattern.compile(".*/files/([^/]+)/content").matcher(path);
      Matcher batch = Pattern.compile(".*/batches/([^/]+)(/cancel)?").matcher(path);
      if ("POST".equals(method) && path.endsWith("/files")) {
        count("upload");
        upload(ex);
      } else if ("POST".equals(method) && path.endsWith("/batches")) {
        count("create");
        create(ex);
      } else if ("GET".equals(method) && content.matches()) {
        count("content");
        byte[] f = files.get(content.group(1));
        if (f == null) {
          sendError(ex, 404, "No such File object: " + content.group(1), "invalid_request_error", null, Map.of());
        } else {
          ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
          ex.sendResponseHeaders(200, f.length == 0 ? -1 : f.length);
          ex.getResponseBody().write(f);
        }
      } else if (batch.matches() && ("GET".equals(method) || "POST".equals(method) && batch.group(2) != null)) {
        count(batch.group(2) == null ? "retrieve" : "cancel");
        drain(ex.getRequestBody());
        ObjectNode out;
        synchronized (this) {
          ServerBatch b = batches.get(batch.group(1));
          if (b == null) {
            out = null;
          } else {
            if (batch.group(2) != null) {
              if (!b.status.equals("completed") && !b.status.equals("failed") && !b.status.equals("expired")) {
                b.status = b.status.equals("cancelled") ? "cancelled" : "cancelling";
              }
            } else {
              advance(b);
            }
            out = json(b);
          }
        }
        if (out == null) {
          sendError(ex, 404, "No batch found with id '" + batch.group(1) + "'.", "invalid_request_error", null, Map.of());
        } else {
          send(ex, 200, JSON.writeValueAsBytes(out), Map.of());
        }
      } else {
        return false;
      }
      return true;
    }

    private synchronized void count(String kind) {
      calls.merge(kind, 1, Integer::sum);
    }

    private void upload(HttpExchange ex) throws IOException {
      byte[] body = ex.getRequestBody().readAllBytes();
      String type = ex.getRequestHeaders().getFirst("Content-Type");
      Matcher m = Pattern.compile("boundary=\"?([^\";]+)").matcher(type == null ? "" : type);
      String raw = new String(body, StandardCharsets.ISO_8859_1);
      String file = null;
      String purpose = null;
      if (m.find()) {
        for (String part : raw.split(Pattern.quote("--" + m.group(1)))) {
          int split = part.indexOf("\r\n\r\n");
          if (split < 0) {
            continue;
          }
          String headers = part.substring(0, split);
          String value = part.substring(split + 4, part.endsWith("\r\n") ? part.length() - 2 : part.length());
          if (headers.contains("name=\"file\"")) {
            file = value;
          } else if (headers.contains("name=\"purpose\"")) {
            purpose = value;
          }
        }
      }
      if (file == null || !"batch".equals(purpose)) {
        sendError(ex, 400, "A multipart body with a 'file' and purpose 'batch' is required.", "invalid_request_error", null, Map.of());
        return;
      }
      String id = "file-" + ids.incrementAndGet();
      files.put(id, file.getBytes(StandardCharsets.ISO_8859_1));
      ObjectNode out = JSON.createObjectNode();
      out.put("id", id);
      out.put("object", "file");
      out.put("bytes", files.get(id).length);
      out.put("created_at", System.currentTimeMillis() / 1000);
      out.put("filename", "input.jsonl");
      out.put("purpose", "batch");
      send(ex, 200, JSON.writeValueAsBytes(out), Map.of());
    }

    private void create(HttpExchange ex) throws IOException {
      JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
      String fileId = req.path("input_file_id").asText();
      byte[] file = files.get(fileId);
      if (file == null) {
        sendError(ex, 400, "Invalid 'input_file_id': '" + fileId + "'.", "invalid_request_error", null, Map.of());
        return;
      }
      String endpoint = req.path("endpoint").asText();
      List<JsonNode> lines = new ArrayList<>();
      String invalid = null;
      Set<String> seen = new java.util.HashSet<>();
      String[] raw = new String(file, StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i < raw.length && invalid == null; i++) {
        if (raw[i].isBlank()) {
          continue;
        }
        JsonNode line;
        try {
          line = JSON.readTree(raw[i]);
        } catch (IOException e) {
          invalid = "line " + (i + 1) + " is not JSON";
          continue;
        }
        if (!seen.add(line.path("custom_id").asText())) {
          invalid = "line " + (i + 1) + ": duplicate custom_id";
        } else if (!"POST".equals(line.path("method").asText()) || !endpoint.equals(line.path("url").asText())
            || !line.path("body").isObject() || line.path("body").path("model").asText("").isEmpty()) {
          invalid = "line " + (i + 1) + ": method, url (the batch's endpoint) and body with a model are required";
        }
        lines.add(line);
      }
      if (invalid == null && lines.size() > maxRequests) {
        invalid = "the file has " + lines.size() + " requests, more than the limit of " + maxRequests;
      }
      if (invalid == null && file.length > maxBytes) {
        invalid = "the file has " + file.length + " bytes, more than the limit of " + maxBytes;
      }
      ServerBatch b;
      synchronized (this) {
        Integer expire = expireAfter.pollFirst();
        b = new ServerBatch("batch_" + ids.incrementAndGet(), fileId, endpoint, req.path("completion_window").asText("24h"), lines,
            expire == null ? -1 : expire);
        b.validationError = invalid;
        batches.put(b.id, b);
        for (JsonNode l : lines) {
          bodies.add(l.path("body").toString());
        }
      }
      created.incrementAndGet();
      largest.accumulateAndGet(lines.size(), Math::max);
      linesSubmitted.addAndGet(lines.size());
      send(ex, 200, JSON.writeValueAsBytes(json(b)), Map.of());
    }

    /** Guarded by this. One step of the batch's life, taken when it is retrieved. */
    private void advance(ServerBatch b) throws IOException {
      switch (b.status) {
        case "validating" -> {
          if (b.validationError != null) {
            b.status = "failed";
          } else {
            b.status = "in_progress";
            b.inProgressAt = System.currentTimeMillis() / 1000;
          }
        }
        case "in_progress" -> {
          int end = (int) Math.min(b.lines.size(), (long) b.next + linesPerPoll);
          while (b.next < end) {
            if (b.expireAfter >= 0 && b.next >= b.expireAfter) {
              for (int i = b.next; i < b.lines.size(); i++) {
                ObjectNode line = JSON.createObjectNode();
                line.put("id", "batch_req_" + b.id + "_" + i);
                line.put("custom_id", b.lines.get(i).path("custom_id").asText());
                line.putNull("response");
                ObjectNode error = line.putObject("error");
                error.put("code", "batch_expired");
                error.put("message", "This request could not be executed before the completion window expired.");
                b.errors.append(JSON.writeValueAsString(line)).append('\n');
                linesExpired.incrementAndGet();
              }
              b.next = b.lines.size();
              b.status = "expired";
              finish(b);
              return;
            }
            process(b, b.next++);
          }
          if (b.next >= b.lines.size()) {
            b.status = "completed";
            finish(b);
          }
        }
        case "cancelling" -> {
          b.status = "cancelled";
          finish(b);
        }
        default -> {
          // ended: nothing changes any more
        }
      }
    }

    /** Guarded by this. Answers line {@code i} as a chat call to the same server would be answered. */
    private void process(ServerBatch b, int i) throws IOException {
      JsonNode line = b.lines.get(i);
      JsonNode req = line.path("body");
      String body = req.toString();
      linesProcessed.incrementAndGet();
      int n = requests.incrementAndGet();
      remember(body);
      String model = req.path("model").asText("");
      Behavior behavior = choose(n, body, model, null).behavior();
      counts.get(behavior).incrementAndGet();
      ObjectNode out = JSON.createObjectNode();
      out.put("id", "batch_req_" + b.id + "_" + i);
      String customId = line.path("custom_id").asText();
      out.put("custom_id", customId);
      ObjectNode response = out.putObject("response");
      response.put("request_id", "req_" + b.id + "_" + i);
      int status = switch (behavior) {
        case RATE_LIMIT -> 429;
        case SERVER_ERROR -> 500;
        case SERVICE_UNAVAILABLE -> 503;
        case BAD_REQUEST -> 400;
        case UNAUTHORIZED -> 401;
        case MODEL_NOT_FOUND -> 404;
        default -> 200;
      };
      response.put("status_code", status);
      if (status == 200) {
        Behavior content = switch (behavior) {
          case HANG, STALL_BODY, DROP, NOT_JSON, HTML_PAGE, HTML_LOGIN -> Behavior.OK;
          default -> behavior;
        };
        response.set("body", JSON.readTree(completion(n, body, req, model, content)));
        out.putNull("error");
        b.completed++;
        if (!answered.add(customId)) {
          answeredTwice.incrementAndGet();
        }
        b.output.append(JSON.writeValueAsString(out)).append('\n');
      } else {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode e = error.putObject("error");
        e.put("message", status == 500 ? "The server had an error while processing your request." : "Request failed with status " + status + ".");
        e.put("type", status >= 500 ? "server_error" : "invalid_request_error");
        response.set("body", error);
        out.putNull("error");
        b.failed++;
        b.errors.append(JSON.writeValueAsString(out)).append('\n');
      }
    }

    /** Guarded by this. Writes the output and error files of an ended batch. */
    private void finish(ServerBatch b) {
      if (b.output.length() > 0) {
        b.outputFileId = "file-" + ids.incrementAndGet();
        files.put(b.outputFileId, b.output.toString().getBytes(StandardCharsets.UTF_8));
      }
      if (b.errors.length() > 0) {
        b.errorFileId = "file-" + ids.incrementAndGet();
        files.put(b.errorFileId, b.errors.toString().getBytes(StandardCharsets.UTF_8));
      }
    }

    private ObjectNode json(ServerBatch b) {
      ObjectNode out = JSON.createObjectNode();
      out.put("id", b.id);
      out.put("object", "batch");
      out.put("endpoint", b.endpoint);
      if (b.status.equals("failed") && b.validationError != null) {
        ObjectNode errors = out.putObject("errors");
        errors.put("object", "list");
        ObjectNode e = errors.putArray("data").addObject();
        e.put("code", "invalid_request");
        e.put("message", b.validationError);
      } else {
        out.putNull("errors");
      }
      out.put("input_file_id", b.inputFileId);
      out.put("completion_window", b.window);
      out.put("status", b.status);
      if (b.outputFileId == null) {
        out.putNull("output_file_id");
      } else {
        out.put("output_file_id", b.outputFileId);
      }
      if (b.errorFileId == null) {
        out.putNull("error_file_id");
      } else {
        out.put("error_file_id", b.errorFileId);
      }
      out.put("created_at", b.createdAt);
      if (b.inProgressAt > 0) {
        out.put("in_progress_at", b.inProgressAt);
      } else {
        out.putNull("in_progress_at");
      }
      out.put("expires_at", b.createdAt + 86_400);
      ObjectNode counts = out.putObject("request_counts");
      counts.put("total", b.status.equals("validating") || b.status.equals("failed") ? 0 : b.lines.size());
      counts.put("completed", b.completed);
      counts.put("failed", b.failed);
      return out;
    }
  }

  // ---------------------------------------------------------------- handling

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (ex.getRequestHeaders().containsKey("api-key")) {
        azureKeyHeaders.incrementAndGet();
      }
      String path = ex.getRequestURI().getPath();
      if ("GET".equals(ex.getRequestMethod()) && path.endsWith("/models")) {
        serveModelList(ex);
        return;
      }
      if (batchApi.serves(ex, path)) {
        return;
      }
      boolean messagesApi = "POST".equals(ex.getRequestMethod()) && path.endsWith("/messages");
      if (messagesApi) {
        ex.setAttribute(DIALECT, ANTHROPIC);
        anthropicRequests.incrementAndGet();
      }
      if (!messagesApi && (!"POST".equals(ex.getRequestMethod()) || !path.endsWith("/chat/completions"))) {
        drain(ex.getRequestBody());
        sendError(ex, 404, "Unknown request URL: " + ex.getRequestMethod() + " " + path, "invalid_request_error", "unknown_url", Map.of());
        return;
      }
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      try {
        serve(ex);
      } finally {
        inFlight.decrementAndGet();
      }
    } catch (IOException e) {
      // the client went away (e.g. timed out on a hung request), or DROP: nothing to answer
    } catch (RuntimeException e) {
      // a bug in the server or in a script: make it visible instead of a silently dropped connection
      handlerErrors.incrementAndGet();
      lastHandlerError = e;
    }
  }

  private static final String DIALECT = "loopback.dialect";
  private static final String ANTHROPIC = "anthropic";
  private final AtomicInteger anthropicRequests = new AtomicInteger();
  private final AtomicInteger bearerHeaders = new AtomicInteger();
  private volatile String lastQuery;

  /** The reply in the wire format the request came in: a chat completion, or an Anthropic message. */
  private static byte[] inDialect(HttpExchange ex, byte[] chatCompletion) throws IOException {
    return ANTHROPIC.equals(ex.getAttribute(DIALECT)) ? AnthropicWire.asMessage(chatCompletion) : chatCompletion;
  }

  /** The key as each provider sends it: {@code Authorization: Bearer}, Azure's {@code api-key}, Anthropic's {@code x-api-key}. */
  private static String presentedKey(HttpExchange ex) {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.startsWith("Bearer ")) {
      return auth.substring(7);
    }
    String azure = ex.getRequestHeaders().getFirst("api-key");
    return azure != null ? azure : ex.getRequestHeaders().getFirst("x-api-key");
  }

  /** Requests that came to Anthropic's {@code POST /v1/messages} (also counted in {@link #requestCount()}). */
  public int anthropicRequests() {
    return anthropicRequests.get();
  }

  /** Chat requests that carried an {@code Authorization} header. */
  public int bearerHeaders() {
    return bearerHeaders.get();
  }

  /** The query string of the last chat request (Azure's {@code api-version=…}), or null. */
  public String lastQuery() {
    return lastQuery;
  }

  /** GET /v1/models: the free listing clients use to check a key; counted apart from chat calls. */
  private void serveModelList(HttpExchange ex) throws IOException {
    modelListRequests.incrementAndGet();
    String key = presentedKey(ex);
    if (requiredApiKey != null && !requiredApiKey.equals(key)) {
      sendError(ex, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key", Map.of());
      return;
    }
    byte[] out = "{\"object\":\"list\",\"data\":[{\"id\":\"loopback\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, out.length);
    ex.getResponseBody().write(out);
  }

  private final java.util.concurrent.atomic.AtomicInteger modelListRequests = new java.util.concurrent.atomic.AtomicInteger();

  /** How many GET /models listings were asked for (not counted in {@link #requestCount()}). */
  public int modelListRequests() {
    return modelListRequests.get();
  }

  private void serve(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    lastQuery = ex.getRequestURI().getRawQuery();
    if (ex.getRequestHeaders().containsKey("Authorization")) {
      bearerHeaders.incrementAndGet();
    }
    int n = requests.incrementAndGet();
    synchronized (arrivals) {
      arrivals.add(nowMillis());
    }
    remember(body);
    if (isJudgePrompt(body)) {
      judgeRequests.incrementAndGet();
    }
    JsonNode req;
    try {
      req = JSON.readTree(body);
    } catch (IOException e) {
      req = null;
    }
    if (req == null || !req.isObject()) {
      sendError(ex, 400, "We could not parse the JSON body of your request.", "invalid_request_error", null, Map.of());
      return;
    }
    if (ANTHROPIC.equals(ex.getAttribute(DIALECT))) {
      req = AnthropicWire.asChatRequest(req);
    }
    String model = req.path("model").asText("");
    String key = presentedKey(ex);

    Decision d = choose(n, body, model, key);
    Behavior b = d.behavior();
    counts.get(b).incrementAndGet();

    if (b == Behavior.DROP) {
      throw new DroppedException();
    }
    if (b == Behavior.HANG) {
      long hold = hangMillis;
      boolean closing = hold == 0 ? await(Long.MAX_VALUE) : await(hold);
      if (closing) {
        return; // never answered; the exchange is closed by try-with-resources
      }
      b = Behavior.OK;
    } else if (latencyMillis > 0 && await(latencyMillis)) {
      return;
    }

    switch (b) {
      case RATE_LIMIT -> sendRateLimited(ex, retryAfterSeconds, d.fromLimiter());
      case SERVER_ERROR ->
          sendError(ex, 500, "The server had an error while processing your request. Sorry about that!", "server_error", null, Map.of());
      case SERVICE_UNAVAILABLE ->
          sendError(ex, 503, "The engine is currently overloaded, please try again later.", "server_error", null, Map.of());
      case UNAUTHORIZED ->
          sendError(
              ex,
              401,
              "Incorrect API key provided: " + mask(key) + ". You can find your API key at https://platform.openai.com/account/api-keys.",
              "invalid_request_error",
              "invalid_api_key",
              Map.of());
      case MODEL_NOT_FOUND ->
          sendError(ex, 404, "The model `" + model + "` does not exist", "invalid_request_error", "model_not_found", Map.of());
      case BAD_REQUEST ->
          sendError(ex, 400, "Invalid value for 'messages': this request is not supported.", "invalid_request_error", "invalid_value",
              Map.of());
      case NOT_JSON -> sendText(ex, 200, "text/plain", "service warming up, try again later\n");
      case HTML_PAGE -> sendText(ex, 200, "text/html; charset=utf-8", page("Welcome to the guest network", "Accept the terms to continue."));
      case HTML_LOGIN -> sendText(ex, 403, "text/html; charset=utf-8", page("Sign in", "Your proxy requires you to sign in."));
      case STALL_BODY -> {
        stalledBodies.add(body);
        sendStalled(ex, inDialect(ex, completion(n, body, req, model, Behavior.OK)));
      }
      default -> send(ex, 200, inDialect(ex, completion(n, body, req, model, b)), Map.of());
    }
  }

  private record Decision(Behavior behavior, boolean fromLimiter) {}

  /** Thrown out of a handler before any response: the JDK server then closes the connection. */
  private static final class DroppedException extends IOException {
    DroppedException() {
      super("dropped on purpose");
    }
  }

  private Decision choose(int n, String body, String model, String key) {
    Script s = script;
    if (s != null) {
      Behavior b = s.choose(n, body);
      if (b != null) {
        return new Decision(b, false);
      }
    }
    String required = requiredApiKey;
    if (required != null && !required.equals(key)) {
      return new Decision(Behavior.UNAUTHORIZED, false);
    }
    Set<String> models = knownModels;
    if (models != null && !models.contains(model)) {
      return new Decision(Behavior.MODEL_NOT_FOUND, false);
    }
    synchronized (lock) {
      if (rateLimitPerMinute > 0 && !takeToken()) {
        limiterRejections.incrementAndGet();
        return new Decision(Behavior.RATE_LIMIT, true);
      }
      Behavior q = queued.pollFirst();
      if (q != null) {
        return new Decision(q, false);
      }
      if (!probabilities.isEmpty()) {
        double u = (splitmix(seed ^ splitmix(n)) >>> 11) * 0x1.0p-53;
        double acc = 0;
        for (Map.Entry<Behavior, Double> e : probabilities.entrySet()) {
          acc += e.getValue();
          if (u < acc) {
            return new Decision(e.getKey(), false);
          }
        }
      }
    }
    return new Decision(Behavior.OK, false);
  }

  private static long splitmix(long x) {
    long z = x + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Guarded by lock. */
  private boolean takeToken() {
    long t = System.nanoTime();
    double perNano = rateLimitPerMinute / 60e9;
    bucketTokens = Math.min(bucketCapacity, bucketTokens + (t - bucketRefilledNanos) * perNano);
    bucketRefilledNanos = t;
    if (bucketTokens >= 1) {
      bucketTokens -= 1;
      return true;
    }
    return false;
  }

  /** Waits up to {@code ms}; true if the server closed meanwhile. */
  private boolean await(long ms) {
    try {
      return closed.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private void remember(String body) {
    int keep = keepBodies;
    synchronized (bodies) {
      bodies.addLast(body);
      while (bodies.size() > keep) {
        bodies.removeFirst();
      }
    }
  }

  // ---------------------------------------------------------------- responses

  private void sendRateLimited(HttpExchange ex, int retryAfter, boolean fromLimiter) throws IOException {
    tooManyRequests.incrementAndGet();
    int limit;
    double tokens;
    synchronized (lock) {
      limit = rateLimitPerMinute > 0 ? rateLimitPerMinute : 60;
      tokens = rateLimitPerMinute > 0 ? bucketTokens : 0;
    }
    long resetMs = fromLimiter ? (long) Math.ceil((1 - tokens) * 60_000.0 / limit) : retryAfter * 1000L;
    // The limiter's Retry-After is the wait for the next token, rounded up to whole seconds.
    int retry = fromLimiter ? (int) Math.max(1, (resetMs + 999) / 1000) : retryAfter;
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    headers.put("Retry-After", String.valueOf(retry));
    headers.put("x-ratelimit-limit-requests", String.valueOf(limit));
    headers.put("x-ratelimit-remaining-requests", "0");
    headers.put("x-ratelimit-reset-requests", Math.max(1, resetMs) + "ms");
    headers.put("x-ratelimit-limit-tokens", "200000");
    headers.put("x-ratelimit-remaining-tokens", "0");
    headers.put("x-ratelimit-reset-tokens", Math.max(1, resetMs) + "ms");
    sendError(
        ex,
        429,
        "Rate limit reached for requests on this organization: Limit "
            + limit
            + ", Used "
            + limit
            + ", Requested 1. Please try again in "
            + Math.max(1, resetMs)
            + "ms.",
        "requests",
        "rate_limit_exceeded",
        headers);
  }

  private byte[] completion(int n, String body, JsonNode req, String model, Behavior b) throws IOException {
    String system = join(req.path("messages"), "system");
    String user = join(req.path("messages"), "user");
    int count = 1;
    Matcher m = EXACTLY.matcher(system);
    if (m.find()) {
      count = Math.max(1, Math.min(1000, Integer.parseInt(m.group(1))));
    }
    boolean instruction = system.contains("\"instruction\"");
    long h = fnv(body);
    Responder r = responder;
    String written = r == null ? null : r.content(system, user);
    String examples = written != null ? written
        : system.contains("\"evidence\"") ? groundedJson(count, user, h) : examplesJson(instruction, count, user, h);
    String finish = "stop";
    String content =
        switch (b) {
          case TRUNCATED -> {
            finish = "length";
            yield examples.substring(0, examples.length() / 2);
          }
          case PROSE ->
              "Sure! Here are some new examples for you. Each one is a short customer message written in a natural tone, "
                  + "and I kept them varied so they will be useful for training. Let me know if you would like more.";
          case MALFORMED_JSON ->
              "Here you go: {\"examples\": [{\"text\": \"I still have not received my refund\",, \"note\": {\"x\": [1, 2}";
          case FENCED -> "Here are the examples you asked for:\n\n```json\n" + examples + "\n```\n\nLet me know if you need more!";
          case EMPTY -> "";
          case REPEAT -> examplesJson(instruction, count, "the same words every time", 7L);
          default -> judgeAnswers != null && isJudgePrompt(system) ? judgeJson(user) : examples;
        };
    ObjectNode out = JSON.createObjectNode();
    out.put("id", "chatcmpl-" + Long.toHexString(h) + "-" + n);
    out.put("object", "chat.completion");
    out.put("created", System.currentTimeMillis() / 1000);
    out.put("model", model);
    out.put("system_fingerprint", "fp_loopback");
    ArrayNode choices = out.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    choice.putNull("logprobs");
    choice.put("finish_reason", finish);
    int prompt = Math.max(1, body.length() / 4);
    int completion = content.isEmpty() ? 0 : Math.max(1, content.length() / 4);
    ObjectNode usage = out.putObject("usage");
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    int cached = promptCacheTokens(prompt);
    if (cached > 0) {
      usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
      billedCachedPrompt.addAndGet(cached);
    }
    billedPrompt.addAndGet(prompt);
    billedCompletion.addAndGet(completion);
    if (completedBodies.merge(body, 1, Integer::sum) > 1) {
      repeatedCompletions.incrementAndGet();
      if (stalledBodies.contains(body)) {
        repeatedAfterStall.incrementAndGet();
      }
    }
    return JSON.writeValueAsBytes(out);
  }

  // ---------------------------------------------------------------- grounded (document) prompts

  private volatile double ungroundedRate;
  private final AtomicLong groundedServed = new AtomicLong();
  private final AtomicLong ungroundedServed = new AtomicLong();
  private static final Pattern PASSAGE = Pattern.compile("(?s)<passage>\\s*(.*?)\\s*</passage>");
  private static final List<String> FABRICATIONS = List.of(
      "Applicants must submit the renewal form in triplicate before the end of the fiscal quarter.",
      "The committee meets every Tuesday in the eastern conference room to review budget proposals.",
      "Customers receive a complimentary upgrade after their fifth purchase within a calendar year.",
      "Engines of this model require synthetic oil changes every seven thousand kilometres.",
      "Volunteers are reimbursed for travel expenses through the regional treasury office.",
      "The museum offers guided tours in four languages during the summer festival season.");

  /**
   * Answers to prompts of grounded strategies (the system message asks for {@code evidence}): each
   * example asks about one sentence of the {@code <passage>…</passage>} in the user message, answers
   * with it and quotes it as evidence. With {@link #ungroundedRate}, that share of the examples
   * (drawn from the request and the position, so the same on every run) is unsupported instead:
   * half with evidence that is not in the passage, half with a real quote and an invented answer.
   */
  public LoopbackLlmServer ungroundedRate(double p) {
    this.ungroundedRate = p;
    return this;
  }

  /** Grounded examples served so far: all of them, and the unsupported ones among them. */
  public long groundedServed() {
    return groundedServed.get();
  }

  public long ungroundedServed() {
    return ungroundedServed.get();
  }

  private String groundedJson(int count, String user, long h) {
    Matcher m = PASSAGE.matcher(user);
    String passage = m.find() ? m.group(1) : user;
    List<String> sentences = new ArrayList<>();
    for (String s : passage.split("(?<=[.!?])\\s+")) {
      String t = s.replaceAll("\\s+", " ").strip();
      if (t.split(" ").length >= 6 && t.matches(".*[.!?]$")) {
        sentences.add(t);
      }
    }
    if (sentences.isEmpty()) {
      sentences.add(passage.replaceAll("\\s+", " ").strip());
    }
    ArrayNode examples = JSON.createArrayNode();
    for (int i = 0; i < count; i++) {
      long r = splitmix(h ^ splitmix(i + 1));
      String sentence = sentences.get((int) Long.remainderUnsigned(r, sentences.size()));
      String topic = topicOf(sentence, i);
      ObjectNode e = examples.addObject();
      e.put("instruction", "According to the passage, what does it say about " + topic + " (point " + (i + 1) + ")?");
      e.put("input", "");
      boolean ungrounded = ((splitmix(r) >>> 11) * 0x1.0p-53) < ungroundedRate;
      String fabricated = FABRICATIONS.get((int) Long.remainderUnsigned(splitmix(r + 7), FABRICATIONS.size()));
      if (!ungrounded) {
        e.put("output", "The passage says: " + sentence);
        e.put("evidence", sentence);
      } else if ((r & 1) == 0) {
        e.put("output", fabricated);
        e.put("evidence", fabricated);
      } else {
        e.put("output", fabricated);
        e.put("evidence", sentence);
      }
      groundedServed.incrementAndGet();
      if (ungrounded) {
        ungroundedServed.incrementAndGet();
      }
    }
    ObjectNode root = JSON.createObjectNode();
    root.set("examples", examples);
    return root.toString();
  }

  private static String topicOf(String sentence, int i) {
    List<String> words = new ArrayList<>();
    Matcher w = WORD.matcher(sentence);
    while (w.find()) {
      words.add(w.group().toLowerCase(java.util.Locale.ROOT));
    }
    return words.isEmpty() ? "this" : words.get(Math.min(words.size() - 1, words.size() / 2 + i % Math.max(1, words.size() / 2)));
  }

  /** The headers and the first half of {@code bytes}; the rest after {@link #hangMillis}, or never. */
  private void sendStalled(HttpExchange ex, byte[] bytes) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, bytes.length);
    OutputStream os = ex.getResponseBody();
    int half = bytes.length / 2;
    os.write(bytes, 0, half);
    os.flush();
    long hold = hangMillis;
    if (hold == 0 ? await(Long.MAX_VALUE) : await(hold)) {
      return;
    }
    os.write(bytes, half, bytes.length - half);
    os.close();
  }

  private static void sendText(HttpExchange ex, int status, String contentType, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  private static String page(String title, String text) {
    return "<!DOCTYPE html>\n<html><head><title>" + title + "</title></head>\n<body><h1>" + title + "</h1><p>" + text
        + "</p><form method=\"post\" action=\"/login\"><input name=\"user\"><input type=\"password\" name=\"password\">"
        + "</form></body></html>\n";
  }

  private void sendError(HttpExchange ex, int status, String message, String type, String code, Map<String, String> headers)
      throws IOException {
    if (ANTHROPIC.equals(ex.getAttribute(DIALECT))) {
      send(ex, status, AnthropicWire.error(status, message), headers);
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    ObjectNode err = root.putObject("error");
    err.put("message", echoApiKey ? message + " (received Authorization: " + ex.getRequestHeaders().getFirst("Authorization")
        + ", api-key: " + ex.getRequestHeaders().getFirst("api-key") + ")" : message);
    err.put("type", type);
    err.putNull("param");
    if (code == null) {
      err.putNull("code");
    } else {
      err.put("code", code);
    }
    send(ex, status, JSON.writeValueAsBytes(root), headers);
  }

  private static void send(HttpExchange ex, int status, byte[] bytes, Map<String, String> headers) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  private static void drain(InputStream in) throws IOException {
    in.readAllBytes();
  }

  private static String mask(String key) {
    if (key == null || key.length() < 8) {
      return "sk-****";
    }
    return key.substring(0, 3) + "*".repeat(Math.min(20, key.length() - 7)) + key.substring(key.length() - 4);
  }

  private static String join(JsonNode messages, String role) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode msg : messages) {
      if (role.equals(msg.path("role").asText())) {
        JsonNode c = msg.path("content");
        if (c.isTextual()) {
          sb.append(c.asText()).append('\n');
        } else if (c.isArray()) {
          for (JsonNode part : c) {
            sb.append(part.path("text").asText("")).append('\n');
          }
        }
      }
    }
    return sb.toString();
  }

  private static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  // ---------------------------------------------------------------- example text

  private static final Set<String> STOP =
      Set.of(
          "this", "that", "with", "from", "your", "have", "will", "would", "should", "could", "they", "them", "their",
          "there", "here", "what", "when", "where", "which", "while", "about", "into", "than", "then", "were", "been",
          "being", "each", "some", "more", "most", "other", "such", "only", "also", "very", "just", "like", "examples",
          "example", "label", "labels", "text", "json", "return", "write", "new", "exactly", "following", "given",
          "data", "instruction", "instructions", "output", "input", "shape", "nothing", "else", "string", "object",
          "never", "always", "still", "again", "please", "thanks", "because", "after", "before", "does", "doesn't",
          "don't", "cannot", "can't", "why", "how", "usual", "today", "yesterday", "week", "month");

  private static final String[] FALLBACK = {"order", "account", "delivery", "payment", "subscription", "invoice", "password", "refund"};

  private static final String[] OPENERS = {
    "Hi there,", "Hello,", "Good morning,", "Quick question:", "Honestly,", "Sorry to bother you, but", "Hey team,", "Just so you know,",
    "I am writing because", "Excuse me,"
  };

  private static final String[] BODIES = {
    "I have a question about my %s and the %s page keeps showing an error",
    "the %s I asked about last week is still not sorted and nobody has replied about the %s",
    "can someone explain why the %s looks different from the %s I was quoted",
    "I would like to know how to change the %s linked to my %s",
    "the %s you sent me does not match the %s I picked on the website",
    "I tried to update the %s three times and the %s form still rejects it",
    "please tell me whether the %s includes the %s I asked about earlier",
    "your support agent promised a fix for the %s but my %s is still broken",
    "I am really happy with the %s and the new %s works much better now",
    "it has been two days since I reported the problem with my %s and the %s",
    "could you check the %s on my account and send the %s details to my email",
    "I cannot find where to download the %s for my latest %s"
  };

  private static final String[] CLOSERS = {
    "Thanks in advance.", "Please help me soon.", "Any advice would be great.", "I appreciate your help.", "Let me know what to do next.",
    "This is getting frustrating.", "Cheers.", "Thank you for your time.", "Hope to hear back today.", "Kind regards."
  };

  private static final String[] TASKS = {
    "Summarize the following note about %s in one sentence.",
    "Rewrite this message about %s in a more polite tone.",
    "List the main problem described in this %s complaint.",
    "Translate the following sentence about %s into plain English.",
    "Classify the urgency of this %s request as low, medium or high.",
    "Draft a short reply to this customer asking about %s."
  };

  private static String examplesJson(boolean instruction, int count, String user, long h) {
    List<String> words = words(user);
    ObjectNode root = JSON.createObjectNode();
    ArrayNode arr = root.putArray("examples");
    for (int i = 0; i < count; i++) {
      Random r = new Random(splitmix(h + i));
      int a = r.nextInt(words.size());
      String w1 = words.get(a);
      String w2 = words.size() == 1 ? w1 : words.get((a + 1 + r.nextInt(words.size() - 1)) % words.size());
      String sentence =
          OPENERS[r.nextInt(OPENERS.length)]
              + " "
              + String.format(Locale.ROOT, BODIES[(int) Math.floorMod(h + i * 7L, BODIES.length)], w1, w2)
              + " (ref "
              + (1000 + Math.floorMod(h + i * 7919L, 9000))
              + "). "
              + CLOSERS[r.nextInt(CLOSERS.length)];
      ObjectNode ex = arr.addObject();
      if (instruction) {
        ex.put("instruction", String.format(Locale.ROOT, TASKS[(int) Math.floorMod(h + i, TASKS.length)], w1));
        ex.put("input", i % 3 == 2 ? "" : sentence);
        ex.put("output", "The customer reports an issue with the " + w1 + " and asks for help with the " + w2 + " (case " + (i + 1) + ").");
      } else {
        ex.put("text", sentence);
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Words of the user prompt to reuse, nouns first (words after a determiner), then other content words. */
  private static List<String> words(String user) {
    Set<String> out = new LinkedHashSet<>();
    Matcher d = NOUN.matcher(user);
    while (d.find()) {
      String w = d.group(1).toLowerCase(Locale.ROOT);
      if (usable(w)) {
        out.add(w);
      }
    }
    if (out.size() < 2) {
      Matcher m = WORD.matcher(user);
      while (m.find()) {
        String w = m.group().toLowerCase(Locale.ROOT);
        if (usable(w)) {
          out.add(w);
        }
      }
    }
    if (out.isEmpty()) {
      Collections.addAll(out, FALLBACK);
    }
    return new ArrayList<>(out);
  }

  private static boolean usable(String w) {
    return !STOP.contains(w) && !w.endsWith("ly") && !w.endsWith("ed") && !w.endsWith("ing");
  }
}
