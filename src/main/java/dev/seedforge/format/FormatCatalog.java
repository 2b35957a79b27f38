package dev.seedforge.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.Fields;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.Problems;
import dev.seedforge.config.YamlFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Finds and reads format files: {@code <name>.yaml} in the templates folder when it has one, else
 * the copy built into the jar (the repository's {@code templates/} folder is packaged as a
 * resource). Every problem is added to {@link Problems} with its file and key.
 */
public final class FormatCatalog {
  private FormatCatalog() {}

  public static List<FormatSpec> load(List<String> names, Path templatesDir, Problems problems, String field) {
    List<FormatSpec> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (out.stream().anyMatch(f -> f.name().equals(name))) {
        problems.add(field + "[" + i + "]", "format \"" + name + "\" is listed twice");
        continue;
      }
      FormatSpec f = loadOne(name, templatesDir, problems, field + "[" + i + "]");
      if (f != null) {
        out.add(f);
      }
    }
    return out;
  }

  static FormatSpec loadOne(String name, Path templatesDir, Problems problems, String field) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      problems.add(field, "a format name uses letters, digits, '.', '_' or '-' only, got \"" + name + "\"");
      return null;
    }
    String text;
    String source;
    Path file = templatesDir == null ? null : templatesDir.resolve(name + ".yaml");
    try {
      if (file != null && Files.isRegularFile(file)) {
        text = Files.readString(file, StandardCharsets.UTF_8);
        source = file.toString();
      } else {
        try (InputStream in = FormatCatalog.class.getResourceAsStream("/templates/" + name + ".yaml")) {
          if (in == null) {
            problems.add(field, "no format \"" + name + "\": no " + name + ".yaml in " + templatesDir + " and none built in (built in: " + String.join(", ", FormatSpec.KINDS) + ")");
            return null;
          }
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          source = "built-in templates/" + name + ".yaml";
        }
      }
    } catch (IOException e) {
      problems.add(field, "cannot read format " + name + ": " + e.getMessage());
      return null;
    }
    return parse(text, source, name, problems);
  }

  /** Parses one format file; problems are reported as {@code file: key: why}. */
  public static FormatSpec parse(String text, String source, String expectedName, Problems outer) {
    JsonNode root;
    try {
      root = YamlFiles.read(text, source);
    } catch (InvalidInputException e) {
      outer.addAll(e.problems());
      return null;
    }
    Problems problems = new Problems(source);
    Fields top = new Fields(root, "", problems, UnaryOperator.identity());
    String name = top.requiredString("name");
    if (name != null && expectedName != null && !name.equals(expectedName)) {
      problems.add("name", "is \"" + name + "\" but the file is " + expectedName + ".yaml; they must match");
    }
    String kind = top.string("kind", name);
    if (kind != null && !FormatSpec.KINDS.contains(kind)) {
      problems.add("kind", "expected one of " + String.join(", ", FormatSpec.KINDS) + ", got \"" + kind + "\"");
    }
    String extension = top.string("extension", "jsonl");
    if (extension != null && !extension.matches("[A-Za-z0-9.]+")) {
      problems.add("extension", "letters, digits and '.' only, got \"" + extension + "\"");
    }
    String description = top.string("description", "");
    Fields o = top.object("options");
    boolean weight = false;
    List<String> separators = List.of();
    List<String> stops = List.of();
    if ("openai-chat".equals(kind)) {
      weight = o.bool("weight", false);
    } else if ("prompt-completion".equals(kind)) {
      separators = o.stringList("separators", PromptCompletion.DEFAULT_SEPARATORS);
      stops = o.stringList("stops", PromptCompletion.DEFAULT_STOPS);
      if (separators.isEmpty() || separators.size() > 31 || separators.stream().anyMatch(String::isEmpty)) {
        problems.add("options.separators", "give 1 to 31 non-empty candidate separators");
      }
      if (stops.isEmpty() || stops.size() > 31 || stops.stream().anyMatch(String::isEmpty)) {
        problems.add("options.stops", "give 1 to 31 non-empty candidate stop sequences");
      }
    }
    o.finish();
    top.finish();
    if (!problems.isEmpty()) {
      outer.addAll(problems.all());
      return null;
    }
    return new FormatSpec(name, kind, extension, description, weight, separators, stops);
  }
}
