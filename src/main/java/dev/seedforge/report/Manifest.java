package dev.seedforge.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.accounting.RunAccount;
import dev.seedforge.accounting.Tally;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Prices;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Counts;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds manifest.json from typed results: the stage counts the pipeline summed, the account of
 * every call of every round, the budget, and the files the run wrote. Everything but the "run"
 * section (times, runner, run id) is the same on every identical run.
 */
public final class Manifest {
  public static final String VERSION = Version.get();

  private Manifest() {}

  /**
   * What the driver knows when a run ends: the last round's stage counts, the account of every
   * round's calls (null for runs without calls), the budget, how the run ended, the top-up rounds.
   */
  public record Inputs(
      Counts counts, RunAccount account, BudgetReport budget, String status, String stopMessage,
      List<dev.seedforge.pipeline.TopUp.RoundSummary> rounds, dev.seedforge.pipeline.TopUp.Report topUp, Map<String, String> warnings) {}

  public static ObjectNode build(RunPlan plan, Inputs in, Path outDir, List<String> files, ObjectNode run) throws IOException {
    Counts counts = in.counts();
    PipelineSpec spec = plan.spec();
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("seedforge_version", VERSION);
    m.set("pipeline", pipeline(plan));
    m.set("generator", generator(plan));
    m.set("seeds", tree(counts.tally(Counter.SEEDS_READ)));
    if (in.account() != null) {
      m.set("calls", tree(in.account().calls()));
      m.set("tokens", tree(in.account().tokens()));
      m.set("cost", tree(in.account().cost()));
    }
    m.put("status", in.status());
    if (in.budget() != null) {
      m.set("budget", tree(in.budget()));
    }
    if (!"complete".equals(in.status())) {
      m.set("stopped", stopped(in));
    }
    m.set("stages", stages(spec, counts));
    m.set("rejections", rejections(counts));
    m.set("acceptance", acceptance(counts));
    List<String> qualityWarnings = new java.util.ArrayList<>();
    m.set("quality", quality(plan, qualityWarnings));
    labelCheck(plan, counts, (ObjectNode) m.get("quality"));
    domainRelevance(plan, (ObjectNode) m.get("quality"));
    m.set("balance", balance(counts));
    ObjectNode warnings = Json.mapper().createObjectNode();
    if (!counts.names(Counter.SPLIT_GROUPS).isEmpty()) {
      m.set("split", SplitSection.of(spec, dev.seedforge.pipeline.SeedforgePipeline.splitGroups(plan), counts, warnings));
    }
    Tally kept = kept(counts);
    for (String label : plan.pack().labels().keySet()) {
      long wanted = spec.targets().wanted(label);
      if (wanted > 0 && kept.of(label) < wanted) {
        warnings.put("unmet_quota/" + label, "label " + label + " has " + kept.of(label) + " records, short of its quota of " + wanted);
      }
    }
    m.set("bias", bias(outDir, counts));
    m.set("formats", formats(spec, counts));
    if (!plan.chunks().isEmpty()) {
      m.set("documents", documents(plan, counts));
    }
    if (plan.pack().studentSystemMessage() != null) {
      m.set("distillation", distillation(plan, outDir));
    }
    for (String w : qualityWarnings) {
      warnings.put("label_model", w);
    }
    if (in.rounds() != null && !in.rounds().isEmpty()) {
      m.set("rounds", tree(in.rounds()));
    }
    if (in.topUp() != null) {
      m.set("top_up", tree(in.topUp()));
    }
    in.warnings().forEach(warnings::put);
    if (!warnings.isEmpty()) {
      m.set("warnings", warnings);
    }
    m.set("files", files(outDir, files));
    m.set("run", run);
    return m;
  }

