package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.accounting.CallRecord;
import dev.seedforge.accounting.RunAccount;
import dev.seedforge.accounting.RunContext;
import dev.seedforge.accounting.SpendLedger;
import dev.seedforge.generate.FatalCallException;
import dev.seedforge.generate.ProgressReporter;
import dev.seedforge.report.Manifest;
import dev.seedforge.util.AtomicFiles;
import dev.seedforge.util.Json;
import dev.seedforge.util.Timings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One {@code seedforge run} (or {@code curate}) on the driver: opens the run's account in the
 * folder's {@link SpendLedger} (taking over runs there that never ended), runs its rounds, reads
 * back what each round wrote (stage counts, one {@link CallRecord} per request), and at the end
 * writes manifest.json from those typed results and closes the account.
 */
final class Invocation {
  /** What one round left: its stage counts and the account of its calls. */
  record Round(int round, long newRequests, List<CallRecord> calls, Counts counts) {}

  private final PipelineOptions options;
  private final Path outDir;
  private final RunContext context;
  private final SpendLedger ledger;
  private final RunFolder folder;
  private final String curateInput;
  private final Instant start = Instant.now();
  private final List<Round> rounds = new ArrayList<>();
  private final List<List<CallRecord>> judgeCalls = new ArrayList<>();

  private Invocation(PipelineOptions options, Path outDir, RunContext context, SpendLedger ledger, RunFolder folder, String curateInput) {
    this.options = options;
    this.outDir = outDir;
    this.context = context;
    this.ledger = ledger;
    this.folder = folder;
    this.curateInput = curateInput;
  }

