package dev.seedforge.config;

import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in pipeline-file values. An unset variable
 * without a default is reported (by name, never by value) to the given problems.
 */
final class EnvSubstitution {
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private EnvSubstitution() {}

  static UnaryOperator<String> using(Map<String, String> env, Problems problems, String source) {
    return text -> {
      Matcher m = VAR.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = env.get(m.group(1));
        if (value == null || value.isEmpty()) {
          value = m.group(2);
        }
        if (value == null) {
          problems.addRaw(
              source
                  + ": environment variable "
                  + m.group(1)
                  + " is not set; set it, or write ${"
                  + m.group(1)
                  + ":-default} in the file");
          value = "";
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    };
  }
}
