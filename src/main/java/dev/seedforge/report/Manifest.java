package dev.seedforge.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Prices;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds manifest.json from the run's ledger (exact counters summed by the pipeline) and the files
 * it wrote. Everything but the "run" section (times, runner) is the same on every identical run.
 */
public final class Manifest {
  public static final String VERSION = Version.get();

  private Manifest() {}

  /** One ledger line: group/name/label TAB value. */
  record Entry(String group, String name, String label, long value) {}

  static List<Entry> parseLedger(List<String> lines) {
    return lines.stream()
        .filter(l -> !l.isBlank())
        .map(
            l -> {
              int tab = l.lastIndexOf('\t');
              String key = l.substring(0, tab);
              long v = Long.parseLong(l.substring(tab + 1));
              int first = key.indexOf('/');
              int last = key.lastIndexOf('/');
              return new Entry(key.substring(0, first), key.substring(first + 1, last), key.substring(last + 1), v);
            })
        .toList();
  }

  /** Totals and per-label figures of one group/name. */
  static final class Tally {
    long total;
    final Map<String, Long> perLabel = new TreeMap<>();

    void add(Entry e) {
      total += e.value();
      if (!e.label().isEmpty()) {
        perLabel.merge(e.label(), e.value(), Long::sum);
      }
    }

    ObjectNode json() {
      ObjectNode n = Json.mapper().createObjectNode();
      n.put("total", total);
      if (!perLabel.isEmpty()) {
        ObjectNode p = n.putObject("per_label");
        perLabel.forEach(p::put);
      }
      return n;
    }
  }

