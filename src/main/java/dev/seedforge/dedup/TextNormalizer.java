package dev.seedforge.dedup;

import dev.seedforge.util.Hashes;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The form two texts share when they are "the same": Unicode-compatibility folded, lower case,
 * punctuation and symbols dropped, runs of white space collapsed.
 */
public final class TextNormalizer {
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

  private TextNormalizer() {}

  public static String normalize(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    return NON_WORD.matcher(s).replaceAll(" ").strip();
  }

  /** A key for exact duplicates over a record's content fields (sorted by field name). */
  public static String key(Map<String, String> fields) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(fields).entrySet()) {
      b.append(e.getKey()).append('=').append(normalize(e.getValue())).append('\u0001');
    }
    return Hashes.id("norm", b.toString());
  }
}