  /**
   * The budget and what was charged against it: this run's spend (every HTTP request it sent,
   * tokens and cost as reported), and what earlier unfinished attempts in the same folder used.
   */
  @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record BudgetReport(long maxCalls, long maxTokens, double maxCostUsd, Spent spent, int earlierAttempts, Spent earlierAttemptsSpent,
      Spent charged) {
    /** Calls (HTTP requests), tokens and USD. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Spent(long calls, long tokens, double costUsd) {
      public static Spent of(dev.seedforge.accounting.SpendLedger.Spend s) {
        return new Spent(s.calls(), s.tokens(), s.usd());
      }
    }
  }

  /**
   * Coverage of a run over documents: per document its chunks, the records written from them
   * (train, validation, test) and the chunks with none; in all, the chunks, the records and the
   * chunks that yielded nothing, each with its place in the document.
   */
  static ObjectNode documents(dev.seedforge.pipeline.RunPlan plan, dev.seedforge.pipeline.Counts counts) {
    ObjectNode out = Json.mapper().createObjectNode();
    ObjectNode per = Json.mapper().createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode without = Json.mapper().createArrayNode();
    Map<String, long[]> docs = new java.util.TreeMap<>();
    long examples = 0;
    for (dev.seedforge.document.Chunk c : plan.chunks()) {
      long n = counts.tally(Counter.CHUNK_WRITTEN, c.id()).total();
      long[] d = docs.computeIfAbsent(c.document(), k -> new long[3]);
      d[0]++;
      d[1] += n;
      examples += n;
      if (n == 0) {
        d[2]++;
        ObjectNode w = without.addObject();
        w.put("chunk_id", c.id());
        w.put("where", c.location());
        w.put("start", c.start());
        w.put("end", c.end());
        w.put("available", counts.tally(Counter.CHUNK_AVAILABLE, c.id()).total());
      }
    }
    docs.forEach((doc, d) -> {
      ObjectNode o = per.putObject(doc);
      o.put("chunks", d[0]);
      o.put("examples", d[1]);
      o.put("chunks_without_examples", d[2]);
    });
    out.put("chunks", plan.chunks().size());
    out.put("examples", examples);
    out.put("chunk_size", plan.spec().documents().chunkSize());
    out.put("chunk_overlap", plan.spec().documents().chunkOverlap());
    out.put("context", plan.spec().documents().includeContext() ? "include" : "exclude");
    out.set("per_document", per);
    out.set("chunks_without_examples", without);
    return out;
  }

  /**
   * Prompt distillation: tokens of the teacher system message (the pack's system prompt and the
   * output contract, as every generation call sends it) and of the student one written into the
   * records, and the mean prompt tokens per written example under each (system message and the
   * record's user turn as the bias report counts it), with what the student prompt saves.
   */
  static ObjectNode distillation(RunPlan plan, Path outDir) throws IOException {
    dev.seedforge.generate.TokenCounter counter = dev.seedforge.generate.TokenCounter.forModel(plan.spec().llm().model());
    String teacher = plan.planner().teacherSystemMessage();
    String student = dev.seedforge.pipeline.SeedforgePipeline.recordSystemMessage(plan);
    Path file = outDir.resolve(dev.seedforge.pipeline.SeedforgePipeline.FINAL);
    long n = 0;
    long teacherSum = 0;
    long studentSum = 0;
    if (Files.exists(file)) {
      for (String l : Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8)) {
        if (l.isBlank()) {
          continue;
        }
        String user = Json.mapper().readValue(l, dev.seedforge.balance.BiasReport.Row.class).text();
        teacherSum += counter.promptTokens(List.of(new dev.seedforge.generate.ChatTurn("system", teacher), new dev.seedforge.generate.ChatTurn("user", user)));
        studentSum += counter.promptTokens(student == null ? List.of(new dev.seedforge.generate.ChatTurn("user", user))
            : List.of(new dev.seedforge.generate.ChatTurn("system", student), new dev.seedforge.generate.ChatTurn("user", user)));
        n++;
      }
    }
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("tokenizer", counter.encodingName());
    out.put("teacher_system_tokens", counter.count(teacher));
    out.put("student_system_tokens", counter.count(student));
    out.put("student_system_message", student);
    out.put("examples", n);
    ObjectNode per = out.putObject("tokens_per_example");
    per.put("teacher", n == 0 ? 0 : Math.round(10.0 * teacherSum / n) / 10.0);
    per.put("student", n == 0 ? 0 : Math.round(10.0 * studentSum / n) / 10.0);
    out.put("saved_per_example", n == 0 ? 0 : Math.round(10.0 * (teacherSum - studentSum) / n) / 10.0);
    return out;
  }

