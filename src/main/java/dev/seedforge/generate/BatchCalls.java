package dev.seedforge.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.accounting.RunContext;
import dev.seedforge.accounting.SpendLedger;
import dev.seedforge.accounting.Usd;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Batch mode: a worker's requests go to the provider's Batch API instead of one HTTP call each.
 * The response cache answers what it can; requests in a batch that an earlier, killed attempt
 * submitted are re-attached to it; the rest are reserved in the run's ledger at their worst case
 * (batch price) and written, in as many batches as the provider's limits need, as input files of
 * the exact bodies the synchronous path sends. The batches are polled with backoff, progress is
 * printed, and each result line becomes the same {@link CallOutcome} a synchronous call gives:
 * stored in the cache, settled in the ledger with the usage the output file reports, parsed by the
 * same parser downstream. Requests that an expired or cancelled batch left without a response are
 * submitted again (at most {@code llm.batch.max_resubmits} times), and only those.
 */
public final class BatchCalls {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  static final int SUBMIT_ATTEMPTS = 4;

  /** One request this run waits for: its ledger reservation and how often this run submitted it. */
  private static final class Item {
    final GenerationRequest request;
    final long callId;
    int submissions;
    int resubmits;

    Item(GenerationRequest request, long callId, int submissions) {
      this.request = request;
      this.callId = callId;
      this.submissions = submissions;
    }
  }

  /** A batch being polled, the requests of this run in it, and the last status printed. */
  private static final class Active {
    final String batchId;
    final List<String> ours;
    String last = "";

    Active(String batchId, List<String> ours) {
      this.batchId = batchId;
      this.ours = ours;
    }
  }

  private final ModelSettings settings;
  private final RunContext run;
  private final PipelineSpec.Batch spec;
  private final PipelineSpec.Price price;
  private final BatchApi api;
  private final BatchBodies bodies;
  private final BatchJournal journal;
  private final ResponseCache cache;
  private final SpendLedger ledger;
  private final TokenCounter tokens;
  private final String endpoint;
  private final PrintStream progress;
  private final Map<String, Item> waiting = new LinkedHashMap<>();
  private final Map<String, CallOutcome> done = new HashMap<>();
  private final List<Active> active = new ArrayList<>();
  private int submitted;

  BatchCalls(ModelSettings settings, RunContext run, BatchSettings batch, Map<String, String> env, PrintStream progress) {
    this.settings = settings;
    this.run = run;
    this.spec = batch.spec();
    this.price = batch.price() != null ? batch.price() : settings.price();
    this.api = new BatchApi(settings, env);
    this.bodies = new BatchBodies(settings, env);
    this.journal = BatchJournal.open(journalFile(settings, run));
    this.cache = settings.cachePath() == null ? null : ResponseCache.open(settings.cachePath());
    this.ledger = run.ledger();
    this.tokens = TokenCounter.forModel(settings.model());
    this.endpoint = Endpoint.normalized(settings.provider(), settings.baseUrl());
    this.progress = progress;
  }

  /** Batch ids live in the response cache's database; with --no-cache, in the run folder's own file. */
  static Path journalFile(ModelSettings settings, RunContext run) {
    return settings.cachePath() != null ? Path.of(settings.cachePath()) : Path.of(run.ledgerFile()).resolveSibling("batches.sqlite");
  }

  /** Every request's outcome, in the order given. */
  List<CallOutcome> call(List<GenerationRequest> requests) {
    Map<String, GenerationRequest> missing = new LinkedHashMap<>();
    for (GenerationRequest r : requests) {
      CallOutcome hit = fromCache(r);
      if (hit != null) {
        done.put(r.id(), hit);
      } else {
        missing.putIfAbsent(r.id(), r);
      }
    }
    reattach(missing);
    List<Item> fresh = new ArrayList<>();
    for (GenerationRequest r : missing.values()) {
      if (waiting.containsKey(r.id())) {
        continue;
      }
      int prompt = tokens.promptTokens(r.messages());
      int maxOut = r.params().maxTokens();
      SpendLedger.Reservation res = ledger.reserve(run.runId(), settings.budget(), r.id(), run.round(), r.label(), prompt + maxOut,
          Usd.picoCost(price, prompt, maxOut));
      if (!res.granted()) {
        done.put(r.id(), CallOutcome.notSent(r, res.stopKind(), res.refusal()));
        continue;
      }
      Item item = new Item(r, res.callId(), 1);
      waiting.put(r.id(), item);
      fresh.add(item);
    }
    submit(fresh);
    poll();
    List<CallOutcome> out = new ArrayList<>(requests.size());
    for (GenerationRequest r : requests) {
      out.add(done.get(r.id()));
    }
    return out;
  }

