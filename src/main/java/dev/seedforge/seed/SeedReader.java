package dev.seedforge.seed;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads seeds from JSONL or CSV. Every bad line is reported ({@code file:line: why}) before
 * failing; a UTF-8 byte-order mark is tolerated; exact duplicate seeds are kept once.
 */
public final class SeedReader {
  /**
   * Most characters a seed may have, all its content fields together: seeds are shown to the
   * model few-shot, so one oversized line would make every prompt that draws it huge.
   */
  public static final int MAX_SEED_CHARS = 16_000;

  private SeedReader() {}

  public static List<Seed> read(Path file, TaskType type) {
    String source = SpecLoader.display(file);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidInputException(source + ": cannot read seeds: " + e.getMessage());
    }
    String name = file.getFileName().toString().toLowerCase();
    List<String> problems = new ArrayList<>();
    if (type == TaskType.CONVERSATION && name.endsWith(".csv")) {
      throw new InvalidInputException(source + ": conversation seeds are chat JSONL, one {\"messages\": [...]} object per line, not CSV");
    }
    List<Seed> seeds =
        name.endsWith(".csv") ? readCsv(bytes, source, type, problems) : readJsonl(bytes, source, type, problems);
    if (seeds.isEmpty() && problems.isEmpty()) {
      problems.add(source + ": no seeds in the file; add at least one example per label");
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    Set<String> ids = new LinkedHashSet<>();
    List<Seed> unique = new ArrayList<>();
    for (Seed s : seeds) {
      if (ids.add(s.id())) {
        unique.add(s);
      }
    }
    return List.copyOf(unique);
  }