  static JsonNode tree(Object value) {
    return Json.mapper().valueToTree(value);
  }

  static ObjectNode pipeline(RunPlan plan) {
    PipelineSpec spec = plan.spec();
    ObjectNode pipeline = Json.mapper().createObjectNode();
    pipeline.put("name", spec.name());
    pipeline.put("file", spec.sourceFile());
    pipeline.put("spec_hash", spec.specHash());
    pipeline.put("pack", plan.pack().domain());
    pipeline.put("task", plan.pack().task().wireName());
    pipeline.put("seed", spec.seed());
    return pipeline;
  }

  static ObjectNode generator(RunPlan plan) {
    PipelineSpec spec = plan.spec();
    ObjectNode generator = Json.mapper().createObjectNode();
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
    return generator;
  }

  static ObjectNode stopped(Inputs in) {
    ObjectNode stopped = Json.mapper().createObjectNode();
    stopped.put("reason", in.status());
    if (in.account() != null) {
      stopped.put("requests_not_sent", in.account().calls().failuresByKind().entrySet().stream()
          .filter(e -> e.getKey().equals("budget_exhausted") || e.getKey().equals("circuit_open")).mapToLong(Map.Entry::getValue).sum());
    }
    if (in.stopMessage() != null) {
      stopped.put("message", in.stopMessage());
    }
    if (in.budget() != null) {
      ObjectNode limits = stopped.putObject("budget");
      limits.put("max_calls", in.budget().maxCalls());
      limits.put("max_tokens", in.budget().maxTokens());
      limits.put("max_cost_usd", in.budget().maxCostUsd());
      stopped.set("spent", tree(in.budget().spent()));
    }
    return stopped;
  }

  static ObjectNode stages(PipelineSpec spec, Counts counts) {
    ObjectNode stages = Json.mapper().createObjectNode();
    stages.set("generated", tree(counts.tally(Counter.GENERATED)));
    stages.set("passed_quality", tree(counts.tally(Counter.QUALITY_PASSED)));
    stages.set("train", tree(counts.tally(Counter.FINAL, "train")));
    stages.set("validation", tree(counts.tally(Counter.FINAL, "validation")));
    if (spec.split().test() > 0) {
      stages.set("test", tree(counts.tally(Counter.FINAL, "test")));
    }
    if (!counts.names(Counter.PAIRS).isEmpty()) {
      ObjectNode pairs = stages.putObject("pairs");
      for (String name : counts.names(Counter.PAIRS)) {
        pairs.put(name, counts.tally(Counter.PAIRS, name).total());
      }
    }
    if (!spec.split().subsets().isEmpty()) {
      ObjectNode subsets = stages.putObject("subsets");
      for (double s : spec.split().subsets()) {
        String name = dev.seedforge.balance.Subsets.name(s);
        subsets.set(name, tree(counts.tally(Counter.SUBSET, name)));
      }
    }
    return stages;
  }

  /** Records in every split, per label. */
  static Tally kept(Counts counts) {
    Tally kept = Tally.ZERO;
    for (String split : List.of("train", "validation", "test")) {
      kept = kept.plus(counts.tally(Counter.FINAL, split));
    }
    return kept;
  }

  static ObjectNode rejections(Counts counts) {
    ObjectNode rejections = Json.mapper().createObjectNode();
    ObjectNode byFilter = rejections.putObject("by_filter");
    long total = 0;
    Map<String, Long> perLabelTotal = new TreeMap<>();
    Map<String, Map<String, Long>> perLabel = new TreeMap<>();
    for (String filter : counts.names(Counter.REJECTED)) {
      Tally t = counts.tally(Counter.REJECTED, filter);
      byFilter.set(filter, tree(t));
      total += t.total();
      t.perLabel().forEach((l, v) -> {
        perLabelTotal.merge(l, v, Long::sum);
        perLabel.computeIfAbsent(l, x -> new TreeMap<>()).put(filter, v);
      });
    }
    rejections.set("all", tree(new Tally(total, new TreeMap<>(perLabelTotal))));
    rejections.set("per_label", tree(perLabel));
    return rejections;
  }