  private CallOutcome fromCache(GenerationRequest r) {
    if (cache == null) {
      return null;
    }
    ResponseCache.Entry hit = cache.get(r.id());
    boolean reused = hit != null && run.runId().equals(hit.paidByRun());
    if (hit != null && (reused || !settings.refreshCache())) {
      ledger.cacheHit(run.runId());
      return CallOutcome.fromCache(r, hit, reused);
    }
    return null;
  }

  /** Waits on the open batches that hold missing requests, instead of submitting those again. */
  private void reattach(Map<String, GenerationRequest> missing) {
    for (BatchJournal.Open open : journal.open(endpoint)) {
      List<String> ours = new ArrayList<>();
      for (String id : open.requestIds()) {
        GenerationRequest r = missing.get(id);
        if (r == null || waiting.containsKey(id)) {
          continue;
        }
        int prompt = tokens.promptTokens(r.messages());
        SpendLedger.Reservation res = ledger.adopt(run.runId(), id, run.round(), r.label(), prompt + r.params().maxTokens(),
            Usd.picoCost(price, prompt, r.params().maxTokens()));
        // sent once, by the attempt that submitted the batch: the ledger counted that request with it
        waiting.put(id, new Item(r, res.callId(), 1));
        ours.add(id);
      }
      if (!ours.isEmpty()) {
        progress.println("seedforge: re-attaching to batch " + open.batchId() + " (" + open.status() + ", submitted by an earlier attempt): "
            + ours.size() + " of its requests are still needed");
        active.add(new Active(open.batchId(), ours));
      }
    }
  }

  /** Writes the items' input lines into batches within the provider's limits, uploads and creates each. */
  private void submit(List<Item> items) {
    List<Item> chunk = new ArrayList<>();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    for (Item item : items) {
      byte[] line = (inputLine(item.request) + "\n").getBytes(StandardCharsets.UTF_8);
      if (!chunk.isEmpty() && (chunk.size() >= spec.maxRequests() || file.size() + line.length > spec.maxBytes())) {
        create(chunk, file.toByteArray());
        chunk = new ArrayList<>();
        file.reset();
      }
      chunk.add(item);
      file.writeBytes(line);
    }
    if (!chunk.isEmpty()) {
      create(chunk, file.toByteArray());
    }
  }

  /** One line of a batch input file: the request id as custom_id, and the body the synchronous call sends. */
  String inputLine(GenerationRequest r) {
    ObjectNode line = Json.mapper().createObjectNode();
    line.put("custom_id", r.id());
    line.put("method", "POST");
    line.put("url", api.endpointPath());
    try {
      // LangChain4j writes the body over several lines; a JSONL line holds the same JSON on one
      line.set("body", Json.mapper().readTree(bodies.body(r)));
    } catch (IOException e) {
      throw new IllegalStateException("the request body of " + r.id() + " is not JSON", e);
    }
    return Json.write(line);
  }

  private void create(List<Item> chunk, byte[] file) {
    List<String> ids = chunk.stream().map(i -> i.request.id()).toList();
    BatchApi.Status status;
    try {
      status = withRetries(() -> {
        String fileId = api.upload(file, "seedforge-" + run.runId() + "-" + (++submitted) + ".jsonl");
        BatchApi.Status s = api.create(fileId, spec.completionWindow(), run.runId());
        journal.submitted(s.id(), endpoint, settings.model(), fileId, run.runId(), s.status(), ids);
        return s;
      });
    } catch (BatchApi.ApiException e) {
      for (Item item : chunk) {
        fail(item, e.status > 0 ? CallError.ofStatus(e.status, "").kind() : CallError.CONNECTION, "batch not submitted: " + e.getMessage());
      }
      return;
    }
    progress.printf(Locale.ROOT, "seedforge: submitted batch %s: %d requests, %d bytes%n", status.id(), chunk.size(), file.length);
    active.add(new Active(status.id(), new ArrayList<>(ids)));
  }

