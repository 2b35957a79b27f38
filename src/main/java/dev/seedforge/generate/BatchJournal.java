package dev.seedforge.generate;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The batches a run submitted, kept in the response cache's database (tables {@code batches} and
 * {@code batch_items}) next to the answers they bring: a run that is killed or stopped while its
 * batches are running leaves them here, and the next run that needs any of their requests re-attaches
 * to them instead of submitting (and paying for) them again. A batch stays open until its results
 * were collected into the cache. One connection per file per JVM.
 */
final class BatchJournal {
  private static final ConcurrentHashMap<String, BatchJournal> OPEN = new ConcurrentHashMap<>();

  /** An open batch: where it was sent, and the requests in it. */
  record Open(String batchId, String status, String runId, List<String> requestIds) {}

  private final Connection connection;
  private final Path file;

  private BatchJournal(Path file) throws SQLException {
    this.file = file;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create the folder of " + file + ": " + e.getMessage(), e);
    }
    connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA busy_timeout=30000");
      s.execute("CREATE TABLE IF NOT EXISTS batches (batch_id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, model TEXT NOT NULL,"
          + " input_file_id TEXT NOT NULL, run_id TEXT NOT NULL, status TEXT NOT NULL, requests INTEGER NOT NULL,"
          + " submitted_at TEXT NOT NULL, closed_at TEXT)");
      s.execute("CREATE TABLE IF NOT EXISTS batch_items (batch_id TEXT NOT NULL, request_id TEXT NOT NULL, PRIMARY KEY (batch_id, request_id))");
      s.execute("CREATE INDEX IF NOT EXISTS batch_items_by_request ON batch_items (request_id)");
    }
  }

  /** The journal in {@code file} (the response cache, or the run folder's own file without one). */
  static BatchJournal open(Path file) {
    String key = file.toAbsolutePath().normalize().toString();
    return OPEN.computeIfAbsent(key, k -> {
      try {
        return new BatchJournal(Path.of(k));
      } catch (SQLException e) {
        throw new IllegalStateException("cannot open the batch journal " + k + ": " + e.getMessage(), e);
      }
    });
  }

  /** Records a submitted batch and its requests, in one transaction, before anything waits on it. */
  synchronized void submitted(String batchId, String endpoint, String model, String inputFileId, String runId, String status,
      List<String> requestIds) {
    inTransaction(() -> {
      try (PreparedStatement q = connection.prepareStatement(
          "INSERT INTO batches (batch_id, endpoint, model, input_file_id, run_id, status, requests, submitted_at) VALUES (?,?,?,?,?,?,?,?)")) {
        q.setString(1, batchId);
        q.setString(2, endpoint);
        q.setString(3, model);
        q.setString(4, inputFileId);
        q.setString(5, runId);
        q.setString(6, status);
        q.setInt(7, requestIds.size());
        q.setString(8, Instant.now().toString());
        q.executeUpdate();
      }
      try (PreparedStatement q = connection.prepareStatement("INSERT OR IGNORE INTO batch_items (batch_id, request_id) VALUES (?, ?)")) {
        for (String id : requestIds) {
          q.setString(1, batchId);
          q.setString(2, id);
          q.addBatch();
        }
        q.executeBatch();
      }
      return null;
    });
  }

  /** The batches at {@code endpoint} whose results were not collected yet, oldest first. */
  synchronized List<Open> open(String endpoint) {
    return inTransaction(() -> {
      Map<String, Open> out = new LinkedHashMap<>();
      try (PreparedStatement q = connection.prepareStatement(
          "SELECT batch_id, status, run_id FROM batches WHERE endpoint = ? AND closed_at IS NULL ORDER BY submitted_at, batch_id")) {
        q.setString(1, endpoint);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), new Open(rs.getString(1), rs.getString(2), rs.getString(3), new ArrayList<>()));
          }
        }
      }
      try (PreparedStatement q = connection.prepareStatement("SELECT request_id FROM batch_items WHERE batch_id = ? ORDER BY request_id")) {
        for (Open o : out.values()) {
          q.setString(1, o.batchId());
          try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              o.requestIds().add(rs.getString(1));
            }
          }
        }
      }
      return List.copyOf(out.values());
    });
  }

  synchronized void status(String batchId, String status) {
    update("UPDATE batches SET status = ? WHERE batch_id = ?", status, batchId);
  }

  /** The batch's results are in the cache (or it ended without any): no run re-attaches to it again. */
  synchronized void closed(String batchId, String status) {
    update("UPDATE batches SET status = ?, closed_at = ? WHERE batch_id = ?", status, Instant.now().toString(), batchId);
  }

  private void update(String sql, Object... args) {
    inTransaction(() -> {
      try (PreparedStatement q = connection.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          q.setObject(i + 1, args[i]);
        }
        q.executeUpdate();
      }
      return null;
    });
  }

  private <T> T inTransaction(SqliteTransactions.Work<T> work) {
    return SqliteTransactions.immediate(connection, "batch journal " + file + " write", work);
  }
}