  static ObjectNode balance(Counts counts) {
    ObjectNode balance = Json.mapper().createObjectNode();
    Tally available = counts.tally(Counter.BALANCE_AVAILABLE);
    Tally quota = counts.tally(Counter.BALANCE_QUOTA);
    Tally kept = kept(counts);
    for (String label : available.perLabel().keySet()) {
      ObjectNode b = balance.putObject(label);
      b.put("available", available.of(label));
      b.put("quota", quota.of(label));
      b.put("kept", kept.of(label));
    }
    return balance;
  }

  static ObjectNode quality(RunPlan plan, List<String> warnings) {
    ObjectNode quality = Json.mapper().createObjectNode();
    labelModel(plan, quality, warnings);
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
    return quality;
  }

  static ObjectNode files(Path outDir, List<String> files) throws IOException {
    ObjectNode fileNode = Json.mapper().createObjectNode();
    for (String f : files) {
      byte[] bytes = Files.readAllBytes(outDir.resolve(f));
      long lines = 0;
      for (byte b : bytes) {
        if (b == '\n') {
          lines++;
        }
      }
      ObjectNode fn = fileNode.putObject(f);
      fn.put("records", lines);
      fn.put("bytes", bytes.length);
      fn.put("sha256", com.google.common.hash.Hashing.sha256().hashBytes(bytes).toString());
    }
    return fileNode;
  }

  /** The bias section from the final records the pipeline left in .final.jsonl. */
  static ObjectNode bias(Path outDir, Counts counts) throws IOException {
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
    long dedupRejected = 0;
    boolean known = false;
    for (String filter : counts.names(Counter.REJECTED)) {
      if (filter.startsWith("dedup/")) {
        long n = counts.tally(Counter.REJECTED, filter).total();
        dedupRejected += n;
        if (filter.contains("near")) {
          nearDup += n;
          known = true;
        }
      }
    }
    // the LLM judge, when on, rejects after dedup: what it rejected had reached dedup too
    long judgeRejected = 0;
    for (String filter : counts.names(Counter.REJECTED)) {
      if (filter.startsWith("judge/")) {
        judgeRejected += counts.tally(Counter.REJECTED, filter).total();
      }
    }
    Tally available = counts.tally(Counter.BALANCE_AVAILABLE);
    long reached = available.total() + dedupRejected + judgeRejected;
    Double rate = known && reached > 0 ? nearDup / (double) reached : null;
    return dev.seedforge.balance.BiasReport.compute(rows, available.perLabel(), rate);
  }

