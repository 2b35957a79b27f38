package dev.seedforge.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.math.Quantiles;
import dev.seedforge.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The charts of report.html as Apache ECharts options (plain JSON the page hands to
 * {@code echarts.init(...).setOption}). Each chart is built from {@link ReportData} only; a chart
 * whose data the run does not have is left out.
 */
final class ReportCharts {
  /** One chart: its id, title, a sentence on how to read it, and its ECharts option. */
  record Chart(String id, String title, String caption, ObjectNode option) {}

  private ReportCharts() {}

  static List<Chart> all(ReportData d) {
    List<Chart> out = new ArrayList<>();
    out.add(labels(d));
    if (!d.manifest().rejectionsPerLabel().isEmpty()) {
      out.add(rejections(d));
    }
    if (!d.manifest().acceptance("by_strategy").isEmpty()) {
      out.add(acceptance(d));
    }
    if (!d.lengths().isEmpty()) {
      out.add(lengths(d));
    }
    if (!d.manifest().diversity("generated").isMissingNode() || d.manifest().nearDuplicateRate() != null) {
      out.add(diversity(d));
    }
    if (d.manifest().madeCalls()) {
      out.add(calls(d));
    }
    if (d.manifest().madeCalls() || d.manifest().rounds().size() > 1) {
      out.add(rounds(d));
    }
    if (!d.manifest().examplesPerDocument().isEmpty()) {
      out.add(documents(d));
    }
    return out;
  }

  static Chart labels(ReportData d) {
    List<String> labels = d.manifest().labels();
    ObjectNode o = base(labels, "records");
    ArrayNode series = o.putArray("series");
    series.add(bar("generated (before the gate)", values(labels, d.manifest().stage("generated")::of)));
    series.add(bar("passed the gate", values(labels, d.manifest().stage("passed_quality")::of)));
    series.add(bar("after dedup, seeds included", values(labels, l -> d.manifest().available().getOrDefault(l, 0L))));
    series.add(bar("kept after balancing", values(labels, l -> d.manifest().keptPerLabel().getOrDefault(l, 0L))));
    return new Chart("labels", "Labels before and after the gate, and after balancing",
        "Generated candidates per label, those that passed the quality gate, those left after dedup (seeds join here), and those kept at the quota.", o);
  }

  static Chart rejections(ReportData d) {
    List<String> labels = new ArrayList<>(d.manifest().rejectionsPerLabel().keySet());
    ObjectNode o = base(labels, "records rejected");
    ArrayNode series = o.putArray("series");
    for (String filter : d.manifest().rejectionsByFilter().keySet()) {
      ObjectNode s = bar(filter, values(labels, l -> d.manifest().rejectionsPerLabel().getOrDefault(l, Map.of()).getOrDefault(filter, 0L)));
      s.put("stack", "rejected");
      series.add(s);
    }
    return new Chart("rejections", "Rejections per filter and label",
        "Every record dropped, stacked by the filter that dropped it (stage/filter, as in rejected.jsonl).", o);
  }

  static Chart acceptance(ReportData d) {
    List<ManifestView.Acceptance> rows = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (ManifestView.Acceptance a : d.manifest().acceptance("by_strategy")) {
      rows.add(a);
      names.add("strategy " + a.name());
    }
    for (ManifestView.Acceptance a : d.manifest().acceptance("by_template")) {
      rows.add(a);
      names.add("template " + a.name());
    }
    ObjectNode o = base(names, "candidates");
    ObjectNode rateAxis = o.withArray("yAxis").addObject();
    rateAxis.put("type", "value").put("name", "kept %").put("min", 0).put("max", 100);
    ArrayNode series = o.putArray("series");
    series.add(bar("generated", numbers(rows, a -> (double) a.generated())));
    series.add(bar("kept after gate and dedup", numbers(rows, a -> (double) a.kept())));
    ObjectNode rate = line("kept %", numbers(rows, a -> Math.round(a.rate() * 1000) / 10.0));
    rate.put("yAxisIndex", 1);
    series.add(rate);
    return new Chart("acceptance", "Acceptance per strategy and template",
        "Candidates each strategy and template produced, those that passed the gate and dedup (before balancing), and the share kept: a low share points at a prompt that produces junk.", o);
  }

