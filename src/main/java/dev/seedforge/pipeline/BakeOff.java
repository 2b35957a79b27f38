package dev.seedforge.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.seedforge.accounting.CallRecord;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.Prices;
import dev.seedforge.quality.LabelFilter;
import dev.seedforge.report.ReportData;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.TaskType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code seedforge compare}: the same sample of a pipeline's planned requests, run on each model
 * through the whole pipeline (cache, ledger, budget, gate, dedup), and what each model's answers
 * were worth: acceptance after the gate and dedup, why the rest was rejected, label agreement,
 * diversity, tokens, latency, cost per accepted example and the projected cost of the full plan.
 * The verdict is the cheapest model whose yield (acceptance × label agreement) is within a
 * tolerance of the best. Every sampled answer lands in the response cache, so a full run with the chosen
 * model pays again only for the requests outside the sample.
 */
public final class BakeOff {
  /** Acceptance, in absolute points, within which a cheaper model is preferred to the best one. */
  public static final double DEFAULT_TOLERANCE = 0.05;
  public static final int DEFAULT_SAMPLE = 20;
  private static final int KEEP_ALL = 1_000_000_000;

  /** A model to try: {@code provider:model} or just {@code model} (the pipeline's provider and endpoint). */
  public record Contender(String provider, String model) {
    private static final Set<String> PROVIDERS = Set.of("openai", "azure", "anthropic", "ollama");

    public static Contender parse(String text, String defaultProvider) {
      String t = text.strip();
      int colon = t.indexOf(':');
      if (colon > 0 && PROVIDERS.contains(t.substring(0, colon))) {
        return new Contender(t.substring(0, colon), t.substring(colon + 1));
      }
      return new Contender(defaultProvider, t);
    }

    /** A folder name for the model's run. */
    String folder() {
      String name = (provider + "-" + model).replaceAll("[^A-Za-z0-9._-]+", "_");
      return name.length() > 80 ? name.substring(0, 80) : name;
    }

    @Override
    public String toString() {
      return provider + ":" + model;
    }
  }

  /**
   * One model's figures over the sample. {@code asked}: examples the sampled calls asked for;
   * {@code acceptance}: accepted (passed the gate and dedup) over asked, so an answer that did not
   * parse or a failed call counts against the model; {@code sampleUsd}: the sample at list price,
   * paid now or earlier (cached); {@code projectedUsd}: that per call, times the full plan's calls.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Result(
      String provider,
      String model,
      String runDir,
      String status,
      long calls,
      long callsMade,
      long callsCached,
      long callsFailed,
      long asked,
      long generated,
      long accepted,
      double acceptance,
      Map<String, Long> rejections,
      Double labelAgreement,
      double distinct1,
      double distinct2,
      long inputTokens,
      long outputTokens,
      Long latencyP50Ms,
      Long latencyP95Ms,
      double paidUsd,
      Double sampleUsd,
      Double usdPerAccepted,
      Double projectedUsd,
      String priceSource) {}

  /** Every model's result and the verdict. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Comparison(
      String pipeline,
      int sampleRequests,
      int planRequests,
      double tolerance,
      String labelAgreementSource,
      List<Result> models,
      String choice,
      String reason) {}

  private BakeOff() {}

  /**
   * The sample: {@code n} requests of the plan, taken in turn from each label (then in plan order),
   * so every label is tried. Deterministic: the plan's order is.
   */
  static List<GenerationRequest> sample(List<GenerationRequest> plan, int n) {
    Map<String, List<GenerationRequest>> byLabel = new LinkedHashMap<>();
    for (GenerationRequest r : plan) {
      byLabel.computeIfAbsent(String.valueOf(r.label()), k -> new ArrayList<>()).add(r);
    }
    List<GenerationRequest> out = new ArrayList<>();
    for (int i = 0; out.size() < Math.min(n, plan.size()); i++) {
      for (List<GenerationRequest> rs : byLabel.values()) {
        if (i < rs.size() && out.size() < n) {
          out.add(rs.get(i));
        }
      }
    }
    return out;
  }

