package dev.seedforge.accounting;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.util.SqliteTransactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The durable account of what a run folder's runs paid for: one SQLite file
 * ({@code <output dir>/.seedforge/ledger.sqlite}, WAL mode) with a row per run and a row per call
 * sent. It is the one authority for budgets: every call is reserved here before it is sent (its
 * worst case: prompt tokens + max_tokens) and settled with the usage the provider reported, in
 * transactions that every thread and every process on the machine share, so a budget holds across
 * top-up rounds, across workers, and across a kill and a resume.
 *
 * <p>A run that ends (whatever its status) closes its account. A run that never ended (killed) is
 * inherited by the next run in the same folder: its spend, with the calls that were in flight at
 * their worst case, counts against the next run's budget.
 */
public final class SpendLedger {
  private static final ConcurrentHashMap<String, SpendLedger> OPEN = new ConcurrentHashMap<>();

  /** Calls (HTTP requests), tokens and pico-dollars. */
  public record Spend(long calls, long tokens, long picoUsd) {
    public static final Spend NONE = new Spend(0, 0, 0);

    public Spend plus(Spend o) {
      return new Spend(calls + o.calls, tokens + o.tokens, picoUsd + o.picoUsd);
    }

    public double usd() {
      return Usd.toUsd(picoUsd);
    }
  }

  /** What a new run takes over from runs in the same folder that never ended. */
  public record Opening(int inheritedRuns, Spend inherited) {}

  /** A reserved call ({@code callId} &gt; 0), or why it may not be sent ({@code stopKind}: budget_exhausted, circuit_open). */
  public record Reservation(long callId, String stopKind, String refusal) {
    public boolean granted() {
      return refusal == null;
    }
  }

  /** One run's figures as they stand: settled, in flight (worst case), and inherited. */
  public record Standing(Spend settled, Spend inFlight, Spend inherited, int inheritedRuns, long answered, long failed, long cacheHits,
      String stopKind, String stopMessage) {
    /** Everything that counts against the budget. */
    public Spend charged() {
      return settled.plus(inFlight).plus(inherited);
    }
  }

  public static final String BUDGET_EXHAUSTED = "budget_exhausted";
  public static final String CIRCUIT_OPEN = "circuit_open";

  private final Connection connection;
  private final Path file;

