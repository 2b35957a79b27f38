package dev.seedforge.generate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The persistent response cache: one SQLite file (WAL mode), keyed by {@link GenerationRequest#id()},
 * which hashes provider, endpoint, model, messages, sampling parameters and sample index. Each
 * response records the run that paid for it and when. Every successful
 * response is stored as soon as it arrives, so a killed run resumes paying only for what is
 * missing. One connection per file per JVM, shared by all threads; it holds responses and usage
 * only, never keys or headers.
 */
public final class ResponseCache {
  private static final ConcurrentHashMap<String, ResponseCache> OPEN = new ConcurrentHashMap<>();

  /** A stored response, and the run that paid for it (null for responses stored before runs were recorded). */
  public record Entry(String text, String finishReason, long inputTokens, long outputTokens, String paidByRun) {}

  private final Connection connection;

  private ResponseCache(Path file) throws SQLException {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create the cache folder for " + file + ": " + e.getMessage(), e);
    }
    connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute("PRAGMA busy_timeout=10000");
      s.execute(
          "CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, model TEXT, text TEXT, finish_reason TEXT,"
              + " input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, stored_at TEXT NOT NULL)");
      boolean hasPaidBy = false;
      try (ResultSet rs = s.executeQuery("PRAGMA table_info(responses)")) {
        while (rs.next()) {
          hasPaidBy |= "paid_by_run".equals(rs.getString("name"));
        }
      }
      if (!hasPaidBy) {
        // caches written before runs were recorded keep working: their answers count as paid by an earlier run
        s.execute("ALTER TABLE responses ADD COLUMN paid_by_run TEXT");
      }
      s.execute("CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, run_id TEXT NOT NULL, claimed_at INTEGER NOT NULL, pid INTEGER NOT NULL)");
    }
  }

  /** The cache for {@code path}, opened once per JVM. */
  public static ResponseCache open(String path) {
    String key = Path.of(path).toAbsolutePath().normalize().toString();
    return OPEN.computeIfAbsent(
        key,
        k -> {
          try {
            return new ResponseCache(Path.of(k));
          } catch (SQLException e) {
            throw new IllegalStateException("cannot open the response cache " + k + " (llm.cache; --no-cache runs without it): " + e.getMessage(), e);
          }
        });
  }

  public synchronized Entry get(String id) {
    try (PreparedStatement q = connection.prepareStatement("SELECT text, finish_reason, input_tokens, output_tokens, paid_by_run FROM responses WHERE id = ?")) {
      q.setString(1, id);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? new Entry(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5)) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("response cache read failed: " + e.getMessage(), e);
    }
  }

  /** What {@link #claim} found. */
  public enum Claim {
    /** The request is this run's to send. */
    CLAIMED,
    /** Another run is sending it now: wait for its answer. */
    HELD,
    /** It has an answer already. */
    ANSWERED
  }

  /**
   * Claims request {@code id} for run {@code runId} before it is sent, so that two runs sharing
   * this cache never pay for the same request at once: while another run's claim is younger than
   * {@code staleMillis} (longer than a call with all its retries can take) and its process is
   * alive, the request is HELD; a claim left by a killed run (its process gone, or the claim stale)
   * is taken over. With {@code answeredCounts}, a stored answer ends the wait (ANSWERED).
   */
  public synchronized Claim claim(String id, String runId, long staleMillis, boolean answeredCounts) {
    return dev.seedforge.util.SqliteTransactions.immediate(connection, "response cache claim", () -> claimIn(id, runId, staleMillis, answeredCounts));
  }

  private Claim claimIn(String id, String runId, long staleMillis, boolean answeredCounts) throws SQLException {
    if (answeredCounts) {
      try (PreparedStatement q = connection.prepareStatement("SELECT 1 FROM responses WHERE id = ?")) {
        q.setString(1, id);
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            return Claim.ANSWERED;
          }
        }
      }
    }
    long now = System.currentTimeMillis();
    try (PreparedStatement q = connection.prepareStatement("SELECT run_id, claimed_at, pid FROM claims WHERE id = ?")) {
      q.setString(1, id);
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next() && !rs.getString(1).equals(runId) && rs.getLong(2) > now - staleMillis
            && ProcessHandle.of(rs.getLong(3)).map(ProcessHandle::isAlive).orElse(false)) {
          return Claim.HELD;
        }
      }
    }
    try (PreparedStatement q = connection.prepareStatement("INSERT OR REPLACE INTO claims (id, run_id, claimed_at, pid) VALUES (?, ?, ?, ?)")) {
      q.setString(1, id);
      q.setString(2, runId);
      q.setLong(3, now);
      q.setLong(4, ProcessHandle.current().pid());
      q.executeUpdate();
    }
    return Claim.CLAIMED;
  }

  /** Gives up run {@code runId}'s claim on {@code id} (its call ended, answered or not). */
  public synchronized void release(String id, String runId) {
    try (PreparedStatement q = connection.prepareStatement("DELETE FROM claims WHERE id = ? AND run_id = ?")) {
      q.setString(1, id);
      q.setString(2, runId);
      q.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("response cache write failed: " + e.getMessage(), e);
    }
  }

  public synchronized void put(String id, String model, Entry e) {
    try (PreparedStatement q =
        connection.prepareStatement(
            "INSERT OR REPLACE INTO responses (id, model, text, finish_reason, input_tokens, output_tokens, stored_at, paid_by_run) VALUES (?,?,?,?,?,?,?,?)")) {
      q.setString(1, id);
      q.setString(2, model);
      q.setString(3, e.text());
      q.setString(4, e.finishReason());
      q.setLong(5, e.inputTokens());
      q.setLong(6, e.outputTokens());
      q.setString(7, java.time.Instant.now().toString());
      q.setString(8, e.paidByRun());
      q.executeUpdate();
    } catch (SQLException ex) {
      throw new IllegalStateException("response cache write failed: " + ex.getMessage(), ex);
    }
  }

  /** Which of {@code ids} have a stored response. */
  public synchronized java.util.Set<String> stored(java.util.Collection<String> ids) {
    java.util.Set<String> out = new java.util.HashSet<>();
    java.util.List<String> all = new java.util.ArrayList<>(ids);
    for (int from = 0; from < all.size(); from += 500) {
      java.util.List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
      String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
      try (PreparedStatement q = connection.prepareStatement("SELECT id FROM responses WHERE id IN (" + marks + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          q.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("response cache read failed: " + e.getMessage(), e);
      }
    }
    return out;
  }

  public synchronized long size() {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM responses")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException("response cache read failed: " + e.getMessage(), e);
    }
  }
}
