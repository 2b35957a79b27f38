package dev.seedforge.util;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One SQLite write transaction taken with {@code BEGIN IMMEDIATE}: the write lock is held from the
 * first statement, so two processes sharing the file (the run ledger, the response cache, the
 * batch journal) never both read a state and then both act on it.
 */
public final class SqliteTransactions {
  private SqliteTransactions() {}

  /** The work of one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. {@code what} names the store in the error. */
  public static <T> T immediate(Connection connection, String what, Work<T> work) {
    try {
      execute(connection, "BEGIN IMMEDIATE");
      try {
        T out = work.run();
        execute(connection, "COMMIT");
        return out;
      } catch (SQLException | RuntimeException e) {
        execute(connection, "ROLLBACK");
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }
}