  /** What a request asks for, whichever model it goes to: the key that matches a sample across models. */
  static String slot(GenerationRequest r) {
    return r.label() + "\u0000" + r.strategy() + "\u0000" + r.templateId() + "\u0000" + r.sampleIndex() + "\u0000" + r.seedIds();
  }

  /**
   * Runs the sample on every contender, each in {@code outDir/<provider-model>/}, and compares them.
   * {@code progress} hears one line per model as it finishes.
   */
  public static Comparison run(PipelineSpec spec, Map<String, String> env, List<Contender> contenders, int sampleSize, double tolerance,
      Path outDir, PipelineOptions options, Consumer<String> progress) throws IOException {
    if (contenders.isEmpty()) {
      throw new InvalidInputException("--models: name at least one model, e.g. --models gpt-4o-mini,gpt-4.1-mini");
    }
    RunPlan base = RunPlan.prepare(spec.withLlm(spec.llm().withModel(contenders.get(0).provider(), contenders.get(0).model(),
        baseUrlFor(spec, contenders.get(0)))), env);
    if (!base.usesLlm()) {
      throw new InvalidInputException(spec.name() + ": compare needs an LLM generator; the pipeline generates offline (lexical)");
    }
    List<GenerationRequest> sampled = sample(base.requests(), sampleSize);
    Set<String> slots = new HashSet<>();
    sampled.forEach(r -> slots.add(slot(r)));
    List<Result> results = new ArrayList<>();
    // the same seeds judge every model's labels: trained once
    LabelFilter labelModel = labelModel(base);
    for (Contender c : contenders) {
      // Every accepted example is written: balancing to the smallest label would measure the sample's
      // label mix, not the model.
      PipelineSpec s = spec.withLlm(spec.llm().withModel(c.provider(), c.model(), baseUrlFor(spec, c)))
          .withOutputDir(outDir.resolve(c.folder()).toAbsolutePath().normalize().toString())
          .withTargets(new PipelineSpec.Targets(KEEP_ALL, Map.of()));
      RunPlan full = RunPlan.prepare(s, env);
      List<GenerationRequest> mine = full.requests().stream().filter(r -> slots.contains(slot(r))).toList();
      RunPlan plan = new RunPlan(full.spec(), full.pack(), full.seeds(), full.generator(), full.generatorNote(), mine, full.warnings());
      Runner.Outcome outcome = Runner.run(plan, options);
      Result r = result(c, plan, outcome, full.requests().size(), labelModel);
      results.add(r);
      progress.accept(line(r));
    }
    String agreementSource = base.pack().task() == TaskType.CLASSIFICATION
        ? "OpenNLP maxent label model trained on the seeds and label descriptions: the share of each model's kept examples it labels as their intended label"
        : null;
    Verdict v = choose(results, tolerance);
    return new Comparison(spec.name(), sampled.size(), base.requests().size(), tolerance, agreementSource, results, v.choice(), v.reason());
  }

  /** The pipeline's endpoint for models on its own provider; another provider's default endpoint otherwise. */
  private static String baseUrlFor(PipelineSpec spec, Contender c) {
    String own = "auto".equals(spec.llm().provider()) || "lexical".equals(spec.llm().provider()) ? "openai" : spec.llm().provider();
    return c.provider().equals(own) ? spec.llm().baseUrl() : null;
  }