  static Invocation start(RunPlan plan, PipelineOptions options, String curateInput) throws IOException {
    Path outDir = Path.of(plan.spec().output().dir());
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new dev.seedforge.config.InvalidInputException(outDir + ": the output folder cannot be created (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); choose another with --out or output.dir");
    }
    String runId = UUID.randomUUID().toString();
    Path ledgerFile = SpendLedger.fileFor(outDir);
    RunContext context = new RunContext(runId, 0, ledgerFile.toString());
    String command = (curateInput == null ? "seedforge run " : "seedforge curate ") + plan.spec().name();
    WorkerThreads.forJob(options, makesCalls(plan, curateInput));
    if (!makesCalls(plan, curateInput)) {
      RunFolder folder = RunFolder.claim(outDir, command, () -> "the run stopped before it finished; nothing was paid for; run the same command again");
      return new Invocation(options, outDir, context, null, folder, curateInput);
    }
    SpendLedger[] opened = new SpendLedger[1];
    RunFolder folder = RunFolder.claim(outDir, command, () -> interrupted(opened[0], runId));
    SpendLedger ledger;
    try {
      ledger = SpendLedger.open(ledgerFile);
      opened[0] = ledger;
      ledger.startRun(runId, plan.spec().name());
    } catch (RuntimeException e) {
      folder.close();
      throw e;
    }
    return new Invocation(options, outDir, context, ledger, folder, curateInput);
  }

  private static boolean makesCalls(RunPlan plan, String curateInput) {
    return (plan.usesLlm() && curateInput == null) || dev.seedforge.judge.JudgePlan.on(plan.spec());
  }

  String runId() {
    return context.runId();
  }

  List<Round> rounds() {
    return rounds;
  }

  /** How the run stands: stopped by the budget or the circuit breaker, or still going. */
  RunStatus status() {
    return ledger == null ? RunStatus.COMPLETE : RunStatus.ofStop(ledger.standing(context.runId()).stopKind());
  }

  /** Runs the job once over every request of {@code plan}; {@code newRequests} of them are new this round. */
  Round round(RunPlan plan, long newRequests) throws IOException {
    int n = rounds.size();
    Pipeline p = Pipeline.create(options);
    SeedforgePipeline.build(p, plan, context.withRound(n), curateInput);
    ProgressReporter progress = ledger != null ? ProgressReporter.start(ledger, context.runId(),
        plan.requests().size() + (int) dev.seedforge.pairs.PairEstimate.callsAtMost(plan)) : null;
    if (n == 0) {
      Manifest.startLabelModel(plan);
    }
    try {
      org.apache.beam.sdk.PipelineResult.State state = Timings.time(Timings.JOB, () -> p.run().waitUntilFinish());
      checkFinished(state, outDir);
    } catch (RuntimeException e) {
      FatalCallException fatal = Runner.findCause(e, FatalCallException.class);
      if (fatal != null) {
        throw fatal;
      }
      throw e;
    } finally {
      if (progress != null) {
        progress.close();
      }
    }
    List<CallRecord> all = readCalls(outDir.resolve(SeedforgePipeline.CALLS));
    // the judge's calls have their own manifest section; the generation account stays as it was
    judgeCalls.add(all.stream().filter(c -> c.purpose() == CallRecord.Purpose.JUDGE).toList());
    Round r = new Round(n, newRequests, all.stream().filter(c -> c.purpose() != CallRecord.Purpose.JUDGE).toList(),
        Counts.read(outDir.resolve(SeedforgePipeline.LEDGER)));
    rounds.add(r);
    return r;
  }

  /**
   * Fails with what to do when the job did not finish or finished without its work files: a
   * DirectRunner worker that runs out of memory dies with its bundle, and the runner can then
   * report the job done although nothing was written.
   */
  static void checkFinished(org.apache.beam.sdk.PipelineResult.State state, Path outDir) {
    Path calls = outDir.resolve(SeedforgePipeline.CALLS);
    if ((state == null || state == org.apache.beam.sdk.PipelineResult.State.DONE) && Files.exists(calls)) {
      return;
    }
    String how = state != null && state != org.apache.beam.sdk.PipelineResult.State.DONE
        ? "the job ended " + state : "the job ended without writing " + calls;
    throw new IllegalStateException(String.format(java.util.Locale.ROOT,
        "%s; a worker most likely ran out of memory (this JVM may use %d MB, and the DirectRunner holds every record in"
            + " memory): run again with more heap (SEEDFORGE_JAVA_OPTS=-Xmx8g ./seedforge ...) or, for large inputs, on the"
            + " Flink runner (SEEDFORGE_PROFILES=flink ./seedforge ... --runner=FlinkRunner); calls already paid for are in the"
            + " response cache and are not paid again", how, Runtime.getRuntime().maxMemory() >> 20));
  }

  private static List<CallRecord> readCalls(Path file) throws IOException {
    List<CallRecord> out = new ArrayList<>();
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!l.isBlank()) {
        out.add(Json.mapper().readValue(l, CallRecord.class));
      }
    }
    return out;
  }

  /** Writes manifest.json from the rounds' results, removes the work files, and closes the run's account. */
  Runner.Outcome finish(RunPlan plan, TopUp.Report topUp, Map<String, String> warnings) throws IOException {
    SpendLedger.Standing standing = ledger == null ? null : ledger.standing(context.runId());
    RunStatus status = standing == null ? RunStatus.COMPLETE : RunStatus.ofStop(standing.stopKind());
    String stopMessage = standing == null ? null : standing.stopMessage();
    Round last = rounds.get(rounds.size() - 1);
    RunAccount account = null;
    if (ledger != null) {
      List<RunAccount.RoundCalls> calls = rounds.stream().map(r -> new RunAccount.RoundCalls(r.round(), r.newRequests(), r.calls())).toList();
      account = RunAccount.of(calls, plan.spec().llm());
      Map.Entry<String, Long> worst = mostCommonProblem(account, last.counts());
      long eligible = account.calls().planned().total() - account.calls().failuresByKind().getOrDefault(SpendLedger.BUDGET_EXHAUSTED, 0L);
      long usable = account.calls().usable().total();
      if (status == RunStatus.COMPLETE && eligible > 0 && usable < RunStatus.MIN_USABLE_SHARE * eligible) {
        status = RunStatus.CALLS_FAILED;
        stopMessage = String.format(Locale.ROOT, "only %d of %d calls gave a usable answer (at least %.0f%% must)", usable, eligible,
            100 * RunStatus.MIN_USABLE_SHARE) + (worst == null ? "" : problem(worst));
      } else if (status == RunStatus.CIRCUIT_OPEN && worst != null) {
        stopMessage = stopMessage + problem(worst);
      }
    }
    Map<String, String> allWarnings = new java.util.LinkedHashMap<>(warnings);
    for (int i = 0; i < plan.warnings().size(); i++) {
      allWarnings.put("input/" + (i + 1), plan.warnings().get(i));
    }
    Manifest.Inputs inputs = new Manifest.Inputs(
        last.counts(), account, budget(plan, standing), status.wireName(), stopMessage, roundSummaries(plan, account), topUp, allWarnings);
    ObjectNode run = Json.mapper().createObjectNode();
    run.put("run_id", context.runId());
    run.put("started_at", start.toString());
    run.put("wall_time_seconds", Duration.between(start, Instant.now()).toMillis() / 1000.0);
    run.put("runner", options.getRunner().getSimpleName());
    long manifestStart = System.nanoTime();
    ObjectNode manifest = Manifest.build(plan, inputs, outDir,
        SeedforgePipeline.allFiles(plan.spec()).stream().filter(f -> !f.startsWith(".")).toList(), run);
    if (dev.seedforge.judge.JudgePlan.on(plan.spec())) {
      manifest.set("judge", Json.mapper().valueToTree(
          dev.seedforge.judge.JudgeReport.of(plan.spec(), judgeCalls, rounds.stream().map(Round::counts).toList())));
    }
    if (Evolution.evolving(plan)) {
      manifest.set("evolution", Evolution.report(plan, last.counts()));
    }
    if (plan.spec().selfInstruct().noveltyOn() || plan.spec().selfInstruct().fewShotGeneratedShare() > 0) {
      manifest.set("self_instruct", Evolution.selfInstructReport(plan, last.counts()));
    }
    Timings.add(Timings.MANIFEST, System.nanoTime() - manifestStart);
    AtomicFiles.writeString(outDir.resolve("manifest.json"), Json.pretty(manifest) + "\n");
    dev.seedforge.report.HtmlReport.write(outDir);
    for (String work : List.of(SeedforgePipeline.LEDGER, SeedforgePipeline.FINAL, SeedforgePipeline.CALLS, Evolution.ACCEPTED)) {
      Files.deleteIfExists(outDir.resolve(work));
    }
    if (ledger != null) {
      ledger.finishRun(context.runId(), status.wireName());
    }
    folder.close();
    List<CallRecord> calls = new ArrayList<>();
    rounds.forEach(r -> calls.addAll(r.calls()));
    return new Runner.Outcome(status, stopMessage, account, manifest, outDir, calls);
  }

  /** The most frequent reason requests gave nothing usable: a failure kind, or a parse rejection ({@code parse/...}). */
  static Map.Entry<String, Long> mostCommonProblem(RunAccount account, Counts counts) {
    Map<String, Long> problems = new TreeMap<>(account.calls().failuresByKind());
    problems.remove(SpendLedger.BUDGET_EXHAUSTED);
    problems.remove(SpendLedger.CIRCUIT_OPEN);
    for (String filter : counts.names(Counter.REJECTED)) {
      if (filter.startsWith("parse/") && !filter.equals("parse/schema")) {
        problems.put(filter, counts.tally(Counter.REJECTED, filter).total());
      }
    }
    return problems.entrySet().stream().filter(e -> e.getValue() > 0)
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
        .orElse(null);
  }

  private static String problem(Map.Entry<String, Long> worst) {
    return "; most common problem: " + worst.getKey() + " (" + worst.getValue() + "): " + dev.seedforge.accounting.FailureHints.of(worst.getKey());
  }

  /** Closes the account of a run that failed with an error: what it paid is in its account, and no later run inherits it. */
  void abandon() {
    try {
      if (ledger != null) {
        ledger.finishRun(context.runId(), "failed");
      }
    } finally {
      folder.close();
    }
  }

  /** What an interrupted run says as the JVM stops: what it paid for is cached, and how to resume. */
  private static String interrupted(SpendLedger ledger, String runId) {
    SpendLedger.Spend spent = ledger == null ? SpendLedger.Spend.NONE : ledger.standing(runId).settled();
    return String.format(Locale.ROOT,
        "the run stopped before it finished; the response cache keeps every answer paid for (%d requests sent, %d tokens, $%.4f);"
            + " run the same command again to resume: it pays only for what is missing and counts this attempt against llm.budget",
        spent.calls(), spent.tokens(), spent.usd());
  }

  private Manifest.BudgetReport budget(RunPlan plan, SpendLedger.Standing s) {
    if (s == null) {
      return null;
    }
    var b = plan.spec().llm().budget();
    return new Manifest.BudgetReport(b.maxCalls(), b.maxTokens(), b.maxCostUsd(), Manifest.BudgetReport.Spent.of(s.settled()),
        s.inheritedRuns(), Manifest.BudgetReport.Spent.of(s.inherited()), Manifest.BudgetReport.Spent.of(s.charged()));
  }

  /** One entry per round: its calls and, per label, the records available after it and what its calls yielded. */
  private List<TopUp.RoundSummary> roundSummaries(RunPlan plan, RunAccount account) {
    if (account == null) {
      return List.of();
    }
    List<TopUp.RoundSummary> out = new ArrayList<>();
    for (int i = 0; i < rounds.size(); i++) {
      Round r = rounds.get(i);
      out.add(new TopUp.RoundSummary(r.round(), r.newRequests(), account.rounds().get(i), r.counts().tally(Counter.BALANCE_AVAILABLE).perLabel(),
          TopUp.yields(plan, i == 0 ? null : rounds.get(i - 1), r)));
    }
    return out;
  }
}
