package dev.seedforge.quality;

import com.google.common.hash.Hashing;
import dev.seedforge.util.SqliteTransactions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sentence vectors embedded before, kept across runs: one SQLite file (WAL mode), keyed by a
 * SHA-256 of the model's name and the text, so a run in a new process embeds only the texts no
 * earlier run embedded. A vector is a pure function of model and text, so the file is shared by
 * every run of the machine, like a model download: by default
 * {@code ${XDG_CACHE_HOME:-~/.cache}/seedforge/vectors.sqlite}, beside the default response cache;
 * {@value #PROPERTY} (system property) or {@value #ENV} (environment) give another file, or
 * {@code off}.
 *
 * <p>Bounded: past {@link #MAX_VECTORS} vectors (about 600 MB of MiniLM vectors) the ones least
 * recently used (by day; the oldest stored among those of one day) go first. Two processes may share the file: writes are
 * {@code INSERT OR IGNORE} of the same bytes for the same key, in {@code BEGIN IMMEDIATE}
 * transactions. A file SQLite cannot read is moved aside (to {@code .corrupt}) and started anew;
 * when the file fails later, the run warns once and embeds without it (a lost vector only costs
 * its embedding again). One connection per file per JVM, shared by all threads.
 */
final class VectorCache {
  static final String PROPERTY = "seedforge.vector_cache";
  static final String ENV = "SEEDFORGE_VECTOR_CACHE";

  /** Vectors kept at most; a tenth more are dropped at once when a write passes it. */
  static final long MAX_VECTORS = 400_000;

  /** Keys per {@code IN (...)} query: below SQLite's limit of bound parameters. */
  private static final int CHUNK = 500;

  private static final Map<String, VectorCache> OPEN = new ConcurrentHashMap<>();

  private final Path file;
  private final long maxVectors;
  private Connection connection;
  private long count;
  private boolean failed;

  private VectorCache(Path file, long maxVectors) {
    this.file = file;
    this.maxVectors = maxVectors;
    try {
      connection = connect(file);
    } catch (SQLException first) {
      // a file that is not a database (or a damaged one): keep it for a look, start a new one
      closeQuietly();
      try {
        moveAside(file);
        connection = connect(file);
      } catch (SQLException | IOException again) {
        disable("cannot open it: " + again.getMessage() + " (first: " + first.getMessage() + ")");
      }
    }
    count = size();
  }

  /** The cache of this machine ({@value #PROPERTY}, {@value #ENV}, or the default file), empty when off. */
  static Optional<VectorCache> shared() {
    String setting = dev.seedforge.util.LocalSettings.value(PROPERTY, ENV);
    if ("off".equals(setting)) {
      return Optional.empty();
    }
    Path path = setting != null ? Path.of(setting) : defaultFile(System.getenv("XDG_CACHE_HOME"));
    return Optional.of(open(path));
  }

  /** The default file: {@code vectors.sqlite} in the folder of the default response cache. */
  static Path defaultFile(String xdgCacheHome) {
    return dev.seedforge.util.LocalSettings.cacheFolder(xdgCacheHome).resolve("vectors.sqlite");
  }

  /** The cache in {@code file}, opened once per JVM. */
  static VectorCache open(Path file) {
    Path key = file.toAbsolutePath().normalize();
    return OPEN.computeIfAbsent(key.toString(), k -> new VectorCache(key, MAX_VECTORS));
  }

  /** A connection of its own to {@code file} (as another process would have), keeping at most {@code maxVectors}. */
  static VectorCache separate(Path file, long maxVectors) {
    return new VectorCache(file.toAbsolutePath().normalize(), maxVectors);
  }

  private static Connection connect(Path file) throws SQLException {
    try {
      Path dir = file.getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new SQLException("cannot create the folder of " + file + ": " + e.getMessage(), e);
    }
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout=10000");
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL, used_day INTEGER NOT NULL)");
      s.execute("CREATE INDEX IF NOT EXISTS vectors_by_use ON vectors (used_day)");
      s.execute("CREATE TABLE IF NOT EXISTS results (key BLOB PRIMARY KEY, value BLOB NOT NULL, stored_at INTEGER NOT NULL)");
      // reads the first page: a file that is not a database fails here, not at the first lookup
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM vectors")) {
        rs.next();
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private static void moveAside(Path file) throws IOException {
    for (String suffix : List.of("", "-wal", "-shm")) {
      Path f = Path.of(file + suffix);
      if (Files.exists(f)) {
        Files.move(f, Path.of(file + suffix + ".corrupt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  Path file() {
    return file;
  }

  /** The stored vectors of {@code texts} embedded by {@code model}, by text; texts never stored are missing. */
  synchronized Map<String, float[]> getAll(String model, Collection<String> texts) {
    Map<String, float[]> out = new HashMap<>();
    if (failed || texts.isEmpty()) {
      return out;
    }
    Map<ByteBuffer, String> byKey = new HashMap<>();
    for (String t : new LinkedHashSet<>(texts)) {
      byKey.put(ByteBuffer.wrap(key(model, t)), t);
    }
    List<ByteBuffer> keys = new ArrayList<>(byKey.keySet());
    List<byte[]> stale = new ArrayList<>();
    long today = today();
    try {
      for (int from = 0; from < keys.size(); from += CHUNK) {
        List<ByteBuffer> chunk = keys.subList(from, Math.min(keys.size(), from + CHUNK));
        String marks = String.join(",", Collections.nCopies(chunk.size(), "?"));
        try (PreparedStatement q = connection.prepareStatement("SELECT key, vector, used_day FROM vectors WHERE key IN (" + marks + ")")) {
          for (int i = 0; i < chunk.size(); i++) {
            q.setBytes(i + 1, chunk.get(i).array());
          }
          try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              byte[] k = rs.getBytes(1);
              float[] v = floats(rs.getBytes(2));
              String text = byKey.get(ByteBuffer.wrap(k));
              if (v != null && text != null) {
                out.put(text, v);
                if (rs.getLong(3) < today) {
                  stale.add(k);
                }
              }
            }
          }
        }
      }
      if (!stale.isEmpty()) {
        // the day of last use orders the eviction; written once a day per vector at most
        SqliteTransactions.immediate(connection, "vector cache", () -> {
          try (PreparedStatement u = connection.prepareStatement("UPDATE vectors SET used_day = ? WHERE key = ?")) {
            for (byte[] k : stale) {
              u.setLong(1, today);
              u.setBytes(2, k);
              u.addBatch();
            }
            u.executeBatch();
          }
          return null;
        });
      }
    } catch (SQLException | IllegalStateException e) {
      disable("a read failed: " + e.getMessage());
    }
    return out;
  }

  /** Stores {@code vectors} (text to vector) of {@code model}; a text stored already keeps its vector. */
  synchronized void putAll(String model, Map<String, float[]> vectors) {
    if (failed || vectors.isEmpty()) {
      return;
    }
    long today = today();
    try {
      SqliteTransactions.immediate(connection, "vector cache", () -> {
        int added = 0;
        try (PreparedStatement q = connection.prepareStatement("INSERT OR IGNORE INTO vectors (key, vector, used_day) VALUES (?, ?, ?)")) {
          for (Map.Entry<String, float[]> e : vectors.entrySet()) {
            q.setBytes(1, key(model, e.getKey()));
            q.setBytes(2, bytes(e.getValue()));
            q.setLong(3, today);
            q.addBatch();
          }
          for (int n : q.executeBatch()) {
            added += Math.max(0, n);
          }
        }
        count += added;
        if (count > maxVectors) {
          // counted again: another process may have added or dropped vectors since
          try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM vectors")) {
            count = rs.next() ? rs.getLong(1) : 0;
          }
        }
        if (count > maxVectors) {
          long drop = count - maxVectors + maxVectors / 10;
          try (PreparedStatement d = connection.prepareStatement(
              "DELETE FROM vectors WHERE key IN (SELECT key FROM vectors ORDER BY used_day, rowid LIMIT ?)")) {
            d.setLong(1, drop);
            count -= d.executeUpdate();
          }
        }
        return null;
      });
    } catch (IllegalStateException e) {
      disable("a write failed: " + e.getMessage());
    }
  }

  /** Results kept at most ({@link #putResult}); the ones stored first go first. */
  static final int MAX_RESULTS = 16;

  /** A result stored under {@code key} ({@link #putResult}), if there is one. */
  synchronized Optional<byte[]> result(byte[] key) {
    if (failed) {
      return Optional.empty();
    }
    try (PreparedStatement q = connection.prepareStatement("SELECT value FROM results WHERE key = ?")) {
      q.setBytes(1, key);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      disable("a read failed: " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Stores the result of a computation that, like a vector, depends on nothing but what {@code key}
   * hashes (the label check's outcome on a pool); at most {@link #MAX_RESULTS} are kept.
   */
  synchronized void putResult(byte[] key, byte[] value) {
    if (failed) {
      return;
    }
    try {
      SqliteTransactions.immediate(connection, "vector cache", () -> {
        try (PreparedStatement q = connection.prepareStatement("INSERT OR REPLACE INTO results (key, value, stored_at) VALUES (?, ?, ?)")) {
          q.setBytes(1, key);
          q.setBytes(2, value);
          q.setLong(3, System.currentTimeMillis());
          q.executeUpdate();
        }
        try (PreparedStatement d = connection.prepareStatement(
            "DELETE FROM results WHERE key NOT IN (SELECT key FROM results ORDER BY stored_at DESC, rowid DESC LIMIT ?)")) {
          d.setInt(1, MAX_RESULTS);
          d.executeUpdate();
        }
        return null;
      });
    } catch (IllegalStateException e) {
      disable("a write failed: " + e.getMessage());
    }
  }

  /** How many vectors the file holds. */
  synchronized long size() {
    if (failed) {
      return 0;
    }
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM vectors")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      disable("a read failed: " + e.getMessage());
      return 0;
    }
  }

  /** Whether the cache stopped being used (a failure of the file). */
  synchronized boolean failed() {
    return failed;
  }

  private void disable(String why) {
    if (!failed) {
      failed = true;
      System.err.println("seedforge: warning: the vector cache " + file + " is not usable, " + why
          + "; embedding without it (delete the file to start a new one, or set " + ENV + "=off)");
    }
    closeQuietly();
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing a broken connection: nothing left to save
      }
      connection = null;
    }
  }

  private static long today() {
    return LocalDate.now(ZoneOffset.UTC).toEpochDay();
  }

  static byte[] key(String model, String text) {
    return Hashing.sha256().newHasher()
        .putString(model, StandardCharsets.UTF_8).putByte((byte) 0).putString(text, StandardCharsets.UTF_8)
        .hash().asBytes();
  }

  /** The vector's floats, bit for bit (little-endian IEEE 754). */
  static byte[] bytes(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /** The floats of a stored vector; null for a blob that cannot be one. */
  static float[] floats(byte[] blob) {
    if (blob == null || blob.length == 0 || blob.length % 4 != 0) {
      return null;
    }
    float[] v = new float[blob.length / 4];
    ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }
}