  private static Result result(Contender c, RunPlan plan, Runner.Outcome outcome, int fullPlanRequests, LabelFilter labelModel)
      throws IOException {
    JsonNode m = outcome.manifest();
    long generated = 0;
    long kept = 0;
    for (JsonNode s : m.path("acceptance").path("by_strategy")) {
      generated += s.path("generated").asLong();
      kept += s.path("kept").asLong();
    }
    Map<String, Long> rejections = new TreeMap<>();
    m.path("rejections").path("by_filter").fields().forEachRemaining(e -> {
      if (!e.getKey().startsWith("balance/")) {
        rejections.put(e.getKey(), e.getValue().path("total").asLong());
      }
    });
    var account = outcome.account();
    // what the calls asked for: a model that answers with prose or fails a call accepts less of it
    long asked = account.calls().planned().total() * (long) plan.spec().generation().examplesPerCall();
    List<CallRecord> records = outcome.calls();
    long in = account.tokens().input().total() + account.tokens().cachedInput().total();
    long out = account.tokens().output().total() + account.tokens().cachedOutput().total();
    PipelineSpec.Price price = Prices.table().priceOf(c.model(), plan.spec().llm().price());
    Double sampleUsd = price == null ? null : Prices.cost(price, in, out);
    long answered = account.calls().made().total() + account.calls().cached().total();
    Double perAccepted = sampleUsd == null || kept == 0 ? null : sampleUsd / kept;
    Double projected = sampleUsd == null || answered == 0 ? null : sampleUsd / answered * fullPlanRequests;
    List<Long> latencies = records.stream().filter(r -> r.source() == CallRecord.Source.CALLED && r.millis() > 0)
        .map(CallRecord::millis).sorted().toList();
    Texts texts = texts(outcome.outDir(), plan);
    return new Result(
        c.provider(), c.model(), outcome.outDir().toString(), outcome.status().name().toLowerCase(Locale.ROOT),
        account.calls().planned().total(), account.calls().made().total(), account.calls().cached().total(), account.calls().failed().total(),
        asked, generated, kept, asked == 0 ? 0 : round4((double) kept / asked), rejections,
        labelAgreement(plan, labelModel, texts), round4(distinct(texts.all(), 1)), round4(distinct(texts.all(), 2)), in, out,
        percentile(latencies, 0.5), percentile(latencies, 0.95),
        round6(account.cost().total()), sampleUsd == null ? null : round6(sampleUsd), perAccepted == null ? null : round6(perAccepted),
        projected == null ? null : round4(projected),
        price == null ? "unknown model: no price (set llm.price)" : Prices.table().sourceOf(c.model(), plan.spec().llm().price()));
  }

  /** The kept examples the model generated (seeds left out), with their labels. */
  record Texts(List<String> all, List<String[]> labelled) {}

  private static Texts texts(Path runDir, RunPlan plan) throws IOException {
    Set<String> seedTexts = new HashSet<>();
    for (Seed s : plan.seeds()) {
      seedTexts.add(s.fields().getOrDefault("text", s.fields().getOrDefault("instruction", "")).strip());
    }
    List<String> all = new ArrayList<>();
    List<String[]> labelled = new ArrayList<>();
    for (ReportData.Kept k : ReportData.records(runDir)) {
      if (seedTexts.contains(k.text().strip())) {
        continue;
      }
      all.add(plan.pack().task() == TaskType.CLASSIFICATION ? k.text() : k.text() + "\n" + k.answer());
      labelled.add(new String[] {k.text(), k.label()});
    }
    return new Texts(all, labelled);
  }

  /** A maxent label model on the seeds and label descriptions, or null when the task has no labels to tell apart. */
  private static LabelFilter labelModel(RunPlan plan) {
    if (plan.pack().task() != TaskType.CLASSIFICATION || plan.pack().labels().size() < 2) {
      return null;
    }
    List<LabelFilter.Example> examples = new ArrayList<>();
    for (Seed s : plan.seeds()) {
      examples.add(new LabelFilter.Example(s.fields().getOrDefault("text", ""), s.label()));
    }
    return LabelFilter.train(examples, plan.pack().labels(), 0, TaskType.CLASSIFICATION);
  }

