package dev.seedforge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.seedforge.config.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The repository's JSON Schemas ({@code schemas/*.schema.json}), applied to YAML files with the
 * networknt validator, and the fields that the schema and the loaders name in their verdicts, in
 * one spelling ({@code llm.temperature}, {@code subsets[1]}).
 */
public final class Schemas {
  public static final Path PIPELINE = Path.of("schemas/pipeline.schema.json");
  public static final Path PACK = Path.of("schemas/pack.schema.json");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> NAMES_A_PROPERTY = Set.of("additionalProperties", "required", "unevaluatedProperties");

  private Schemas() {}

  public static Schema load(Path schemaFile) throws IOException {
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(Files.readString(schemaFile));
  }

  public static List<Error> validate(Path schemaFile, Path yamlFile) throws IOException {
    JsonNode doc = YAML.readTree(Files.readString(yamlFile));
    return load(schemaFile).validate(doc == null ? YAML.createObjectNode() : doc);
  }

  /** The fields the schema's errors name: the instance's path, plus the property a key rule is about. */
  public static Set<String> fields(List<Error> errors) {
    Set<String> out = new TreeSet<>();
    for (Error e : errors) {
      StringBuilder at = new StringBuilder();
      var path = e.getInstanceLocation();
      for (int i = 0; i < path.getNameCount(); i++) {
        Object element = path.getElement(i);
        if (element instanceof Integer index) {
          at.append('[').append(index).append(']');
        } else {
          at.append(at.length() == 0 ? "" : ".").append(element);
        }
      }
      // a key rule names the key: the unknown or missing one (dependentRequired: the missing one first)
      String key = "dependentRequired".equals(e.getKeyword()) ? String.valueOf(e.getArguments()[0])
          : NAMES_A_PROPERTY.contains(e.getKeyword()) ? e.getProperty() : null;
      if (key != null) {
        at.append(at.length() == 0 ? "" : ".").append(key);
      }
      out.add(at.toString());
    }
    return out;
  }

  /** The fields a loader's problems name ({@code FILE: FIELD: message}). */
  public static Set<String> fields(InvalidInputException e, String source) {
    Set<String> out = new TreeSet<>();
    for (String p : e.problems()) {
      String rest = p.startsWith(source + ": ") ? p.substring(source.length() + 2) : p;
      int colon = rest.indexOf(": ");
      out.add(colon < 0 ? rest : rest.substring(0, colon));
    }
    return out;
  }

  /** The fields a fixture says it breaks: its first line, {@code # broken: FIELD [FIELD...]}. */
  public static Set<String> expected(Path fixture) throws IOException {
    String first = Files.readAllLines(fixture).get(0);
    return new TreeSet<>(List.of(first.replaceFirst("^# broken:\\s*", "").trim().split("\\s+")));
  }
}
