package dev.seedforge.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.Mark;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;

/**
 * Reads the YAML files users write (pipelines, packs, formats) strictly: a syntax error names
 * {@code file:line:column}, a key given twice in one mapping is an error (YAML lets the last one
 * win silently), and aliases are refused, because jackson-dataformat-yaml reads {@code *name}
 * as the text "name" instead of the anchored value.
 */
public final class YamlFiles {
  private static final ObjectMapper YAML =
      new ObjectMapper(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private YamlFiles() {}

  /** The document as a tree (null for an empty one), or bad input naming {@code source}, line and column. */
  public static JsonNode read(String text, String source) {
    try (JsonParser parser = new AliasRefusingParser(YAML.getFactory().createParser(text))) {
      return YAML.readTree(parser);
    } catch (AliasException e) {
      throw new InvalidInputException(at(source, e.getLocation()) + "alias *" + e.alias
          + ": YAML aliases (and << merge keys) are not supported; write the value out where it is used");
    } catch (MarkedYAMLException e) {
      throw new InvalidInputException(syntaxError(source, e));
    } catch (JsonParseException e) {
      String duplicate = duplicateKey(e.getOriginalMessage());
      if (duplicate != null) {
        throw new InvalidInputException(at(source, e.getLocation()) + "duplicate key \"" + duplicate
            + "\"; each key may appear once in a mapping (YAML would keep only the last value)");
      }
      throw new InvalidInputException(at(source, e.getLocation()) + "not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidInputException(source + ": not valid YAML: " + SpecLoader.firstLine(e.getMessage()));
    }
  }

  private static String syntaxError(String source, MarkedYAMLException e) {
    Mark problem = e.getProblemMark();
    Mark context = e.getContextMark();
    StringBuilder b = new StringBuilder();
    b.append(problem == null ? source + ": " : source + ":" + (problem.getLine() + 1) + ":" + (problem.getColumn() + 1) + ": ");
    b.append("not valid YAML: ").append(e.getProblem() == null ? SpecLoader.firstLine(e.getMessage()) : e.getProblem());
    if (e.getContext() != null && context != null) {
      // snakeyaml's contexts read "while parsing a flow sequence"; say where that started
      String what = e.getContext().replaceFirst("^while (parsing|scanning) ", "");
      b.append(" (in ").append(what).append(" that starts at line ").append(context.getLine() + 1)
          .append(", column ").append(context.getColumn() + 1).append(")");
    }
    return b.toString();
  }

  private static String at(String source, JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? source + ": "
        : source + ":" + location.getLineNr() + ":" + location.getColumnNr() + ": ";
  }

  private static String duplicateKey(String message) {
    if (message == null || !message.startsWith("Duplicate field '")) {
      return null;
    }
    int end = message.lastIndexOf('\'');
    return end > "Duplicate field '".length() ? message.substring("Duplicate field '".length(), end) : null;
  }

  private static final class AliasException extends JsonParseException {
    final String alias;

    AliasException(JsonParser p, String alias) {
      super(p, "alias *" + alias, p.currentTokenLocation());
      this.alias = alias;
    }
  }

  /** Stops at the first alias, where the YAML parser would hand out the alias's name as a string. */
  private static final class AliasRefusingParser extends JsonParserDelegate {
    AliasRefusingParser(JsonParser d) {
      super(d);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = delegate.nextToken();
      if (delegate instanceof YAMLParser y && y.isCurrentAlias()) {
        throw new AliasException(delegate, y.getText());
      }
      return t;
    }
  }
}
