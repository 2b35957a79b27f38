package dev.seedforge.prompt;

import dev.seedforge.config.InvalidInputException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt template with {@code {{variable}}} placeholders. Variables are checked when the template
 * is loaded, not at the first call. Substitution is a single pass over the template text: values
 * (seed and generated text) are inserted as data and never scanned for placeholders themselves.
 */
public record Template(String id, String text) implements Serializable {
  private static final Pattern VAR = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

  /** Parses a template and fails, naming file and line, on any variable outside {@code allowed}. */
  public static Template parse(String id, String text, String source, Set<String> allowed) {
    List<String> problems = new ArrayList<>();
    Matcher m = VAR.matcher(text);
    while (m.find()) {
      String name = m.group(1);
      if (!allowed.contains(name)) {
        int line = 1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count();
        problems.add(
            source
                + ":"
                + line
                + ": unknown template variable {{"
                + name
                + "}}; available here: "
                + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
    int open = text.indexOf("{{");
    if (problems.isEmpty() && open >= 0 && !VAR.matcher(text).find()) {
      int line = 1 + (int) text.substring(0, open).chars().filter(c -> c == '\n').count();
      problems.add(source + ":" + line + ": '{{' without a closing '}}'");
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    return new Template(id, text);
  }

  public Set<String> variables() {
    Set<String> out = new java.util.TreeSet<>();
    Matcher m = VAR.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  public String render(Map<String, String> values) {
    Matcher m = VAR.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 256);
    int last = 0;
    while (m.find()) {
      out.append(text, last, m.start());
      String v = values.get(m.group(1));
      if (v == null) {
        throw new IllegalStateException("template " + id + " has no value for {{" + m.group(1) + "}}");
      }
      out.append(v);
      last = m.end();
    }
    out.append(text, last, text.length());
    return out.toString();
  }
}