  /** Polls every active batch until each has ended; waits twice as long after a poll that saw no progress. */
  private void poll() {
    long delay = spec.pollInitialMillis();
    while (!active.isEmpty()) {
      boolean progressed = false;
      for (Active a : List.copyOf(active)) {
        BatchApi.Status s;
        try {
          s = withRetries(() -> api.retrieve(a.batchId));
        } catch (BatchApi.ApiException e) {
          if (e.retriable()) {
            progress.println("seedforge: batch " + a.batchId + " could not be polled (" + e.getMessage() + "); trying again");
            continue;
          }
          // the provider no longer knows the batch (another server at the same address, or deleted): its requests have no response
          progress.println("seedforge: batch " + a.batchId + " is gone (" + e.getMessage() + ")");
          s = new BatchApi.Status(a.batchId, "lost", null, null, a.ours.size(), 0, 0, 0, 0, null);
        }
        String line = s.status() + " " + s.completed() + " " + s.failed();
        if (!line.equals(a.last)) {
          progressed = true;
          a.last = line;
          journal.status(a.batchId, s.status());
          printProgress(s);
        }
        if (s.terminal() || s.status().equals("lost")) {
          active.remove(a);
          collect(a, s);
        }
      }
      if (!active.isEmpty()) {
        sleep(delay);
        delay = progressed ? spec.pollInitialMillis() : Math.min(spec.pollMaxMillis(), delay * 2);
      }
    }
  }

  private void printProgress(BatchApi.Status s) {
    long finished = s.completed() + s.failed();
    String end = "";
    long now = Instant.now().getEpochSecond();
    if (!s.terminal() && s.inProgressAt() > 0 && finished > 0 && s.total() > finished) {
      double perRequest = (double) Math.max(1, now - s.inProgressAt()) / finished;
      end = ", expected end " + CLOCK.format(Instant.ofEpochSecond(now + Math.round(perRequest * (s.total() - finished))));
    } else if (!s.terminal() && s.expiresAt() > 0) {
      end = ", expires " + CLOCK.format(Instant.ofEpochSecond(s.expiresAt()));
    }
    progress.printf(Locale.ROOT, "seedforge: batch %s: %s, %d of %d requests completed, %d failed%s%n", s.id(), s.status(), s.completed(),
        s.total(), s.failed(), end);
  }

  /** Reads an ended batch's output and error files into outcomes; requests it left without a response go out again. */
  private void collect(Active a, BatchApi.Status s) {
    Map<String, JsonNode> lines = new HashMap<>();
    for (String fileId : new String[] {s.outputFileId(), s.errorFileId()}) {
      if (fileId == null) {
        continue;
      }
      String content = withRetries(() -> api.content(fileId));
      for (String l : content.split("\n")) {
        if (l.isBlank()) {
          continue;
        }
        try {
          JsonNode n = Json.mapper().readTree(l);
          lines.put(n.path("custom_id").asText(), n);
        } catch (IOException e) {
          progress.println("seedforge: batch " + a.batchId + ": an unreadable result line was skipped: " + CallError.snippet(l));
        }
      }
    }
    for (Map.Entry<String, JsonNode> e : lines.entrySet()) {
      storeAnswer(e.getKey(), e.getValue(), a.batchId);
    }
    List<Item> again = new ArrayList<>();
    for (String id : a.ours) {
      Item item = waiting.get(id);
      if (item == null || done.containsKey(id)) {
        continue;
      }
      JsonNode line = lines.get(id);
      JsonNode response = line == null ? null : line.path("response");
      if (response != null && !response.isMissingNode() && !response.isNull()) {
        settle(item, response);
      } else if (s.status().equals("failed")) {
        fail(item, "batch_failed", "batch " + a.batchId + " failed validation: " + (s.errors() == null ? "no reason given" : s.errors()));
      } else if (item.resubmits < spec.maxResubmits()) {
        SpendLedger.Reservation retry = ledger.reserveRetry(run.runId(), settings.budget(), item.callId);
        if (!retry.granted()) {
          fail(item, retry.stopKind(), "not submitted again: " + retry.refusal());
        } else {
          item.resubmits++;
          item.submissions++;
          again.add(item);
        }
      } else {
        String why = line == null ? "no result line" : line.path("error").path("code").asText("no response");
        fail(item, "batch_" + s.status(), "batch " + a.batchId + " ended " + s.status() + " without a response for this request (" + why
            + "), after " + item.resubmits + " resubmissions (llm.batch.max_resubmits)");
      }
    }
    journal.closed(a.batchId, s.status());
    if (!again.isEmpty()) {
      progress.printf(Locale.ROOT, "seedforge: batch %s ended %s: submitting the %d requests it left without a response again%n",
          a.batchId, s.status(), again.size());
      submit(again);
    }
  }

