package dev.seedforge.util;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps API keys out of everything seedforge writes or prints. Every key read from the environment
 * through {@link #key} is remembered for the life of the JVM, so that any text — an error body
 * that echoes the request's headers, an exception message — can have it replaced before it reaches
 * failed.jsonl, the manifest or the terminal, wherever in the JVM the key was read. Text that only
 * looks like a key is redacted too: {@code Bearer …}, {@code api-key: …}, {@code sk-…}.
 */
public final class Secrets {
  public static final String REDACTED = "[redacted]";

  /** Shorter values are not treated as secrets: replacing them would garble ordinary text. */
  static final int MIN_LENGTH = 6;

  private static final Set<String> KEYS = ConcurrentHashMap.newKeySet();
  /** A credential-like token: eight or more characters that are not spaces, quotes or brackets. */
  private static final String TOKEN = "[^\\s\"'`,;()<>\\[\\]{}]{8,}";
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer\\s+)" + TOKEN);
  private static final Pattern KEY_FIELD =
      Pattern.compile("(?i)\\b((?:x-)?api[-_]?key[\"']?\\s*[:=]\\s*[\"']?)(?!null\\b)" + TOKEN);
  private static final Pattern SK = Pattern.compile("\\bsk-[A-Za-z0-9_\\-]{8,}");

  private Secrets() {}

  /** The value of the environment variable {@code name} (null when unset or blank), remembered for {@link #redact}. */
  public static String key(Map<String, String> env, String name) {
    String value = name == null ? null : env.get(name);
    if (value == null || value.isBlank()) {
      return null;
    }
    remember(value);
    return value;
  }

  /** Treats {@code value} as a secret from now on. */
  public static void remember(String value) {
    if (value != null && value.strip().length() >= MIN_LENGTH) {
      KEYS.add(value.strip());
    }
  }

  /** {@code text} with every remembered key and everything that looks like one replaced by {@value #REDACTED}. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String key : KEYS) {
      out = out.replace(key, REDACTED);
    }
    out = BEARER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
    out = KEY_FIELD.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
    return SK.matcher(out).replaceAll(REDACTED);
  }
}
