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
    String ascii = normalizeAscii(text);
    return ascii != null ? ascii : normalizeUnicode(text);
  }

  static String normalizeUnicode(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    return NON_WORD.matcher(s).replaceAll(" ").strip();
  }

  /**
   * The same result for pure-ASCII text in one pass, or null for any other text: ASCII is its own
   * NFKC form, and its letters and digits are exactly [A-Za-z0-9]. Most text is ASCII, and the
   * Unicode normaliser and the regex cost several times more than the loop.
   */
  private static String normalizeAscii(String text) {
    StringBuilder b = new StringBuilder(text.length());
    boolean gap = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        return null;
      }
      boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
      if (!word) {
        gap = true;
        continue;
      }
      if (gap && b.length() > 0) {
        b.append(' ');
      }
      gap = false;
      b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return b.toString();
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
