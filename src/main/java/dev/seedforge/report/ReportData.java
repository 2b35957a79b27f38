package dev.seedforge.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.prompt.Pack;
import dev.seedforge.prompt.PackLoader;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.SeedReader;
import dev.seedforge.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything report.html shows, read from a run directory: the manifest (through
 * {@link ManifestView}, the one place that knows its fields), samples of rejected.jsonl, the records
 * of the data files, and the seeds the duplicates point at. Built from the files alone,
 * so {@code seedforge report RUN_DIR} gives the same page as the end of the run.
 */
public final class ReportData {
  public static final int REJECTED_PER_FILTER = 3;
  public static final int KEPT_PER_LABEL = 2;
  static final int MAX_TEXT = 600;
  /** The label of records whose format does not carry one (instruction tasks). */
  public static final String ALL = "(all)";

  /** One rejected record as the report shows it; {@code relatedText} is null when unknown. */
  public record Rejected(
      String filter, String label, String text, String reason, Double score, Double threshold,
      String relatedId, String relatedText, String strategy) {}

  /** One kept record of a data file. */
  public record Kept(String split, String label, String text, String answer) {}

  private final Path dir;
  private final ManifestView manifest;
  private final List<Rejected> rejected;
  private final Map<String, Long> rejectedLines;
  private final List<Kept> kept;
  private final Map<String, Map<String, List<Integer>>> lengths;
  private final String pipelineText;
  private final List<String> notes;

  private ReportData(
      Path dir, ManifestView manifest, List<Rejected> rejected, Map<String, Long> rejectedLines, List<Kept> kept,
      Map<String, Map<String, List<Integer>>> lengths, String pipelineText, List<String> notes) {
    this.dir = dir;
    this.manifest = manifest;
    this.rejected = rejected;
    this.rejectedLines = rejectedLines;
    this.kept = kept;
    this.lengths = lengths;
    this.pipelineText = pipelineText;
    this.notes = notes;
  }

