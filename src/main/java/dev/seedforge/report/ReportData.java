package dev.seedforge.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything report.html shows, read from a run directory: the manifest (every field the report
 * reads is read in this class; a section that is absent reads as empty), samples of rejected.jsonl,
 * the records of the data files, and the seeds the duplicates point at. Built from the files alone,
 * so {@code seedforge report RUN_DIR} gives the same page as the end of the run.
 */
public final class ReportData {
  public static final int REJECTED_PER_FILTER = 3;
  public static final int KEPT_PER_LABEL = 2;
  static final int MAX_TEXT = 600;
  /** The splits whose lengths are shown; learning-curve subsets are parts of train. */
  static final List<String> SPLITS = List.of("train", "validation", "test");
  /** The label of records whose format does not carry one (instruction tasks). */
  public static final String ALL = "(all)";

  /** A total and its per-label figures. */
  public record Counts(long total, Map<String, Long> perLabel) {
    static Counts of(JsonNode n) {
      Map<String, Long> per = new TreeMap<>();
      n.path("per_label").fields().forEachRemaining(e -> per.put(e.getKey(), e.getValue().asLong()));
      return new Counts(n.path("total").asLong(), per);
    }

    public long of(String label) {
      return perLabel.getOrDefault(label, 0L);
    }
  }

  /** A strategy's or template's candidates: generated, kept after gate and dedup, and the rate. */
  public record Acceptance(String name, long generated, long kept, double rate) {}

  /** One rejected record as the report shows it; {@code relatedText} is null when unknown. */
  public record Rejected(
      String filter, String label, String text, String reason, Double score, Double threshold,
      String relatedId, String relatedText, String strategy) {}

  /** One kept record of a data file. */
  public record Kept(String split, String label, String text, String answer) {}

  /** One top-up round: its number and every number the manifest gives for it. */
  public record Round(int round, Map<String, Double> figures, long available) {}

  private final Path dir;
  private final JsonNode manifest;
  private final List<Rejected> rejected;
  private final Map<String, Long> rejectedLines;
  private final List<Kept> kept;
  private final Map<String, Map<String, List<Integer>>> lengths;
  private final String pipelineText;
  private final List<String> notes;