  public static ObjectNode build(RunPlan plan, List<String> ledgerLines, Path outDir, List<String> files, ObjectNode run) throws IOException {
    Map<String, Tally> tallies = new TreeMap<>();
    for (Entry e : parseLedger(ledgerLines)) {
      tallies.computeIfAbsent(e.group() + "/" + e.name(), k -> new Tally()).add(e);
    }
    PipelineSpec spec = plan.spec();
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("seedforge_version", VERSION);
    ObjectNode pipeline = m.putObject("pipeline");
    pipeline.put("name", spec.name());
    pipeline.put("file", spec.sourceFile());
    pipeline.put("spec_hash", spec.specHash());
    pipeline.put("pack", plan.pack().domain());
    pipeline.put("task", plan.pack().task().wireName());
    pipeline.put("seed", spec.seed());

    ObjectNode generator = m.putObject("generator");
    generator.put("kind", plan.generator());
    if ("curate".equals(plan.generator())) {
      generator.putNull("model");
    } else if (plan.usesLlm()) {
      generator.put("model", spec.llm().model());
      generator.put("base_url", spec.llm().baseUrl() == null ? "default" : spec.llm().baseUrl());
      generator.put("temperature", spec.llm().temperature());
      generator.put("max_tokens", spec.llm().maxTokens());
    } else {
      generator.put("model", dev.seedforge.generate.lexical.LexicalAugmenter.MODEL);
    }
    generator.put("note", plan.generatorNote());

    m.set("seeds", tally(tallies, "seeds/read").json());

    ObjectNode calls = m.putObject("calls");
    for (String name : List.of("planned", "made", "cached", "failed", "attempts", "retried")) {
      calls.set(name, tally(tallies, "calls/" + name).json());
    }
    ObjectNode failureKinds = calls.putObject("failures_by_kind");
    tallies.forEach((k, t) -> {
      if (k.startsWith("failures/")) {
        failureKinds.put(k.substring("failures/".length()), t.total);
      }
    });
    ObjectNode tokens = m.putObject("tokens");
    tokens.put("source", "usage reported by the provider");
    tokens.set("input", tally(tallies, "tokens/input").json());
    tokens.set("output", tally(tallies, "tokens/output").json());
    tokens.set("cached_input", tally(tallies, "tokens/cached_input").json());
    tokens.set("cached_output", tally(tallies, "tokens/cached_output").json());
    if (plan.usesLlm()) {
      ObjectNode cost = m.putObject("cost");
      PipelineSpec.Price price = Prices.table().priceOf(spec.llm().model(), spec.llm().price());
      cost.put("currency", "USD");
      cost.put("price_source", Prices.table().sourceOf(spec.llm().model(), spec.llm().price()));
      if (price != null) {
        cost.put("input_per_million", price.inputPerMillion());
        cost.put("output_per_million", price.outputPerMillion());
      }
      Tally micros = tally(tallies, "cost/usd_micros");
      cost.put("total", micros.total / 1e6);
      if (!micros.perLabel.isEmpty()) {
        ObjectNode per = cost.putObject("per_label");
        micros.perLabel.forEach((l, v) -> per.put(l, v / 1e6));
      }
      cost.put("note", "calls made by this run only; cached responses were paid for by an earlier run");
    }
    long budgetStops = tally(tallies, "failures/budget_exhausted").total;
    long circuitStops = tally(tallies, "failures/circuit_open").total;
    String status = budgetStops > 0 ? "budget_exhausted" : circuitStops > 0 ? "circuit_open" : "complete";
    m.put("status", status);
    if (!"complete".equals(status)) {
      ObjectNode stopped = m.putObject("stopped");
      stopped.put("reason", status);
      stopped.put("requests_not_sent", budgetStops + circuitStops);
      PipelineSpec.Budget b = spec.llm().budget();
      ObjectNode limits = stopped.putObject("budget");
      limits.put("max_calls", b.maxCalls());
      limits.put("max_tokens", b.maxTokens());
      limits.put("max_cost_usd", b.maxCostUsd());
      ObjectNode spent = stopped.putObject("spent");
      spent.put("calls", tally(tallies, "calls/made").total + tally(tallies, "calls/failed").total - budgetStops - circuitStops);
      spent.put("tokens", tally(tallies, "tokens/input").total + tally(tallies, "tokens/output").total);
      spent.put("cost_usd", tally(tallies, "cost/usd_micros").total / 1e6);
    }

    ObjectNode stages = m.putObject("stages");
    stages.set("generated", tally(tallies, "generated/candidates").json());
    stages.set("passed_quality", tally(tallies, "quality/passed").json());
    stages.set("train", tally(tallies, "final/train").json());
    stages.set("validation", tally(tallies, "final/validation").json());
    if (spec.split().test() > 0) {
      stages.set("test", tally(tallies, "final/test").json());
    }
    if (!spec.split().subsets().isEmpty()) {
      ObjectNode subsets = stages.putObject("subsets");
      for (double s : spec.split().subsets()) {
        String name = dev.seedforge.balance.Subsets.name(s);
        subsets.set(name, tally(tallies, "subsets/" + name).json());
      }
    }

    ObjectNode rejections = m.putObject("rejections");
    ObjectNode byFilter = rejections.putObject("by_filter");
    Tally allRejected = new Tally();
    tallies.forEach((k, t) -> {
      if (k.startsWith("rejected/")) {
        byFilter.set(k.substring("rejected/".length()), t.json());
        allRejected.total += t.total;
        t.perLabel.forEach((l, v) -> allRejected.perLabel.merge(l, v, Long::sum));
      }
    });
    rejections.set("all", allRejected.json());
    rejections.set("per_label", perLabelRejections(tallies));

    m.set("acceptance", acceptance(tallies));
    ObjectNode quality = m.putObject("quality");
    List<String> qualityWarnings = new java.util.ArrayList<>();
    labelModel(plan, quality, qualityWarnings);
    dev.seedforge.quality.TokenBounds bounds = dev.seedforge.pipeline.SeedforgePipeline.tokenBounds(plan);
    ObjectNode tb = quality.putObject("token_bounds");
    tb.put("min", bounds.min());
    tb.put("max", bounds.max());
    tb.put("min_from_seeds", bounds.minFromSeeds());
    tb.put("max_from_seeds", bounds.maxFromSeeds());
    if (bounds.seedMin() >= 0) {
      tb.put("seeds_min", bounds.seedMin());
      tb.put("seeds_max", bounds.seedMax());
    }
    tb.put("description", bounds.describe());

    ObjectNode balance = m.putObject("balance");
    Tally available = tally(tallies, "balance/available");
    Tally quota = tally(tallies, "balance/quota");
    Tally train = tally(tallies, "final/train");
    Tally validation = tally(tallies, "final/validation");
    Tally test = tally(tallies, "final/test");
    for (String label : available.perLabel.keySet()) {
      ObjectNode b = balance.putObject(label);
      b.put("available", available.perLabel.get(label));
      b.put("quota", quota.perLabel.getOrDefault(label, 0L));
      b.put("kept", train.perLabel.getOrDefault(label, 0L) + validation.perLabel.getOrDefault(label, 0L) + test.perLabel.getOrDefault(label, 0L));
    }
    ObjectNode warnings = null;
    for (String label : plan.pack().labels().keySet()) {
      long kept = train.perLabel.getOrDefault(label, 0L) + validation.perLabel.getOrDefault(label, 0L) + test.perLabel.getOrDefault(label, 0L);
      long wanted = spec.targets().wanted(label);
      if (wanted > 0 && kept < wanted) {
        if (warnings == null) {
          warnings = m.putObject("warnings");
        }
        warnings.put("unmet_quota/" + label, "label " + label + " has " + kept + " records, short of its quota of " + wanted);
      }
    }

    m.set("bias", bias(outDir, available, tallies));
    m.set("formats", formats(spec, tallies));
    for (String w : qualityWarnings) {
      if (warnings == null) {
        warnings = m.putObject("warnings");
      }
      warnings.put("label_model", w);
    }

    ObjectNode fileNode = m.putObject("files");
    for (String f : files) {
      Path p = outDir.resolve(f);
      ObjectNode fn = fileNode.putObject(f);
      byte[] bytes = Files.readAllBytes(p);
      long lines = 0;
      for (byte b : bytes) {
        if (b == '\n') {
          lines++;
        }
      }
      fn.put("records", lines);
      fn.put("bytes", bytes.length);
      fn.put("sha256", com.google.common.hash.Hashing.sha256().hashBytes(bytes).toString());
    }
    m.set("run", run);
    return m;
  }