  private SpendLedger(Path file) throws SQLException {
    this.file = file;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create the folder of the run ledger " + file + ": " + e.getMessage(), e);
    }
    connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute("PRAGMA busy_timeout=30000");
      s.execute(
          "CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, pipeline TEXT, started_at TEXT NOT NULL, ended_at TEXT,"
              + " state TEXT NOT NULL, status TEXT, resumed_by TEXT,"
              + " inherited_runs INTEGER NOT NULL DEFAULT 0, inherited_calls INTEGER NOT NULL DEFAULT 0,"
              + " inherited_tokens INTEGER NOT NULL DEFAULT 0, inherited_pico INTEGER NOT NULL DEFAULT 0,"
              + " calls INTEGER NOT NULL DEFAULT 0, tokens INTEGER NOT NULL DEFAULT 0, pico INTEGER NOT NULL DEFAULT 0,"
              + " tokens_reserved INTEGER NOT NULL DEFAULT 0, pico_reserved INTEGER NOT NULL DEFAULT 0,"
              + " answered INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, cache_hits INTEGER NOT NULL DEFAULT 0,"
              + " stop_kind TEXT, stop_message TEXT)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, request_id TEXT NOT NULL,"
              + " round INTEGER NOT NULL, label TEXT, state TEXT NOT NULL, failure_kind TEXT,"
              + " reserved_tokens INTEGER NOT NULL, reserved_pico INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 1,"
              + " input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0, pico INTEGER NOT NULL DEFAULT 0,"
              + " sent_at TEXT NOT NULL, settled_at TEXT)");
      s.execute("CREATE INDEX IF NOT EXISTS calls_by_run ON calls (run_id, request_id)");
    }
  }

  /** The ledger of a run folder. */
  public static Path fileFor(Path outDir) {
    return outDir.toAbsolutePath().normalize().resolve(".seedforge").resolve("ledger.sqlite");
  }

  /** The ledger in {@code file}, opened once per JVM and shared by its threads. */
  public static SpendLedger open(Path file) {
    String key = file.toAbsolutePath().normalize().toString();
    return OPEN.computeIfAbsent(key, k -> {
      try {
        return new SpendLedger(Path.of(k));
      } catch (SQLException e) {
        throw new IllegalStateException("cannot open the run ledger " + k + ": " + e.getMessage(), e);
      }
    });
  }

  public Path file() {
    return file;
  }

  /**
   * Opens the account of run {@code runId}. Runs of this folder that never ended are taken over:
   * their spend (in-flight calls at their worst case) and what they had inherited become this
   * run's inheritance, once.
   */
  public synchronized Opening startRun(String runId, String pipeline) {
    return inTransaction(() -> {
      Opening taken = readUnfinished();
      int runs = taken.inheritedRuns();
      Spend inherited = taken.inherited();
      update("UPDATE runs SET state = 'resumed', resumed_by = ? WHERE state = 'running'", runId);
      try (PreparedStatement q = connection.prepareStatement(
          "INSERT INTO runs (run_id, pipeline, started_at, state, inherited_runs, inherited_calls, inherited_tokens, inherited_pico)"
              + " VALUES (?, ?, ?, 'running', ?, ?, ?, ?)")) {
        q.setString(1, runId);
        q.setString(2, pipeline);
        q.setString(3, Instant.now().toString());
        q.setInt(4, runs);
        q.setLong(5, inherited.calls());
        q.setLong(6, inherited.tokens());
        q.setLong(7, inherited.picoUsd());
        q.executeUpdate();
      }
      return new Opening(runs, inherited);
    });
  }

  /** What the next run in this folder would take over from runs that never ended (changes nothing). */
  public synchronized Opening unfinished() {
    return inTransaction(this::readUnfinished);
  }

  private Opening readUnfinished() throws SQLException {
    {
      int runs = 0;
      Spend inherited = Spend.NONE;
      try (PreparedStatement q = connection.prepareStatement(
          "SELECT inherited_runs, inherited_calls + calls, inherited_tokens + tokens + tokens_reserved, inherited_pico + pico + pico_reserved"
              + " FROM runs WHERE state = 'running'");
          ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          runs += 1 + rs.getInt(1);
          inherited = inherited.plus(new Spend(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
        }
      }
      return new Opening(runs, inherited);
    }
  }

  /** Closes the account of a run that ended, so that no later run inherits it. */
  public synchronized void finishRun(String runId, String status) {
    inTransaction(() -> {
      try (PreparedStatement q = connection.prepareStatement("UPDATE runs SET state = 'ended', status = ?, ended_at = ? WHERE run_id = ?")) {
        q.setString(1, status);
        q.setString(2, Instant.now().toString());
        q.setString(3, runId);
        q.executeUpdate();
      }
      return null;
    });
  }

  /**
   * Reserves one call of request {@code requestId}: its first attempt against llm.budget.max_calls,
   * and {@code worstTokens} / {@code worstPico} against max_tokens / max_cost_usd, counting what
   * this run settled, what is in flight and what it inherited. A refusal stops the run's calls for
   * good (the budget is one allowance for the whole run).
   */
  public synchronized Reservation reserve(String runId, PipelineSpec.Budget budget, String requestId, int round, String label,
      long worstTokens, long worstPico) {
    return inTransaction(() -> {
      Standing s = standingOrThrow(runId);
      if (s.stopKind() != null) {
        return new Reservation(-1, s.stopKind(), s.stopMessage());
      }
      String refusal = refusal(budget, s, 1, worstTokens, worstPico);
      if (refusal != null) {
        stopIn(runId, BUDGET_EXHAUSTED, refusal);
        return new Reservation(-1, BUDGET_EXHAUSTED, refusal);
      }
      update("UPDATE runs SET calls = calls + 1, tokens_reserved = tokens_reserved + ?, pico_reserved = pico_reserved + ? WHERE run_id = ?",
          worstTokens, worstPico, runId);
      return inFlight(runId, requestId, round, label, worstTokens, worstPico, null);
    });
  }

  /**
   * Takes over a request that an earlier, unfinished attempt in this folder already sent (in a
   * provider batch this run re-attached to): its worst case is held until it is settled, but it is
   * not refused and counts no new HTTP request, since it was counted, and inherited at its worst
   * case, with the attempt that sent it.
   */
  public synchronized Reservation adopt(String runId, String requestId, int round, String label, long worstTokens, long worstPico) {
    return inTransaction(() -> {
      standingOrThrow(runId);
      update("UPDATE runs SET tokens_reserved = tokens_reserved + ?, pico_reserved = pico_reserved + ? WHERE run_id = ?",
          worstTokens, worstPico, runId);
      return inFlight(runId, requestId, round, label, worstTokens, worstPico, 0);
    });
  }

  /** Inserts a call in flight with its worst case; {@code attempts} null leaves the column's default. */
  private Reservation inFlight(String runId, String requestId, int round, String label, long worstTokens, long worstPico, Integer attempts)
      throws SQLException {
    try (PreparedStatement q = connection.prepareStatement(
        "INSERT INTO calls (run_id, request_id, round, label, state, reserved_tokens, reserved_pico, sent_at" + (attempts == null ? "" : ", attempts")
            + ") VALUES (?, ?, ?, ?, 'in_flight', ?, ?, ?" + (attempts == null ? "" : ", ?") + ")",
        Statement.RETURN_GENERATED_KEYS)) {
      q.setString(1, runId);
      q.setString(2, requestId);
      q.setInt(3, round);
      q.setString(4, label);
      q.setLong(5, worstTokens);
      q.setLong(6, worstPico);
      q.setString(7, Instant.now().toString());
      if (attempts != null) {
        q.setInt(8, attempts);
      }
      q.executeUpdate();
      try (ResultSet keys = q.getGeneratedKeys()) {
        keys.next();
        return new Reservation(keys.getLong(1), null, null);
      }
    }
  }

  /**
   * Reserves one more attempt of a reserved call (a retry after a 429, 5xx or timeout): every HTTP
   * request counts against max_calls, so the server never sees more requests than the budget
   * allows. Its tokens are already reserved: a failed attempt reports no usage.
   */
  public synchronized Reservation reserveRetry(String runId, PipelineSpec.Budget budget, long callId) {
    return inTransaction(() -> {
      Standing s = standingOrThrow(runId);
      if (s.stopKind() != null) {
        return new Reservation(-1, s.stopKind(), s.stopMessage());
      }
      String refusal = refusal(budget, s, 1, 0, 0);
      if (refusal != null) {
        stopIn(runId, BUDGET_EXHAUSTED, refusal);
        return new Reservation(-1, BUDGET_EXHAUSTED, refusal);
      }
      update("UPDATE runs SET calls = calls + 1 WHERE run_id = ?", runId);
      update("UPDATE calls SET attempts = attempts + 1 WHERE id = ?", callId);
      return new Reservation(callId, null, null);
    });
  }

  /**
   * Replaces a call's reservation by what it used: {@code failureKind} null when it was answered,
   * and the attempts it took (a retry refused by the budget was never sent, so it is returned).
   */
  public synchronized void settle(String runId, long callId, String failureKind, int attempts, long inputTokens, long outputTokens, long pico) {
    inTransaction(() -> {
      long reservedTokens;
      long reservedPico;
      int reservedAttempts;
      try (PreparedStatement q = connection.prepareStatement("SELECT reserved_tokens, reserved_pico, attempts FROM calls WHERE id = ?")) {
        q.setLong(1, callId);
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          reservedTokens = rs.getLong(1);
          reservedPico = rs.getLong(2);
          reservedAttempts = rs.getInt(3);
        }
      }
      int unsent = Math.max(0, reservedAttempts - Math.max(attempts, 1));
      update("UPDATE runs SET tokens_reserved = tokens_reserved - ?, pico_reserved = pico_reserved - ?, tokens = tokens + ?, pico = pico + ?,"
              + " calls = calls - ?, answered = answered + ?, failed = failed + ? WHERE run_id = ?",
          reservedTokens, reservedPico, inputTokens + outputTokens, pico, unsent, failureKind == null ? 1 : 0, failureKind == null ? 0 : 1, runId);
      try (PreparedStatement q = connection.prepareStatement(
          "UPDATE calls SET state = ?, failure_kind = ?, attempts = ?, input_tokens = ?, output_tokens = ?, pico = ?, settled_at = ? WHERE id = ?")) {
        q.setString(1, failureKind == null ? "answered" : "failed");
        q.setString(2, failureKind);
        q.setInt(3, Math.max(attempts, 1));
        q.setLong(4, inputTokens);
        q.setLong(5, outputTokens);
        q.setLong(6, pico);
        q.setString(7, Instant.now().toString());
        q.setLong(8, callId);
        q.executeUpdate();
      }
      return null;
    });
  }

  /** Counts a request answered from the response cache (for the progress line; it costs nothing). */
  public synchronized void cacheHit(String runId) {
    inTransaction(() -> {
      update("UPDATE runs SET cache_hits = cache_hits + 1 WHERE run_id = ?", runId);
      return null;
    });
  }

  /** Stops a run's calls (the circuit breaker, or a budget); the first reason given stays. */
  public synchronized void stop(String runId, String kind, String message) {
    inTransaction(() -> {
      stopIn(runId, kind, message);
      return null;
    });
  }

  private void stopIn(String runId, String kind, String message) throws SQLException {
    update("UPDATE runs SET stop_kind = ?, stop_message = ? WHERE run_id = ? AND stop_kind IS NULL", kind, message, runId);
  }

  /** Where run {@code runId} stands now. */
  public synchronized Standing standing(String runId) {
    try {
      return standingOrThrow(runId);
    } catch (SQLException e) {
      throw new IllegalStateException("run ledger " + file + " read failed: " + e.getMessage(), e);
    }
  }

  private Standing standingOrThrow(String runId) throws SQLException {
    try (PreparedStatement q = connection.prepareStatement(
        "SELECT calls, tokens, pico, tokens_reserved, pico_reserved, inherited_calls, inherited_tokens, inherited_pico, inherited_runs,"
            + " answered, failed, cache_hits, stop_kind, stop_message FROM runs WHERE run_id = ?")) {
      q.setString(1, runId);
      try (ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("run " + runId + " was never started in the run ledger " + file);
        }
        // calls are counted as reserved; the ones still in flight are part of "calls" already
        return new Standing(
            new Spend(rs.getLong(1), rs.getLong(2), rs.getLong(3)),
            new Spend(0, rs.getLong(4), rs.getLong(5)),
            new Spend(rs.getLong(6), rs.getLong(7), rs.getLong(8)),
            rs.getInt(9), rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getString(13), rs.getString(14));
      }
    }
  }

  /** Why {@code calls} more calls of up to {@code tokens} / {@code pico} would break the budget, or null. */
  static String refusal(PipelineSpec.Budget b, Standing s, long calls, long tokens, long pico) {
    Spend c = s.charged();
    if (b.maxCalls() > 0 && c.calls() + calls > b.maxCalls()) {
      String earlier = s.inheritedRuns() == 0 ? "" : ", " + s.inherited().calls() + " of them by earlier unfinished attempts";
      return "llm.budget.max_calls " + b.maxCalls() + " reached (" + c.calls() + " calls sent" + earlier + ")";
    }
    if (b.maxTokens() > 0 && c.tokens() + tokens > b.maxTokens()) {
      return "llm.budget.max_tokens " + b.maxTokens() + " reached (" + s.settled().tokens() + " spent, " + s.inFlight().tokens() + " in flight, "
          + s.inherited().tokens() + " by earlier unfinished attempts; the next call may take up to " + tokens + ")";
    }
    if (b.maxCostUsd() > 0 && c.picoUsd() + pico > Usd.fromUsd(b.maxCostUsd())) {
      return String.format(Locale.ROOT,
          "llm.budget.max_cost_usd %.4f reached ($%.4f spent, $%.4f in flight, $%.4f by earlier unfinished attempts; the next call may cost up to $%.4f)",
          b.maxCostUsd(), s.settled().usd(), s.inFlight().usd(), s.inherited().usd(), Usd.toUsd(pico));
    }
    return null;
  }

  private void update(String sql, Object... args) throws SQLException {
    try (PreparedStatement q = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        q.setObject(i + 1, args[i]);
      }
      q.executeUpdate();
    }
  }

  /** One immediate transaction: every process that shares the file waits for it, so checks and updates cannot interleave. */
  private <T> T inTransaction(SqliteTransactions.Work<T> work) {
    return SqliteTransactions.immediate(connection, "run ledger " + file + " write", work);
  }
}