  /** Every format written, its files, and for prompt/completion the chosen separator and stop. */
  static ObjectNode formats(PipelineSpec spec, Counts counts) {
    ObjectNode out = Json.mapper().createObjectNode();
    List<dev.seedforge.format.FormatSpec> formats = spec.output().formats();
    Tally markers = counts.tally(Counter.FORMAT_MARKERS);
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
        dev.seedforge.format.PromptCompletion.Markers mk = dev.seedforge.format.PromptCompletion.choose(f, markers.of(f.name()));
        n.put("separator", mk.separator());
        n.put("stop", mk.stop());
      }
    }
    return out;
  }

  /**
   * Acceptance per strategy and per template: generated candidates that reached the gate, those
   * that passed the gate and both dedup stages (before balancing), and the rate.
   */
  static ObjectNode acceptance(Counts counts) {
    Map<String, long[]> byStrategy = new TreeMap<>();
    Map<String, long[]> byTemplate = new TreeMap<>();
    for (String strategy : counts.names(Counter.ACCEPTANCE_GENERATED)) {
      Tally generated = counts.tally(Counter.ACCEPTANCE_GENERATED, strategy);
      Tally kept = counts.tally(Counter.ACCEPTANCE_KEPT, strategy);
      byStrategy.put(strategy, new long[] {generated.total(), kept.total()});
      generated.perLabel().forEach((template, g) -> {
        long[] t = byTemplate.computeIfAbsent(template, x -> new long[2]);
        t[0] += g;
        t[1] += kept.of(template);
      });
    }
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

  /**
   * The out-of-fold label check: per label, the candidates it judged, those it found suspect, and
   * their share (the estimated share of wrong labels among the candidates that passed the filters).
   */
  static void labelCheck(RunPlan plan, Counts counts, ObjectNode quality) {
    java.util.Optional<dev.seedforge.quality.LabelCheckStage> stage = dev.seedforge.pipeline.SeedforgePipeline.labelCheck(plan);
    if (stage.isEmpty()) {
      return;
    }
    PipelineSpec.Relevance r = plan.spec().quality().relevance();
    ObjectNode lc = quality.putObject("label_check");
    lc.put("features", r.resolvedLabelFeatures());
    lc.put("folds", r.cvFolds());
    lc.put("margin", r.labelMargin());
    lc.put("note", "trained on the seeds and the candidates that passed the other filters; each candidate scored by the model of the other folds");
    Tally checked = counts.tally(Counter.LABEL_CHECKED);
    Tally suspect = counts.tally(Counter.REJECTED, "quality/" + dev.seedforge.quality.LabelFilter.NAME);
    ObjectNode share = lc.putObject("estimated_wrong_share");
    ObjectNode perLabel = lc.putObject("per_label");
    for (String label : plan.pack().labels().keySet()) {
      long n = checked.of(label);
      ObjectNode e = perLabel.putObject(label);
      e.put("checked", n);
      e.put("suspect", suspect.of(label));
      if (n > 0) {
        share.put(label, Math.round(10000.0 * suspect.of(label) / n) / 10000.0);
      }
    }
  }

  /** The off-topic bound of the domain relevance filter and where it came from. */
  static void domainRelevance(RunPlan plan, ObjectNode quality) {
    PipelineSpec.Relevance r = plan.spec().quality().relevance();
    if (r == null || !r.domainCheck() || plan.seeds().isEmpty()) {
      return;
    }
    dev.seedforge.quality.DomainRelevanceFilter.Bound b = dev.seedforge.pipeline.SeedforgePipeline.relevanceBound(plan);
    ObjectNode dr = quality.putObject("domain_relevance");
    dr.put("min_similarity", b.value());
    dr.put("source", b.source());
  }

  /**
   * Starts the label model's cross-validation (its figure goes into the manifest) on a background
   * thread, so that it runs while the job does; the manifest then waits for it if it has not finished.
   */
  public static void startLabelModel(RunPlan plan) {
    if (hasLabelModel(plan)) {
      PipelineSpec.Relevance r = plan.spec().quality().relevance();
      dev.seedforge.quality.LabelFilter.crossValidateInBackground(dev.seedforge.pipeline.SeedforgePipeline.labelled(plan), plan.pack().labels(), r.cvFolds());
    }
  }

  private static boolean hasLabelModel(RunPlan plan) {
    PipelineSpec.Relevance r = plan.spec().quality().relevance();
    return r != null && r.labelCheck() && plan.pack().task() == dev.seedforge.seed.TaskType.CLASSIFICATION;
  }

  /** The label model's cross-validated accuracy on the seeds, and a warning when it is low. */
  static void labelModel(RunPlan plan, ObjectNode quality, List<String> warnings) {
    PipelineSpec.Relevance r = plan.spec().quality().relevance();
    if (!hasLabelModel(plan)) {
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
          "a label model trained on the seeds alone predicts their own labels with %.0f%% cross-validated accuracy (below %.0f%%): labels overlap or seeds are too few; label_consistency learns from the candidates as well, and quality.label_check's per-label estimated_wrong_share says what it found",
          100 * acc, 100 * r.warnBelowAccuracy()));
    }
  }

}
