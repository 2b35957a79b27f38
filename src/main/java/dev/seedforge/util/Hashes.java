package dev.seedforge.util;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/** Content hashes used as record ids and as deterministic random draws. */
public final class Hashes {
  private Hashes() {}

  /** A 16-hex-digit SHA-256 prefix of the given parts, separated so that ("ab","c") != ("a","bc"). */
  public static String id(String... parts) {
    Hasher h = Hashing.sha256().newHasher();
    for (String p : parts) {
      String s = p == null ? "\u0000null" : p;
      h.putInt(s.length());
      h.putString(s, StandardCharsets.UTF_8);
    }
    return h.hash().toString().substring(0, 16);
  }

  /** A uniform 64-bit value drawn deterministically from the pipeline seed and a key. */
  public static long draw(long seed, String key) {
    return Hashing.sha256()
        .newHasher()
        .putLong(seed)
        .putString(key, StandardCharsets.UTF_8)
        .hash()
        .asLong();
  }

  /** A deterministic draw in [0, 1). */
  public static double unit(long seed, String key) {
    return (draw(seed, key) >>> 11) * 0x1.0p-53;
  }
}