  private static List<Seed> readJsonl(byte[] bytes, String source, TaskType type, List<String> problems) {
    List<Seed> out = new ArrayList<>();
    List<byte[]> lines = splitLines(bytes);
    CharsetDecoder decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      String where = source + ":" + lineNo;
      String text;
      try {
        text = decoder.decode(ByteBuffer.wrap(lines.get(i))).toString();
      } catch (CharacterCodingException e) {
        problems.add(where + ": not valid UTF-8; re-save the file as UTF-8");
        continue;
      }
      if (i == 0 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (text.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = Json.mapper().readTree(text);
      } catch (IOException e) {
        problems.add(where + ": not valid JSON (" + shortJsonError(e) + "); each line must be one JSON object");
        continue;
      }
      if (!node.isObject()) {
        problems.add(where + ": expected a JSON object, got " + node.getNodeType().name().toLowerCase());
        continue;
      }
      if (type == TaskType.CONVERSATION) {
        Seed conversation = ChatSeeds.toSeed(node, where, source, lineNo, problems);
        if (conversation != null) {
          out.add(conversation);
        }
        continue;
      }
      Map<String, String> values = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> {
        if (e.getValue().isValueNode() && !e.getValue().isNull()) {
          values.put(e.getKey(), e.getValue().asText());
        }
      });
      Seed s = toSeed(values, where, source, lineNo, type, problems);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<Seed> readCsv(byte[] bytes, String source, TaskType type, List<String> problems) {
    List<Seed> out = new ArrayList<>();
    String text;
    try {
      text =
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      problems.add(source + ": not valid UTF-8; re-save the file as UTF-8");
      return out;
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    CsvMapper csv = new CsvMapper();
    csv.enable(CsvParser.Feature.TRIM_SPACES);
    csv.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
    try (MappingIterator<Map<String, String>> it =
        csv.readerFor(Map.class).with(CsvSchema.emptySchema().withHeader()).readValues(text)) {
      boolean first = true;
      while (true) {
        int lineNo;
        Map<String, String> row;
        try {
          if (!it.hasNextValue()) {
            break;
          }
          JsonParser p = it.getParser();
          if (first && p.getSchema() instanceof CsvSchema header) {
            first = false;
            String wrongHeader = checkHeader(header, source, type);
            if (wrongHeader != null) {
              problems.add(wrongHeader);
              return out;
            }
          }
          lineNo = p.currentLocation().getLineNr();
          row = it.nextValue();
        } catch (RuntimeException | IOException e) {
          problems.add(source + ":" + lineOf(e) + ": not valid CSV (" + shortJsonError(e) + ")");
          break;
        }
        Seed s = toSeed(row, source + ":" + lineNo, source, lineNo, type, problems);
        if (s != null) {
          out.add(s);
        }
      }
    } catch (IOException e) {
      problems.add(source + ": not valid CSV (" + shortJsonError(e) + "); the first line must name the columns");
    }
    return out;
  }

  /** A problem when the header lacks a column every row needs (reported once, not on every row), else null. */
  private static String checkHeader(CsvSchema header, String source, TaskType type) {
    List<String> columns = new ArrayList<>();
    header.forEach(c -> columns.add(c.getName()));
    boolean hasLabel = columns.contains("label") || columns.contains("category");
    boolean complete = columns.containsAll(type.required()) && (type != TaskType.CLASSIFICATION || hasLabel);
    if (complete) {
      return null;
    }
    String needed = type == TaskType.CLASSIFICATION
        ? "a classification seed file needs the columns " + String.join(", ", type.required()) + ", label (or category)"
        : "an instruction seed file needs the columns " + String.join(", ", type.required()) + " (input, label or category optional)";
    return source + ":1: the header names the columns " + String.join(", ", columns) + "; " + needed;
  }

  private static Seed toSeed(
      Map<String, String> values, String where, String source, int line, TaskType type, List<String> problems) {
    Map<String, String> fields = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String f : type.fields()) {
      String v = values.get(f);
      if (type.required().contains(f) && (v == null || v.isBlank())) {
        missing.add(f);
      } else {
        fields.put(f, v == null ? "" : v.strip());
      }
    }
    if (!missing.isEmpty()) {
      boolean absent = missing.stream().allMatch(f -> !values.containsKey(f));
      problems.add(
          where
              + ": "
              + (absent ? "missing field " : "empty field ")
              + String.join(", ", missing.stream().map(m -> "\"" + m + "\"").toList())
              + " (a "
              + type.wireName()
              + " seed needs "
              + String.join(", ", type.required())
              + ")");
      return null;
    }
    int chars = fields.values().stream().mapToInt(v -> v.codePointCount(0, v.length())).sum();
    if (chars > MAX_SEED_CHARS) {
      problems.add(String.format(java.util.Locale.ROOT,
          "%s: the seed has %,d characters, more than the %,d a seed may have (all its fields together); shorten it or split it into several seeds",
          where, chars, MAX_SEED_CHARS));
      return null;
    }
    String label = values.get("label");
    if (label == null) {
      label = values.get("category");
    }
    if (label != null) {
      label = label.strip();
    }
    if (type == TaskType.CLASSIFICATION && (label == null || label.isEmpty())) {
      problems.add(where + ": missing field \"label\" (a classification seed needs text and label)");
      return null;
    }
    return Seed.of(label == null || label.isEmpty() ? null : label, fields, source, line);
  }

  private static List<byte[]> splitLines(byte[] bytes) {
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        int end = i;
        if (end > start && bytes[end - 1] == '\r') {
          end--;
        }
        if (i < bytes.length || end > start) {
          byte[] line = new byte[end - start];
          System.arraycopy(bytes, start, line, 0, line.length);
          lines.add(line);
        }
        start = i + 1;
      }
    }
    return lines;
  }

  private static String shortJsonError(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int i = m.indexOf('\n');
    m = i < 0 ? m : m.substring(0, i);
    return m.replaceAll("\\s+at \\[Source.*", "");
  }

  private static int lineOf(Exception e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
      return j.getLocation().getLineNr();
    }
    if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
      return j.getLocation().getLineNr();
    }
    return 0;
  }
}
