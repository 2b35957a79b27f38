package dev.seedforge.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A typed, checked view of one YAML mapping. Every read records the key as known; {@link #finish()}
 * reports the keys nobody asked for, with a suggestion when one is close to a known key. Type
 * errors are collected into {@link Problems}, never thrown, so a file's errors are all reported.
 */
public final class Fields {
  private final JsonNode node;
  private final String path;
  private final Problems problems;
  private final UnaryOperator<String> substitute;
  private final Set<String> known = new LinkedHashSet<>();

  public Fields(JsonNode node, String path, Problems problems, UnaryOperator<String> substitute) {
    this.node = node == null ? MissingNode.getInstance() : node;
    this.path = path;
    this.problems = problems;
    this.substitute = substitute;
    if (!this.node.isMissingNode() && !this.node.isNull() && !this.node.isObject()) {
      problems.add(path, "expected a mapping of keys to values, got " + describe(this.node));
    }
  }

  private String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private JsonNode get(String key) {
    known.add(key);
    JsonNode v = node.isObject() ? node.get(key) : null;
    return v == null || v.isNull() ? null : v;
  }

  public boolean has(String key) {
    return node.isObject() && node.has(key) && !node.get(key).isNull();
  }

  public String string(String key, String def) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    if (!v.isValueNode() || v.isBinary()) {
      problems.add(at(key), "expected a text value, got " + describe(v));
      return def;
    }
    return substitute.apply(v.asText());
  }

  public String requiredString(String key) {
    String s = string(key, null);
    if (s == null && !has(key)) {
      problems.add(at(key), "required; add it to the file");
    }
    return s;
  }

  public double number(String key, double def, double min, double max) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    double d;
    if (v.isNumber()) {
      d = v.asDouble();
    } else if (v.isTextual() && isNumeric(substitute.apply(v.asText()))) {
      d = Double.parseDouble(substitute.apply(v.asText()).trim());
    } else {
      problems.add(at(key), "expected a number, got " + describe(v));
      return def;
    }
    if (d < min || d > max) {
      problems.add(at(key), "must be between " + fmt(min) + " and " + fmt(max) + ", got " + fmt(d));
      return def;
    }
    return d;
  }

  public int integer(String key, int def, int min, int max) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    long l;
    if (v.isIntegralNumber()) {
      l = v.asLong();
    } else if (v.isTextual() && substitute.apply(v.asText()).trim().matches("-?\\d+")) {
      l = Long.parseLong(substitute.apply(v.asText()).trim());
    } else {
      problems.add(at(key), "expected a whole number, got " + describe(v));
      return def;
    }
    if (l < min || l > max) {
      problems.add(at(key), "must be between " + min + " and " + max + ", got " + l);
      return def;
    }
    return (int) l;
  }

  public long longValue(String key, long def, long min, long max) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    if (!v.isIntegralNumber()) {
      problems.add(at(key), "expected a whole number, got " + describe(v));
      return def;
    }
    long l = v.asLong();
    if (l < min || l > max) {
      problems.add(at(key), "must be between " + min + " and " + max + ", got " + l);
      return def;
    }
    return l;
  }

  public boolean bool(String key, boolean def) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    problems.add(at(key), "expected true or false, got " + describe(v));
    return def;
  }

  public List<String> stringList(String key, List<String> def) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    if (v.isTextual()) {
      return List.of(substitute.apply(v.asText()));
    }
    if (!v.isArray()) {
      problems.add(at(key), "expected a list of text values, got " + describe(v));
      return def;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isValueNode() || e.isNull()) {
        problems.add(at(key) + "[" + i + "]", "expected a text value, got " + describe(e));
      } else {
        out.add(substitute.apply(e.asText()));
      }
    }
    return out;
  }

  /** A mapping of text keys to text values, in file order. */
  public Map<String, String> stringMap(String key) {
    JsonNode v = get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out;
    }
    if (!v.isObject()) {
      problems.add(at(key), "expected a mapping, got " + describe(v));
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        problems.add(at(key) + "." + e.getKey(), "expected a text value, got " + describe(e.getValue()));
      } else {
        out.put(e.getKey(), substitute.apply(e.getValue().asText()));
      }
    }
    return out;
  }

  public JsonNode raw(String key) {
    return get(key);
  }

  public Fields object(String key) {
    return new Fields(get(key), at(key), problems, substitute);
  }

  public String path() {
    return path;
  }

  /** Reports every key that was never read. */
  public void finish() {
    if (!node.isObject()) {
      return;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        String hint = closest(k);
        problems.add(
            at(k),
            "unknown key"
                + (hint != null ? "; did you mean '" + hint + "'?" : "; known keys here: " + String.join(", ", known)));
      }
    }
  }

  private String closest(String k) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String c : known) {
      int d = levenshtein(k.toLowerCase(), c.toLowerCase());
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return bestD <= Math.max(2, k.length() / 3) ? best : null;
  }

  /** Edit distance in which swapping two adjacent letters is one edit, the commonest typo ("modle" is one edit from "model"). */
  static int levenshtein(String a, String b) {
    int[] before = new int[b.length() + 1];
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          cur[j] = Math.min(cur[j], before[j - 2] + 1);
        }
      }
      int[] t = before;
      before = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static boolean isNumeric(String s) {
    try {
      Double.parseDouble(s.trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }

  static String describe(JsonNode v) {
    if (v == null || v.isNull()) {
      return "nothing";
    }
    if (v.isTextual()) {
      return "\"" + v.asText() + "\"";
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isObject()) {
      return "a mapping";
    }
    return v.toString();
  }
}