  /**
   * Stores every successful answer of a batch in the cache, ours or not (each was paid for): an
   * answer to a request this run waits for counts as paid by this run, one for another pipeline
   * that shares the cache by the run that submitted the batch.
   */
  private void storeAnswer(String id, JsonNode line, String batchId) {
    JsonNode response = line.path("response");
    if (cache == null || response.path("status_code").asInt() != 200 || cache.get(id) != null && !waiting.containsKey(id)) {
      return;
    }
    JsonNode body = response.path("body");
    JsonNode choice = body.path("choices").path(0);
    JsonNode usage = body.path("usage");
    String payer = waiting.containsKey(id) ? run.runId() : "batch " + batchId;
    cache.put(id, body.path("model").asText(settings.model()), new ResponseCache.Entry(choice.path("message").path("content").asText(null),
        choice.path("finish_reason").asText(null), usage.path("prompt_tokens").asLong(), usage.path("completion_tokens").asLong(), payer));
  }

  /** Settles a request with its result line's response: an answer, or the API's error for it. */
  private void settle(Item item, JsonNode response) {
    int code = response.path("status_code").asInt();
    JsonNode body = response.path("body");
    if (code != 200) {
      CallError error = CallError.ofStatus(code, body.isMissingNode() ? "" : Json.write(body));
      fail(item, error.kind(), LangChainCaller.safeMessage(error.message()));
      return;
    }
    JsonNode choice = body.path("choices").path(0);
    JsonNode usage = body.path("usage");
    long in = usage.path("prompt_tokens").asLong();
    long out = usage.path("completion_tokens").asLong();
    long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong();
    String text = choice.path("message").path("content").asText(null);
    String finish = choice.path("finish_reason").asText(null);
    // cached prompt tokens of batch calls are priced at the batch input price (prices.yaml)
    long pico = Usd.picoCost(price, in, out);
    CallOutcome o = CallOutcome.success(item.request, text, finish, in, out, item.submissions).withCost(pico).withCachedInput(cached);
    ledger.settle(run.runId(), item.callId, null, item.submissions, in, out, pico);
    done.put(item.request.id(), o);
  }

  private void fail(Item item, String kind, String message) {
    ledger.settle(run.runId(), item.callId, kind, item.submissions, 0, 0, 0);
    done.put(item.request.id(), CallOutcome.failure(item.request, kind, message, item.submissions));
  }

  @FunctionalInterface
  private interface ApiCall<T> {
    T call();
  }

  /** A Batch API request with retries on 429, 5xx and failed connections, backing off from the poll interval. */
  private <T> T withRetries(ApiCall<T> call) {
    long wait = Math.max(1, spec.pollInitialMillis());
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (BatchApi.ApiException e) {
        if (!e.retriable() || attempt >= SUBMIT_ATTEMPTS) {
          throw e;
        }
        sleep(wait);
        wait = Math.min(spec.pollMaxMillis(), wait * 2);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    }
  }

  /**
   * {@code seedforge run … --cancel-batches}: asks the provider to cancel every batch at this
   * endpoint whose results were not collected yet. Their finished requests stay paid for and are
   * collected by the next run, which submits the rest again. Returns how many were cancelled.
   */
  public static int cancelOpen(ModelSettings settings, RunContext run, Map<String, String> env, PrintWriter out) {
    BatchJournal journal = BatchJournal.open(journalFile(settings, run));
    BatchApi api = new BatchApi(settings, env);
    int n = 0;
    for (BatchJournal.Open open : journal.open(Endpoint.normalized(settings.provider(), settings.baseUrl()))) {
      BatchApi.Status s = api.retrieve(open.batchId());
      if (s.terminal() || s.status().equals("cancelling")) {
        out.println("batch " + open.batchId() + " is " + s.status() + " already");
        journal.status(open.batchId(), s.status());
        continue;
      }
      BatchApi.Status c = api.cancel(open.batchId());
      journal.status(open.batchId(), c.status());
      out.println("batch " + open.batchId() + ": " + c.status() + " (" + s.completed() + " of " + s.total() + " requests were completed)");
      n++;
    }
    return n;
  }
}
