package dev.seedforge.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * manifest.json as the report reads it: every field the report uses is read here and nowhere else,
 * and a section that is absent (an older manifest, an offline run, a section a later version adds
 * or renames) reads as empty, so the page still renders.
 */
public final class ManifestView {
  /** The splits whose lengths are shown; learning-curve subsets are parts of train. */
  static final List<String> SPLITS = List.of("train", "validation", "test");

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

  /** One top-up round: its number and every number the manifest gives for it. */
  public record Round(int round, Map<String, Double> figures, long available) {}

  private final JsonNode manifest;
  private final String fallbackName;

  ManifestView(JsonNode manifest, String fallbackName) {
    this.manifest = manifest;
    this.fallbackName = fallbackName;
  }

  public String name() {
    return manifest.path("pipeline").path("name").asText(fallbackName);
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
   * The top-up rounds: every numeric field of an entry, also inside a group (new_requests, and the
   * calls, tokens and cost of the round's calls) and the records available after it.
   */
  public List<Round> rounds() {
    List<Round> out = new ArrayList<>();
    for (JsonNode r : manifest.path("rounds")) {
      Map<String, Double> figures = new LinkedHashMap<>();
      r.fields().forEachRemaining(e -> {
        if (e.getValue().isNumber() && !e.getKey().equals("round")) {
          figures.put(e.getKey(), e.getValue().asDouble());
        } else if (e.getValue().isObject() && !e.getKey().endsWith("_per_label")) {
          // a grouped figure ({"calls": {"made": 3}}) reads as calls.made, its total as calls
          e.getValue().fields().forEachRemaining(f -> {
            JsonNode v = f.getValue().isNumber() ? f.getValue() : f.getValue().path("total");
            if (v.isNumber()) {
              figures.put(f.getKey().equals("total") ? e.getKey() : e.getKey() + "." + f.getKey(), v.asDouble());
            }
          });
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

  /** The pipeline file the run read, or null. */
  public String pipelineFile() {
    return manifest.path("pipeline").path("file").asText(null);
  }

  /** The first output format written ({@code formats}), or a missing node. */
  public JsonNode firstFormat() {
    Iterator<JsonNode> it = manifest.path("formats").elements();
    return it.hasNext() ? it.next() : MissingNode.getInstance();
  }

  /** split → file, for the first format written. */
  public Map<String, String> dataFiles() {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode f : firstFormat().path("files")) {
      String path = f.asText();
      String split = Path.of(path).getFileName().toString().replaceFirst("\\.jsonl$", "");
      if (SPLITS.contains(split)) {
        out.put(split, path);
      }
    }
    return out;
  }
}