  /** Reads a run directory; fails with a clear message when it holds no manifest.json. */
  public static ReportData read(Path dir) throws IOException {
    Path manifestFile = dir.resolve("manifest.json");
    if (!Files.isRegularFile(manifestFile)) {
      throw new InvalidInputException(SpecLoader.display(dir) + ": no manifest.json; give the directory a run wrote (output.dir or --out)");
    }
    JsonNode json;
    try {
      json = Json.mapper().readTree(Files.readString(manifestFile, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException(SpecLoader.display(manifestFile) + ": not valid JSON: " + e.getOriginalMessage());
    }
    ManifestView manifest = new ManifestView(json, dir.getFileName() == null ? "run" : dir.getFileName().toString());
    List<String> notes = new ArrayList<>();
    Map<String, String> seedTexts = seedTexts(manifest.pipelineFile(), notes);
    RecordTexts texts = RecordTexts.forFormat(manifest.firstFormat(), manifest.task().isEmpty() ? "classification" : manifest.task());
    List<Kept> kept = new ArrayList<>();
    Map<String, Map<String, List<Integer>>> lengths = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : manifest.dataFiles().entrySet()) {
      readDataFile(dir.resolve(f.getValue()), f.getKey(), texts, kept, lengths);
    }
    Map<String, Long> lineCounts = new TreeMap<>();
    List<Rejected> rejected = readRejected(dir.resolve("rejected.jsonl"), seedTexts, lineCounts);
    String pipelineText = null;
    String file = manifest.pipelineFile();
    if (file != null && Files.isRegularFile(Path.of(file))) {
      pipelineText = Files.readString(Path.of(file), StandardCharsets.UTF_8);
    }
    return new ReportData(dir, manifest, List.copyOf(rejected), lineCounts, List.copyOf(kept), lengths, pipelineText, List.copyOf(notes));
  }

  /**
   * Every record of a run's data files, read back into input, answer and label whatever format
   * they were written in, unclipped: what {@code compare} measures a model's output on.
   */
  public static List<Kept> records(Path dir) throws IOException {
    JsonNode json = Json.mapper().readTree(Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8));
    ManifestView manifest = new ManifestView(json, "run");
    RecordTexts texts = RecordTexts.forFormat(manifest.firstFormat(), manifest.task().isEmpty() ? "classification" : manifest.task());
    List<Kept> out = new ArrayList<>();
    for (Map.Entry<String, String> f : manifest.dataFiles().entrySet()) {
      Path file = dir.resolve(f.getValue());
      if (!Files.isRegularFile(file)) {
        continue;
      }
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          String l = line.startsWith("\uFEFF") ? line.substring(1) : line;
          if (!l.isBlank()) {
            RecordTexts.Texts t = texts.of(Json.mapper().readTree(l));
            out.add(new Kept(f.getKey(), t.label() == null ? ALL : t.label(), t.input(), t.answer()));
          }
        }
      }
    }
    return out;
  }

  /**
   * The model comparison {@code seedforge compare} wrote for this run folder
   * ({@code compare/compare.json}), or null when there is none or it cannot be read.
   */
  public JsonNode comparison() {
    Path file = dir.resolve("compare").resolve("compare.json");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Json.mapper().readTree(file.toFile());
    } catch (IOException e) {
      return null;
    }
  }

  /** The manifest's fields. */
  public ManifestView manifest() {
    return manifest;
  }

  // ---- what the other files add ----

  public List<Rejected> rejected() {
    return rejected;
  }

  /** Lines of rejected.jsonl per filter (equals the manifest's counts when both are whole). */
  public Map<String, Long> rejectedLines() {
    return rejectedLines;
  }

  public List<Kept> kept() {
    return kept;
  }

  /** Token lengths (word tokens of the input, as bias.length_tokens counts them) per split, then label. */
  public Map<String, Map<String, List<Integer>>> lengths() {
    return lengths;
  }

  /** The pipeline file as it is now, or null when it is gone. */
  public String pipelineText() {
    return pipelineText;
  }

  /** What could not be read, said on the page. */
  public List<String> notes() {
    return notes;
  }

  // ---- reading ----

  private static void readDataFile(
      Path file, String split, RecordTexts texts, List<Kept> kept, Map<String, Map<String, List<Integer>>> lengths) throws IOException {
    if (!Files.isRegularFile(file)) {
      return;
    }
    Map<String, Integer> shown = new HashMap<>();
    Map<String, List<Integer>> bySplit = lengths.computeIfAbsent(split, k -> new TreeMap<>());
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        line = line.startsWith("\uFEFF") ? line.substring(1) : line;
        if (line.isBlank()) {
          continue;
        }
        RecordTexts.Texts t = texts.of(Json.mapper().readTree(line));
        String label = t.label() == null ? ALL : t.label();
        bySplit.computeIfAbsent(label, k -> new ArrayList<>()).add(dev.seedforge.balance.BiasReport.words(t.input()).size());
        if ("train".equals(split) && shown.merge(label, 1, Integer::sum) <= KEPT_PER_LABEL) {
          kept.add(new Kept(split, label, clip(t.input()), clip(t.answer())));
        }
      }
    }
  }

  private static List<Rejected> readRejected(Path file, Map<String, String> seedTexts, Map<String, Long> lineCounts) throws IOException {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<JsonNode> samples = new ArrayList<>();
    Set<String> wanted = new HashSet<>();
    forEachLine(file, n -> {
      String filter = n.path("stage").asText() + "/" + n.path("filter").asText();
      long seen = lineCounts.merge(filter, 1L, Long::sum);
      if (seen <= REJECTED_PER_FILTER) {
        samples.add(n);
        if (n.hasNonNull("relatedId")) {
          wanted.add(n.path("relatedId").asText());
        }
      }
    });
    // a kept duplicate that balancing dropped later is itself in rejected.jsonl
    Map<String, String> related = new HashMap<>();
    wanted.forEach(id -> {
      if (seedTexts.containsKey(id)) {
        related.put(id, seedTexts.get(id));
      }
    });
    if (!related.keySet().containsAll(wanted)) {
      forEachLine(file, n -> {
        String id = n.path("id").asText();
        if (wanted.contains(id)) {
          related.putIfAbsent(id, fieldsText(n.path("fields")));
        }
      });
    }
    List<Rejected> out = new ArrayList<>();
    for (JsonNode n : samples) {
      String relatedId = n.path("relatedId").asText(null);
      out.add(new Rejected(
          n.path("stage").asText() + "/" + n.path("filter").asText(),
          n.path("label").asText(null),
          clip(fieldsText(n.path("fields"))),
          n.path("reason").asText(""),
          n.path("score").isNumber() ? n.path("score").asDouble() : null,
          n.path("threshold").isNumber() ? n.path("threshold").asDouble() : null,
          relatedId,
          relatedId == null || !related.containsKey(relatedId) ? null : clip(related.get(relatedId)),
          n.path("strategy").asText(null)));
    }
    out.sort(java.util.Comparator.comparing(Rejected::filter));
    return out;
  }

  private interface LineHandler {
    void accept(JsonNode line) throws IOException;
  }

  private static void forEachLine(Path file, LineHandler handler) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          handler.accept(Json.mapper().readTree(line));
        }
      }
    }
  }

  /** A record's content fields as one text: the text, or instruction, input and output. */
  static String fieldsText(JsonNode fields) {
    if (fields.has("text")) {
      return fields.path("text").asText();
    }
    List<String> parts = new ArrayList<>();
    for (String k : List.of("instruction", "input", "output")) {
      if (!fields.path(k).asText("").isBlank()) {
        parts.add(k + ": " + fields.path(k).asText());
      }
    }
    if (parts.isEmpty()) {
      fields.fields().forEachRemaining(e -> parts.add(e.getKey() + ": " + e.getValue().asText()));
    }
    return String.join("\n", parts);
  }

  /** The seeds by id, from the pipeline file the manifest names (duplicates of seeds point at them). */
  private static Map<String, String> seedTexts(String file, List<String> notes) {
    if (file == null || !Files.isRegularFile(Path.of(file))) {
      notes.add("the pipeline file " + (file == null ? "" : file + " ") + "is not there: seeds that duplicates point at are shown by id only");
      return Map.of();
    }
    try {
      PipelineSpec spec = SpecLoader.load(Path.of(file), System.getenv(), SpecLoader.Overrides.none());
      Pack pack = PackLoader.load(Path.of(spec.packDir()));
      Path seedsFile = Path.of(spec.seedsFile() != null ? spec.seedsFile() : pack.seedsFile());
      Map<String, String> out = new HashMap<>();
      for (Seed s : SeedReader.read(seedsFile, pack.task())) {
        out.put(s.id(), fieldsText(Json.mapper().valueToTree(s.fields())));
      }
      return out;
    } catch (InvalidInputException e) {
      notes.add("the seeds could not be read (" + e.problems().get(0) + "): seeds that duplicates point at are shown by id only");
      return Map.of();
    }
  }

  static String clip(String s) {
    if (s == null) {
      return null;
    }
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
  }
}