  private ReportData(
      Path dir, JsonNode manifest, List<Rejected> rejected, Map<String, Long> rejectedLines, List<Kept> kept,
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
    JsonNode manifest;
    try {
      manifest = Json.mapper().readTree(Files.readString(manifestFile, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException(SpecLoader.display(manifestFile) + ": not valid JSON: " + e.getOriginalMessage());
    }
    List<String> notes = new ArrayList<>();
    Map<String, String> seedTexts = seedTexts(manifest, notes);
    String task = manifest.path("pipeline").path("task").asText("classification");
    RecordTexts texts = RecordTexts.forFormat(firstFormat(manifest), task);
    List<Kept> kept = new ArrayList<>();
    Map<String, Map<String, List<Integer>>> lengths = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : dataFiles(manifest).entrySet()) {
      readDataFile(dir.resolve(f.getValue()), f.getKey(), texts, kept, lengths);
    }
    Map<String, Long> lineCounts = new TreeMap<>();
    List<Rejected> rejected = readRejected(dir.resolve("rejected.jsonl"), seedTexts, lineCounts);
    String pipelineText = null;
    String file = manifest.path("pipeline").path("file").asText(null);
    if (file != null && Files.isRegularFile(Path.of(file))) {
      pipelineText = Files.readString(Path.of(file), StandardCharsets.UTF_8);
    }
    return new ReportData(dir, manifest, List.copyOf(rejected), lineCounts, List.copyOf(kept), lengths, pipelineText, List.copyOf(notes));
  }

  // ---- the manifest's fields, one accessor each ----

  public String name() {
    return manifest.path("pipeline").path("name").asText(dir.getFileName().toString());
  }

  public String task() {
    return manifest.path("pipeline").path("task").asText("");
  }

  public String status() {
    return manifest.path("status").asText("unknown");
  }

  public String version() {
    return manifest.path("seedforge_version").asText("");
  }

  /** The settings table: section, key and value, as the manifest gives them. */
  public Map<String, String> settings() {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode p = manifest.path("pipeline");
    for (String k : List.of("file", "pack", "task", "seed", "spec_hash")) {
      put(out, "pipeline." + k, p.path(k));
    }
    JsonNode g = manifest.path("generator");
    for (String k : List.of("kind", "model", "base_url", "temperature", "max_tokens", "note")) {
      put(out, "generator." + k, g.path(k));
    }
    put(out, "quality.token_bounds", manifest.path("quality").path("token_bounds").path("description"));
    put(out, "quality.label_model.cv_accuracy", manifest.path("quality").path("label_model").path("cv_accuracy"));
    manifest.path("balance").fields().forEachRemaining(e -> put(out, "balance." + e.getKey() + ".quota", e.getValue().path("quota")));
    put(out, "cost.price_source", manifest.path("cost").path("price_source"));
    JsonNode run = manifest.path("run");
    for (String k : List.of("started_at", "wall_time_seconds", "runner")) {
      put(out, "run." + k, run.path(k));
    }
    put(out, "seedforge_version", manifest.path("seedforge_version"));
    return out;
  }

  private static void put(Map<String, String> out, String key, JsonNode v) {
    if (!v.isMissingNode() && !v.isNull() && !v.isContainerNode()) {
      out.put(key, v.asText());
    }
  }

  public Counts seeds() {
    return Counts.of(manifest.path("seeds"));
  }

  public Counts stage(String name) {
    return Counts.of(manifest.path("stages").path(name));
  }

  public boolean hasStage(String name) {
    return manifest.path("stages").has(name);
  }

  /** Records per label after the gate and dedup, before balancing ({@code balance.*.available}). */
  public Map<String, Long> available() {
    return balanceField("available");
  }

  /** Records per label kept after balancing ({@code balance.*.kept}). */
  public Map<String, Long> keptPerLabel() {
    return balanceField("kept");
  }

  private Map<String, Long> balanceField(String field) {
    Map<String, Long> out = new TreeMap<>();
    manifest.path("balance").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().path(field).asLong()));
    return out;
  }

  /** Every label the manifest names, sorted. */
  public List<String> labels() {
    Set<String> all = new java.util.TreeSet<>();
    all.addAll(seeds().perLabel().keySet());
    all.addAll(stage("generated").perLabel().keySet());
    all.addAll(available().keySet());
    all.addAll(rejectionsPerLabel().keySet());
    return List.copyOf(all);
  }

  public Counts rejectedTotal() {
    return Counts.of(manifest.path("rejections").path("all"));
  }

  /** Rejections per filter ({@code stage/filter}). */
  public Map<String, Counts> rejectionsByFilter() {
    Map<String, Counts> out = new TreeMap<>();
    manifest.path("rejections").path("by_filter").fields().forEachRemaining(e -> out.put(e.getKey(), Counts.of(e.getValue())));
    return out;
  }

  /** Rejections per label, then per filter. */
  public Map<String, Map<String, Long>> rejectionsPerLabel() {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    manifest.path("rejections").path("per_label").fields().forEachRemaining(e -> {
      Map<String, Long> filters = new TreeMap<>();
      e.getValue().fields().forEachRemaining(f -> filters.put(f.getKey(), f.getValue().asLong()));
      out.put(e.getKey(), filters);
    });
    return out;
  }

  public List<Acceptance> acceptance(String by) {
    List<Acceptance> out = new ArrayList<>();
    manifest.path("acceptance").path(by).fields().forEachRemaining(e -> out.add(new Acceptance(
        e.getKey(), e.getValue().path("generated").asLong(), e.getValue().path("kept").asLong(), e.getValue().path("rate").asDouble())));
    return out;
  }

  /** distinct-1 / distinct-2 / records of {@code generated} or {@code seeds} (bias.diversity). */
  public JsonNode diversity(String of) {
    return manifest.path("bias").path("diversity").path(of);
  }

  /** The near-duplicate rate, or null when dedup did not report one. */
  public Double nearDuplicateRate() {
    JsonNode n = manifest.path("bias").path("near_duplicate_rate");
    return n.isNumber() ? n.asDouble() : null;
  }

  public Counts calls(String kind) {
    return Counts.of(manifest.path("calls").path(kind));
  }

  public boolean madeCalls() {
    return calls("planned").total() > 0;
  }

  public double costTotal() {
    return manifest.path("cost").path("total").asDouble();
  }

  public Map<String, Double> costPerLabel() {
    Map<String, Double> out = new TreeMap<>();
    manifest.path("cost").path("per_label").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }

  public long tokens(String kind) {
    return manifest.path("tokens").path(kind).path("total").asLong();
  }

  /**
   * The top-up rounds: every numeric field of an entry (new_calls, and whatever calls, tokens or
   * cost a round reports) and the records available after it.
   */
  public List<Round> rounds() {
    List<Round> out = new ArrayList<>();
    for (JsonNode r : manifest.path("rounds")) {
      Map<String, Double> figures = new LinkedHashMap<>();
      r.fields().forEachRemaining(e -> {
        if (e.getValue().isNumber() && !e.getKey().equals("round")) {
          figures.put(e.getKey(), e.getValue().asDouble());
        }
      });
      long available = 0;
      for (JsonNode v : r.path("available_per_label")) {
        available += v.asLong();
      }
      out.add(new Round(r.path("round").asInt(out.size()), figures, available));
    }
    return out;
  }

  /** Examples per source document, for runs that generate from documents (absent otherwise). */
  public Map<String, Long> examplesPerDocument() {
    Map<String, Long> out = new TreeMap<>();
    JsonNode docs = manifest.path("documents");
    JsonNode per = docs.has("per_document") ? docs.path("per_document") : docs;
    per.fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      JsonNode n = v.isNumber() ? v : v.path("examples");
      if (n.isNumber()) {
        out.put(e.getKey(), n.asLong());
      }
    });
    return out;
  }

  public Map<String, String> warnings() {
    Map<String, String> out = new TreeMap<>();
    manifest.path("warnings").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** The value at a JSON pointer into the manifest ({@code /stages/train/total}), or a missing node. */
  public JsonNode at(String pointer) {
    return manifest.at(pointer);
  }

  /** The JSON pointer of a manifest path given as its keys ({@code "rejections", "by_filter", "dedup/near_duplicate"}). */
  public static String pointer(String... keys) {
    StringBuilder b = new StringBuilder();
    for (String k : keys) {
      b.append('/').append(k.replace("~", "~0").replace("/", "~1"));
    }
    return b.toString();
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

  private static JsonNode firstFormat(JsonNode manifest) {
    Iterator<JsonNode> it = manifest.path("formats").elements();
    return it.hasNext() ? it.next() : MissingNode.getInstance();
  }

  /** split → file, for the first format written. */
  static Map<String, String> dataFiles(JsonNode manifest) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode f : firstFormat(manifest).path("files")) {
      String path = f.asText();
      String split = Path.of(path).getFileName().toString().replaceFirst("\\.jsonl$", "");
      if (SPLITS.contains(split)) {
        out.put(split, path);
      }
    }
    return out;
  }

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
  private static Map<String, String> seedTexts(JsonNode manifest, List<String> notes) {
    String file = manifest.path("pipeline").path("file").asText(null);
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