  static Chart lengths(ReportData d) {
    Set<String> labelSet = new LinkedHashSet<>();
    d.lengths().values().forEach(m -> labelSet.addAll(m.keySet()));
    List<String> labels = new ArrayList<>(new java.util.TreeSet<>(labelSet));
    ObjectNode o = base(labels, "word tokens");
    o.with("tooltip").put("trigger", "item");
    ArrayNode series = o.putArray("series");
    d.lengths().forEach((split, byLabel) -> {
      ObjectNode s = series.addObject();
      s.put("name", split);
      s.put("type", "boxplot");
      ArrayNode data = s.putArray("data");
      for (String l : labels) {
        List<Integer> v = byLabel.get(l);
        if (v == null || v.isEmpty()) {
          data.add("-");
        } else {
          ArrayNode box = data.addArray();
          fiveNumbers(v).forEach(box::add);
        }
      }
    });
    return new Chart("lengths", "Token length per label and split",
        "Word tokens of each record's input (as bias.length_tokens counts them): minimum, quartiles and maximum per label, one box per split.", o);
  }

  static Chart diversity(ReportData d) {
    List<String> names = List.of("distinct-1", "distinct-2", "near-duplicate rate");
    ObjectNode o = base(names, "share");
    ArrayNode series = o.putArray("series");
    ArrayNode generated = Json.mapper().createArrayNode();
    generated.add(d.manifest().diversity("generated").path("distinct_1").asDouble());
    generated.add(d.manifest().diversity("generated").path("distinct_2").asDouble());
    if (d.manifest().nearDuplicateRate() == null) {
      generated.add("-");
    } else {
      generated.add(d.manifest().nearDuplicateRate());
    }
    series.add(bar("generated (" + d.manifest().diversity("generated").path("records").asLong() + " records)", generated));
    ArrayNode seeds = Json.mapper().createArrayNode();
    seeds.add(d.manifest().diversity("seeds").path("distinct_1").asDouble());
    seeds.add(d.manifest().diversity("seeds").path("distinct_2").asDouble());
    seeds.add("-");
    series.add(bar("seeds (" + d.manifest().diversity("seeds").path("records").asLong() + " records)", seeds));
    return new Chart("diversity", "Diversity against the seeds",
        "distinct-n: unique word n-grams over all n-grams (higher is more varied) of the generated records and of the seeds; near-duplicate rate: records near-dedup dropped over those that reached dedup.", o);
  }

  static Chart calls(ReportData d) {
    Set<String> labelSet = new java.util.TreeSet<>(d.manifest().calls("planned").perLabel().keySet());
    labelSet.addAll(d.manifest().costPerLabel().keySet());
    List<String> labels = new ArrayList<>(labelSet);
    ObjectNode o = base(labels, "calls");
    o.withArray("yAxis").addObject().put("type", "value").put("name", "USD");
    ArrayNode series = o.putArray("series");
    for (String kind : List.of("made", "cached", "failed")) {
      ObjectNode s = bar(kind, values(labels, d.manifest().calls(kind)::of));
      s.put("stack", "calls");
      series.add(s);
    }
    ArrayNode cost = Json.mapper().createArrayNode();
    labels.forEach(l -> cost.add(d.manifest().costPerLabel().getOrDefault(l, 0.0)));
    ObjectNode c = line("cost USD", cost);
    c.put("yAxisIndex", 1);
    series.add(c);
    return new Chart("calls", "Calls and cost per label",
        "Calls made, served from the response cache and failed, and what the calls made cost (cached responses cost nothing again).", o);
  }

  /** The counts a round reports that share one axis (tokens and cost have scales of their own). */
  static final List<String> ROUND_COUNTS = List.of("new_requests", "calls.sent", "calls.made", "calls.retried", "calls.failed");