  /** The bias section from the final records the pipeline left in .final.jsonl. */
  static ObjectNode bias(Path outDir, Tally beforeBalance, Map<String, Tally> tallies) throws IOException {
    Path file = outDir.resolve(dev.seedforge.pipeline.SeedforgePipeline.FINAL);
    List<dev.seedforge.balance.BiasReport.Row> rows = new java.util.ArrayList<>();
    if (Files.exists(file)) {
      for (String l : Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8)) {
        if (!l.isBlank()) {
          rows.add(Json.mapper().readValue(l, dev.seedforge.balance.BiasReport.Row.class));
        }
      }
    }
    // near-duplicate rate: records the near-dup filter dropped over those that reached dedup, when it ran
    long nearDup = 0;
    boolean known = false;
    for (Map.Entry<String, Tally> e : tallies.entrySet()) {
      if (e.getKey().startsWith("rejected/dedup/") && e.getKey().contains("near")) {
        nearDup += e.getValue().total;
        known = true;
      }
    }
    Double rate = null;
    long reached = beforeBalance.total + tallies.entrySet().stream()
        .filter(e -> e.getKey().startsWith("rejected/dedup/")).mapToLong(e -> e.getValue().total).sum();
    if (known && reached > 0) {
      rate = nearDup / (double) reached;
    }
    return dev.seedforge.balance.BiasReport.compute(rows, beforeBalance.perLabel, rate);
  }

  /** Every format written, its files, and for prompt/completion the chosen separator and stop. */
  static ObjectNode formats(PipelineSpec spec, Map<String, Tally> tallies) {
    ObjectNode out = Json.mapper().createObjectNode();
    List<dev.seedforge.format.FormatSpec> formats = spec.output().formats();
    for (dev.seedforge.format.FormatSpec f : formats) {
      ObjectNode n = out.putObject(f.name());
      n.put("kind", f.kind());
      n.put("description", f.description());
      var files = n.putArray("files");
      for (String split : dev.seedforge.pipeline.SeedforgePipeline.splits(spec)) {
        files.add(dev.seedforge.format.RecordFormats.fileName(f, split, formats.size()));
      }
      if (f.kind().equals("openai-chat")) {
        n.put("utf8_bom", spec.output().azure());
        n.put("weight", f.weight());
      }
      if (f.kind().equals("prompt-completion")) {
        long mask = tally(tallies, "formats/markers").perLabel.getOrDefault(f.name(), 0L);
        dev.seedforge.format.PromptCompletion.Markers mk = dev.seedforge.format.PromptCompletion.choose(f, mask);
        n.put("separator", mk.separator());
        n.put("stop", mk.stop());
      }
    }
    return out;}

  /** Rejections per label, then per filter ({@code stage/filter}). */
  static ObjectNode perLabelRejections(Map<String, Tally> tallies) {
    Map<String, Map<String, Long>> byLabel = new TreeMap<>();
    tallies.forEach((k, t) -> {
      if (k.startsWith("rejected/")) {
        t.perLabel.forEach((l, v) -> byLabel.computeIfAbsent(l, x -> new TreeMap<>()).put(k.substring("rejected/".length()), v));
      }
    });
    ObjectNode n = Json.mapper().createObjectNode();
    byLabel.forEach((l, filters) -> {
      ObjectNode ln = n.putObject(l);
      filters.forEach(ln::put);
    });
    return n;
  }

  /**
   * Acceptance per strategy and per template: generated candidates that reached the gate, those
   * that passed the gate and both dedup stages (before balancing), and the rate.
   */
  static ObjectNode acceptance(Map<String, Tally> tallies) {
    Tally generated = tally(tallies, "acceptance/generated");
    Tally kept = tally(tallies, "acceptance/kept");
    Map<String, long[]> byStrategy = new TreeMap<>();
    Map<String, long[]> byTemplate = new TreeMap<>();
    generated.perLabel.forEach((key, g) -> {
      int bar = key.indexOf('|');
      String strategy = key.substring(0, bar);
      String template = key.substring(bar + 1);
      long k = kept.perLabel.getOrDefault(key, 0L);
      long[] s = byStrategy.computeIfAbsent(strategy, x -> new long[2]);
      s[0] += g;
      s[1] += k;
      long[] t = byTemplate.computeIfAbsent(template, x -> new long[2]);
      t[0] += g;
      t[1] += k;
    });
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("note", "generated candidates that passed the quality gate and dedup, before balancing");
    n.set("by_strategy", rates(byStrategy));
    n.set("by_template", rates(byTemplate));
    return n;
  }

  private static ObjectNode rates(Map<String, long[]> counts) {
    ObjectNode n = Json.mapper().createObjectNode();
    counts.forEach((k, c) -> {
      ObjectNode e = n.putObject(k);
      e.put("generated", c[0]);
      e.put("kept", c[1]);
      e.put("rate", c[0] == 0 ? 0.0 : Math.round(10000.0 * c[1] / c[0]) / 10000.0);
    });
    return n;
  }

  /** The label model's cross-validated accuracy on the seeds, and a warning when it is low. */
  static void labelModel(RunPlan plan, ObjectNode quality, List<String> warnings) {
    PipelineSpec.Relevance r = plan.spec().quality().relevance();
    if (r == null || !r.labelCheck() || plan.pack().task() != dev.seedforge.seed.TaskType.CLASSIFICATION) {
      return;
    }
    List<dev.seedforge.quality.LabelFilter.Example> examples = dev.seedforge.pipeline.SeedforgePipeline.labelled(plan);
    double acc = dev.seedforge.quality.LabelFilter.crossValidatedAccuracy(examples, plan.pack().labels(), r.cvFolds());
    ObjectNode lm = quality.putObject("label_model");
    lm.put("kind", "OpenNLP maxent, bag of words + bigrams, trained on the seeds and label descriptions");
    lm.put("seeds", examples.size());
    lm.put("folds", r.cvFolds());
    if (Double.isNaN(acc)) {
      lm.putNull("cv_accuracy");
      warnings.add("too few labelled seeds (" + examples.size() + ") to cross-validate the label model");
      return;
    }
    lm.put("cv_accuracy", Math.round(acc * 10000) / 10000.0);
    if (acc < r.warnBelowAccuracy()) {
      warnings.add(String.format(java.util.Locale.ROOT,
          "the label model predicts the seeds' own labels with %.0f%% cross-validated accuracy (below %.0f%%): labels overlap or seeds are too few, so label_consistency rejections are unreliable",
          100 * acc, 100 * r.warnBelowAccuracy()));
    }
  }

  private static Tally tally(Map<String, Tally> tallies, String key) {
    return tallies.getOrDefault(key, new Tally());
  }
}