  private static Double labelAgreement(RunPlan plan, LabelFilter model, Texts texts) {
    if (model == null || texts.labelled().isEmpty()) {
      return null;
    }
    int agree = 0;
    for (String[] t : texts.labelled()) {
      String best = null;
      double bestP = -1;
      for (String label : plan.pack().labels().keySet()) {
        double p = model.probability(t[0], label);
        if (p > bestP) {
          bestP = p;
          best = label;
        }
      }
      if (t[1] != null && t[1].equals(best)) {
        agree++;
      }
    }
    return round4((double) agree / texts.labelled().size());
  }

  /** Distinct-n: distinct word n-grams over all n-grams of the texts (lower case). */
  static double distinct(List<String> texts, int n) {
    Set<String> seen = new HashSet<>();
    long total = 0;
    for (String t : texts) {
      String[] w = t.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+");
      List<String> words = new ArrayList<>();
      for (String x : w) {
        if (!x.isEmpty()) {
          words.add(x);
        }
      }
      for (int i = 0; i + n <= words.size(); i++) {
        seen.add(String.join(" ", words.subList(i, i + n)));
        total++;
      }
    }
    return total == 0 ? 0 : (double) seen.size() / total;
  }

  record Verdict(String choice, String reason) {}

  /**
   * What a model's answers yield: the share of the examples asked for that were accepted and, where
   * label agreement is measured, labelled as intended (acceptance × agreement).
   */
  static double yieldOf(Result r) {
    return r.acceptance() * (r.labelAgreement() == null ? 1.0 : r.labelAgreement());
  }

  /** The cheapest model (cost per accepted example) among those whose yield is within {@code tolerance} of the best. */
  static Verdict choose(List<Result> results, double tolerance) {
    double best = results.stream().mapToDouble(BakeOff::yieldOf).max().orElse(0);
    List<Result> close = results.stream().filter(r -> r.accepted() > 0 && yieldOf(r) >= best - tolerance - 1e-9).toList();
    if (close.isEmpty()) {
      return new Verdict(null, "no model had an accepted example in the sample");
    }
    List<Result> priced = close.stream().filter(r -> r.usdPerAccepted() != null).sorted(Comparator.comparingDouble(Result::usdPerAccepted)).toList();
    Result pick = priced.isEmpty() ? close.stream().max(Comparator.comparingDouble(BakeOff::yieldOf)).orElseThrow() : priced.get(0);
    String within = String.format(Locale.ROOT, "within %.0f points of the best yield (%.1f%% of the examples asked for %s)", tolerance * 100,
        best * 100, results.stream().anyMatch(r -> r.labelAgreement() != null) ? "accepted and labelled as intended" : "accepted");
    String reason = priced.isEmpty()
        ? "the best acceptance " + within + "; no price is known for these models, so cost was not compared"
        : String.format(Locale.ROOT, "the cheapest per accepted example ($%.6f) of the %d model%s %s", pick.usdPerAccepted(), close.size(),
            close.size() == 1 ? "" : "s", within);
    return new Verdict(pick.provider() + ":" + pick.model(), reason);
  }

  /** One line of the console table. */
  public static String line(Result r) {
    return String.format(Locale.ROOT, "  %-28s accepted %4d of %4d (%5.1f%%)%s  distinct-2 %.3f  tokens %d in / %d out  latency p50 %s  $/accepted %s  full plan %s",
        r.provider() + ":" + r.model(), r.accepted(), r.asked(), r.acceptance() * 100,
        r.labelAgreement() == null ? "" : String.format(Locale.ROOT, "  label agreement %5.1f%%", r.labelAgreement() * 100),
        r.distinct2(), r.inputTokens(), r.outputTokens(), r.latencyP50Ms() == null ? "-" : r.latencyP50Ms() + " ms",
        r.usdPerAccepted() == null ? "-" : String.format(Locale.ROOT, "%.6f", r.usdPerAccepted()),
        r.projectedUsd() == null ? "-" : String.format(Locale.ROOT, "$%.4f", r.projectedUsd()));
  }

  private static Long percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return null;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static double round4(double x) {
    return Math.round(x * 1e4) / 1e4;
  }

  private static double round6(double x) {
    return Math.round(x * 1e6) / 1e6;
  }
}