  static Chart rounds(ReportData d) {
    List<ManifestView.Round> rounds = d.manifest().rounds();
    List<String> names = new ArrayList<>();
    Set<String> figures = new LinkedHashSet<>();
    for (ManifestView.Round r : rounds) {
      names.add("round " + r.round());
    }
    for (String f : ROUND_COUNTS) {
      if (rounds.stream().anyMatch(r -> r.figures().containsKey(f))) {
        figures.add(f);
      }
    }
    ObjectNode o = base(names, "per round");
    o.withArray("yAxis").addObject().put("type", "value").put("name", "records available");
    ArrayNode series = o.putArray("series");
    for (String f : figures) {
      ArrayNode v = Json.mapper().createArrayNode();
      rounds.forEach(r -> v.add(r.figures().getOrDefault(f, 0.0)));
      series.add(bar(f, v));
    }
    ArrayNode available = Json.mapper().createArrayNode();
    rounds.forEach(r -> available.add(r.available()));
    ObjectNode a = line("records available", available);
    a.put("yAxisIndex", 1);
    series.add(a);
    return new Chart("rounds", "Calls and records per round",
        "Round 0 is the planned job; later rounds top up labels short of their quota. Bars: the requests each round added and the calls it sent, answered, retried and failed; line: records available after the round.", o);
  }

  static Chart documents(ReportData d) {
    List<String> docs = new ArrayList<>(d.manifest().examplesPerDocument().keySet());
    ObjectNode o = base(docs, "examples");
    o.putArray("series").add(bar("examples", values(docs, doc -> d.manifest().examplesPerDocument().get(doc))));
    return new Chart("documents", "Examples per document", "Records kept per source document.", o);
  }

  /** Minimum, lower quartile, median, upper quartile and maximum. */
  static List<Double> fiveNumbers(List<Integer> values) {
    Map<Integer, Double> q = Quantiles.quartiles().indexes(0, 1, 2, 3, 4).compute(values);
    List<Double> out = new ArrayList<>();
    for (int i = 0; i <= 4; i++) {
      out.add(q.get(i));
    }
    return out;
  }

  /** A category-axis chart with one value axis, legend and tooltip, drawn without animation. */
  private static ObjectNode base(List<String> categories, String valueName) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("animation", false);
    o.putObject("aria").put("enabled", true);
    o.putObject("tooltip").put("trigger", "axis");
    o.putObject("legend").put("type", "scroll").put("top", 0);
    ObjectNode grid = o.putObject("grid");
    grid.put("left", 10).put("right", 10).put("bottom", 10).put("top", 40).put("containLabel", true);
    ObjectNode x = o.putObject("xAxis");
    x.put("type", "category");
    ArrayNode data = x.putArray("data");
    categories.forEach(data::add);
    ObjectNode label = x.putObject("axisLabel");
    label.put("interval", 0);
    label.put("rotate", categories.size() > 5 ? 30 : 0);
    ObjectNode y = o.putArray("yAxis").addObject();
    y.put("type", "value").put("name", valueName);
    // the axis name starts at the axis, so a long one is not cut at the chart's left edge
    y.putObject("nameTextStyle").put("align", "left");
    return o;
  }

  private static ObjectNode bar(String name, ArrayNode data) {
    ObjectNode s = Json.mapper().createObjectNode();
    s.put("name", name);
    s.put("type", "bar");
    s.set("data", data);
    return s;
  }

  private static ObjectNode line(String name, ArrayNode data) {
    ObjectNode s = bar(name, data);
    s.put("type", "line");
    return s;
  }

  private static ArrayNode values(List<String> keys, Function<String, Long> value) {
    ArrayNode a = Json.mapper().createArrayNode();
    keys.forEach(k -> a.add(value.apply(k)));
    return a;
  }

  private static <T> ArrayNode numbers(List<T> rows, Function<T, Double> value) {
    ArrayNode a = Json.mapper().createArrayNode();
    rows.forEach(r -> a.add(value.apply(r)));
    return a;
  }

  /** Chart id → option, in page order. */
  static Map<String, ObjectNode> options(List<Chart> charts) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    charts.forEach(c -> out.put(c.id(), c.option()));
    return out;
  }
}
