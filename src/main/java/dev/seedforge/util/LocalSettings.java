package dev.seedforge.util;

import java.nio.file.Path;

/** This machine's settings outside the pipeline file: where seedforge caches for every run, and the JVM-property-or-environment switches. */
public final class LocalSettings {
  private LocalSettings() {}

  /** {@code ${XDG_CACHE_HOME:-~/.cache}/seedforge}, for {@code xdgCacheHome} the variable's value (null when unset). */
  public static Path cacheFolder(String xdgCacheHome) {
    Path dir = xdgCacheHome != null && !xdgCacheHome.isBlank() ? Path.of(xdgCacheHome) : Path.of(System.getProperty("user.home"), ".cache");
    return dir.resolve("seedforge");
  }

  /** The JVM property {@code property} when set, else the environment's {@code env}, stripped; null when neither says anything. */
  public static String value(String property, String env) {
    String s = System.getProperty(property);
    if (s == null || s.isBlank()) {
      s = System.getenv(env);
    }
    return s == null || s.isBlank() ? null : s.strip();
  }
}
