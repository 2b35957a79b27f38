package dev.seedforge.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.util.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** Reads and validates a pipeline file as a whole; all problems are reported together. */
public final class SpecLoader {
  static final Set<String> PROVIDERS = Set.of("auto", "lexical", "openai", "azure", "anthropic", "ollama");
  static final String PROVIDER_NAMES = "auto, lexical, openai, azure, anthropic, ollama";
  static final Set<String> RESPONSE_FORMATS = Set.of("json_schema", "json_object", "text");

  /** Values given on the command line; null means "as in the file". */
  public record Overrides(String provider, String model, String baseUrl, Long seed, String outDir) {
    public static Overrides none() {
      return new Overrides(null, null, null, null, null);
    }
  }

  private SpecLoader() {}

  public static PipelineSpec load(Path file, Map<String, String> env, Overrides overrides) {
    String source = display(file);
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(source + ": no such pipeline file; pipelines live in pipelines/*.yaml");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidInputException(source + ": cannot read the pipeline file: " + firstLine(e.getMessage()));
    }
    JsonNode root = YamlFiles.read(new String(bytes, StandardCharsets.UTF_8), source);
    Problems problems = new Problems(source);
    UnaryOperator<String> sub = EnvSubstitution.using(env, problems, source);
    Fields top = new Fields(root, "", problems, sub);
    Path base = file.toAbsolutePath().getParent();

    String fileName = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    String name = top.string("name", fileName);
    if (name != null && !name.matches("[A-Za-z0-9._-]+")) {
      problems.add("name", "use letters, digits, '.', '_' or '-' only (it names the output folder), got \"" + name + "\"");
    }
    String pack = top.requiredString("pack");
    Path packDir = pack == null ? null : base.resolve(pack).normalize();
    if (packDir != null && !Files.isRegularFile(packDir.resolve("pack.yaml"))) {
      problems.add("pack", "no pack.yaml in " + packDir + " (paths are relative to the pipeline file)");
    }
    // The pack's own files must stay in its folder unless the pipeline says otherwise (PackLoader).
    boolean packAllowOutsidePaths = top.bool("pack_allow_outside_paths", false);
    String seeds = top.string("seeds", null);
    Path seedsFile = seeds == null ? null : base.resolve(seeds).normalize();
    if (seedsFile != null && !Files.isRegularFile(seedsFile)) {
      problems.add("seeds", "no such file: " + seedsFile + " (paths are relative to the pipeline file)");
    }
    long seed = top.longValue("seed", 42L, Long.MIN_VALUE, Long.MAX_VALUE);

    Fields l = top.object("llm");
    String provider = l.string("provider", "auto");
    if (provider != null && !PROVIDERS.contains(provider)) {
      problems.add("llm.provider", "expected one of " + PROVIDER_NAMES + ", got \"" + provider + "\"");
    }
    String responseFormat = l.string("response_format", "json_schema");
    if (!RESPONSE_FORMATS.contains(responseFormat)) {
      problems.add("llm.response_format", "expected one of json_schema, json_object, text, got \"" + responseFormat + "\"");
    }
    PipelineSpec.Llm llm =
        new PipelineSpec.Llm(
            provider,
            l.string("model", "gpt-4o-mini"),
            emptyToNull(l.string("base_url", null)),
            l.string("api_key_env", dev.seedforge.generate.Provider.of(provider).defaultKeyEnv()),
            l.number("temperature", 0.9, 0, 2),
            l.number("top_p", 1.0, 0, 1),
            l.integer("max_tokens", 1024, 1, 1_000_000),
            l.integer("timeout_seconds", 60, 1, 3600),
            l.integer("max_attempts", 4, 1, 20),
            l.integer("concurrency", 8, 1, 1024),
            responseFormat,
            cachePath(l, env, base),
            false,
            l.number("requests_per_minute", 0, 0, 1e9),
            l.number("tokens_per_minute", 0, 0, 1e12),
            budget(l.object("budget")),
            price(l.object("price"), problems),
            l.integer("max_prompt_tokens", 0, 0, 100_000_000),
            l.string("api_version", null),
            batch(l.string("mode", PipelineSpec.Batch.SYNC), l.object("batch"), problems));
    if ("azure".equals(provider) && llm.baseUrl() == null) {
      problems.add("llm.base_url", "llm.provider azure needs the resource URL, e.g. https://RESOURCE.openai.azure.com (llm.model names the deployment)");
    }
    if (llm.batch().on() && "ollama".equals(llm.provider())) {
      problems.add("llm.mode", "batch needs a provider with a Batch API (OpenAI, Azure OpenAI); Ollama has none: use llm.mode: sync");
    }
    if (llm.batch().on() && ("anthropic".equals(llm.provider()) || "azure".equals(llm.provider()))) {
      problems.add("llm.mode", "batch mode speaks OpenAI's Batch API: for Azure use its v1 endpoint (llm.provider: openai, llm.base_url:"
          + " https://RESOURCE.openai.azure.com/openai/v1); Anthropic's Message Batches are not supported yet: use llm.mode: sync");
    }
    if (llm.baseUrl() != null && !isHttpUrl(llm.baseUrl())) {
      problems.add("llm.base_url", notAnHttpUrl(llm.baseUrl()));
    }
    if (l.has("api_key")) {
      l.raw("api_key");
      problems.add("llm.api_key", "keys never go in pipeline files; name the environment variable that holds it with llm.api_key_env");
    }
    l.finish();

    Fields g = top.object("generation");
    PipelineSpec.Generation generation =
        new PipelineSpec.Generation(
            g.stringList("strategies", List.of()),
            g.integer("calls_per_label", 4, 1, 1_000_000),
            g.integer("examples_per_call", 5, 1, 100),
            g.integer("few_shot", 3, 0, 50),
            g.integer("max_rounds", 3, 1, 100),
            g.integer("max_topup_calls", 0, 0, 100_000_000),
            g.number("min_topup_yield", PipelineSpec.Generation.DEFAULT_MIN_TOPUP_YIELD, 0, 1),
            g.bool("cache_prefix", false));
    g.finish();

    Fields x = top.object("lexical");
    PipelineSpec.Lexical lexical =
        new PipelineSpec.Lexical(
            x.integer("variants_per_seed", 8, 1, 1000),
            x.number("synonym_rate", 0.15, 0, 1),
            x.number("insert_rate", 0.05, 0, 1),
            x.number("swap_rate", 0.05, 0, 1),
            x.number("delete_rate", 0.05, 0, 1));
    x.finish();

    Fields q = top.object("quality");
    String language = q.string("language", "en");
    PipelineSpec.Quality quality =
        new PipelineSpec.Quality(
            // left out: derived from the seeds' lengths (see quality.length_band)
            q.has("min_tokens") ? q.integer("min_tokens", 3, 0, 100_000) : PipelineSpec.Quality.FROM_SEEDS,
            q.has("max_tokens") ? q.integer("max_tokens", 256, 1, 1_000_000) : PipelineSpec.Quality.FROM_SEEDS,
            language == null || language.isBlank() || language.equals("off") ? null : language,
            q.number("min_language_confidence", 0.5, 0, 1),
            q.integer("language_min_tokens", 6, 1, 10_000),
            q.stringList("phrases", List.of()),
            noise(q.object("noise")),
            new PipelineSpec.Relevance(
                q.bool("label_check", true),
                q.number("min_label_probability", 0.0, 0, 1),
                q.number("label_margin", 0.1, 0, 1),
                q.integer("label_cv_folds", 5, 2, 100),
                q.number("label_warn_below_accuracy", 0.7, 0, 1),
                q.bool("domain_check", true),
                q.bool("embeddings", true),
                q.number("min_similarity", -1, -1, 1),
                q.number("max_similarity", -1, -1, 1),
                q.string("embedding_model", PipelineSpec.Relevance.MINILM),
                q.string("label_features", PipelineSpec.Relevance.DEFAULT_LABEL_FEATURES)),
            q.number("length_band", PipelineSpec.Quality.DEFAULT_LENGTH_BAND, 1, 1000));
    q.finish();
    if (!PipelineSpec.Relevance.EMBEDDING_MODELS.contains(quality.relevance().embeddingModel())) {
      problems.add("quality.embedding_model", "unknown model \"" + quality.relevance().embeddingModel() + "\"; use one of " + PipelineSpec.Relevance.EMBEDDING_MODELS
          + " (" + PipelineSpec.Relevance.MINILM_Q + " is the int8-quantized model: about 2.5 times as fast, similarities within about 0.01)");
    }
    if (!PipelineSpec.Relevance.LABEL_FEATURES.contains(quality.relevance().labelFeatures())) {
      problems.add("quality.label_features", "unknown features \"" + quality.relevance().labelFeatures() + "\"; use one of " + PipelineSpec.Relevance.LABEL_FEATURES);
    }
    if (quality.minTokens() != PipelineSpec.Quality.FROM_SEEDS && quality.maxTokens() != PipelineSpec.Quality.FROM_SEEDS
        && quality.minTokens() > quality.maxTokens()) {
      problems.add("quality.min_tokens", "is larger than quality.max_tokens (" + quality.minTokens() + " > " + quality.maxTokens() + ")");
    }

    Fields dd = top.object("dedup");
    PipelineSpec.Dedup dedup =
        new PipelineSpec.Dedup(
            dd.bool("near", true),
            dd.number("near_threshold", 0.8, 0.3, 1),
            dd.integer("shingle", 3, 1, 20),
            dd.integer("num_hashes", 128, 16, 1024));
    dd.finish();

    Fields t = top.object("targets");
    int perLabel = t.integer("per_label", 0, 0, 10_000_000);
    Map<String, Integer> labelTargets = new LinkedHashMap<>();
    Fields tl = t.object("labels");
    JsonNode labelsNode = root == null ? null : root.path("targets").path("labels");
    if (labelsNode != null && labelsNode.isObject()) {
      labelsNode.fieldNames().forEachRemaining(k -> labelTargets.put(k, tl.integer(k, 0, 0, 10_000_000)));
    }
    tl.finish();
    Map<String, Double> proportions = new LinkedHashMap<>();
    Fields tp = t.object("proportions");
    JsonNode propNode = root == null ? null : root.path("targets").path("proportions");
    if (propNode != null && propNode.isObject()) {
      propNode.fieldNames().forEachRemaining(k -> proportions.put(k, tp.number(k, 0, 0, 1)));
    }
    tp.finish();
    int total = t.integer("total", 0, 0, 100_000_000);
    if (!proportions.isEmpty()) {
      double sum = proportions.values().stream().mapToDouble(Double::doubleValue).sum();
      if (Math.abs(sum - 1) > 1e-6) {
        problems.add("targets.proportions", "must sum to 1, got " + sum);
      }
      if (total <= 0) {
        problems.add("targets.total", "required with targets.proportions: the records kept over all labels");
      }
    } else if (total > 0) {
      problems.add("targets.total", "only used with targets.proportions");
    }
    t.finish();

    Fields s = top.object("split");
    double validationShare = s.number("validation", 0.1, 0, 10_000_000);
    double testShare = s.number("test", 0, 0, 10_000_000);
    for (String k : List.of("validation", "test")) {
      double v = k.equals("validation") ? validationShare : testShare;
      if (v >= 1 && v != Math.rint(v)) {
        problems.add("split." + k, "a fraction below 1 or a whole count per label, got " + v);
      }
    }
    if (validationShare < 1 && testShare < 1 && validationShare + testShare >= 0.9 + 1e-9) {
      problems.add("split", "validation + test fractions must stay below 0.9, got " + (validationShare + testShare));
    }
    String evaluation = s.string("evaluation", "all");
    if (!List.of("all", "seeds").contains(evaluation)) {
      problems.add("split.evaluation", "expected all or seeds, got \"" + evaluation + "\"");
    }
    boolean seedsInEvaluation = s.bool("seeds_in_evaluation", true);
    if ("seeds".equals(evaluation) && !seedsInEvaluation) {
      problems.add("split.seeds_in_evaluation", "false contradicts evaluation: seeds (only seeds in validation/test)");
    }
    PipelineSpec.Split.Groups groups = new PipelineSpec.Split.Groups(
        s.bool("group_lineage", PipelineSpec.Split.Groups.DEFAULT.lineage()),
        s.number("group_jaccard", PipelineSpec.Split.Groups.DEFAULT.jaccard(), 0, 1),
        s.integer("group_shingle", PipelineSpec.Split.Groups.DEFAULT.shingle(), 0, 20),
        s.number("group_cosine", PipelineSpec.Split.Groups.DEFAULT.cosine(), 0, 1));
    s.finish();
    List<Double> subsets = new java.util.ArrayList<>();
    JsonNode subsetsNode = top.raw("subsets");
    if (subsetsNode != null) {
      if (!subsetsNode.isArray()) {
        problems.add("subsets", "expected a list of fractions or counts, e.g. [0.1, 0.25, 0.5]");
      } else {
        for (int i = 0; i < subsetsNode.size(); i++) {
          JsonNode v = subsetsNode.get(i);
          double d = v.isNumber() ? v.asDouble() : -1;
          if (!(d > 0 && d < 1) && !(d >= 1 && d == Math.rint(d))) {
            problems.add("subsets[" + i + "]", "expected a fraction between 0 and 1 or a whole count, got " + v);
          } else if (subsets.contains(d)) {
            problems.add("subsets[" + i + "]", "listed twice: " + v);
          } else {
            subsets.add(d);
          }
        }
      }
    }
    PipelineSpec.Split split = new PipelineSpec.Split(validationShare, testShare, evaluation, seedsInEvaluation, subsets, groups);

    Fields o = top.object("output");
    String outDir = o.string("dir", null);
    Path out = outDir == null ? base.resolve("../output").resolve(name == null ? fileName : name).normalize() : base.resolve(outDir).normalize();
    String templates = o.string("templates", null);
    Path templatesDir = templates == null ? base.resolve("../templates").normalize() : base.resolve(templates).normalize();
    if (templates != null && !Files.isDirectory(templatesDir)) {
      problems.add("output.templates", "no such folder: " + templatesDir + " (paths are relative to the pipeline file)");
    }
    List<String> formatNames = o.stringList("formats", List.of("openai-chat"));
    if (formatNames.isEmpty()) {
      problems.add("output.formats", "name at least one format, e.g. [openai-chat]");
    }
    List<dev.seedforge.format.FormatSpec> formats =
        dev.seedforge.format.FormatCatalog.load(formatNames, templatesDir, problems, "output.formats");
    PipelineSpec.Output output =
        new PipelineSpec.Output(out.toString(), o.string("system_message", null), o.bool("include_seeds", true), formats, o.bool("azure", false),
            dev.seedforge.format.TrainOn.read(o, problems));
    String context = o.string("context", "include");
    o.finish();
    PipelineSpec.Documents documents = documents(top.object("documents"), context, problems);
    PipelineSpec.Judge judge = judge(top.object("judge"), problems);
    EvolutionSpec evolution = EvolutionSpec.read(top.object("evolution"));
    SelfInstructSpec selfInstruct = SelfInstructSpec.read(top.object("self_instruct"));
    top.finish();
    problems.throwIfAny();

    if (overrides.provider() != null) {
      if (!PROVIDERS.contains(overrides.provider())) {
        throw new InvalidInputException("--provider: expected one of " + PROVIDER_NAMES + ", got \"" + overrides.provider() + "\"");
      }
      llm = withProvider(llm, overrides.provider(), llm.model(), llm.baseUrl());
    }
    if (overrides.model() != null) {
      llm = withProvider(llm, llm.provider(), overrides.model(), llm.baseUrl());
    }
    if (overrides.baseUrl() != null) {
      if (!isHttpUrl(overrides.baseUrl())) {
        throw new InvalidInputException("--base-url: " + notAnHttpUrl(overrides.baseUrl()));
      }
      llm = withProvider(llm, llm.provider(), llm.model(), overrides.baseUrl());
    }
    if (overrides.seed() != null) {
      seed = overrides.seed();
    }
    if (overrides.outDir() != null) {
      output = output.withDir(Path.of(overrides.outDir()).toAbsolutePath().normalize().toString());
    }
    return new PipelineSpec(
        name,
        file.toAbsolutePath().normalize().toString(),
        Hashes.id(new String(bytes, StandardCharsets.UTF_8)),
        packDir.toString(),
        packAllowOutsidePaths,
        seedsFile == null ? null : seedsFile.toString(),
        seed,
        llm,
        generation,
        lexical,
        quality,
        dedup,
        new PipelineSpec.Targets(perLabel, Map.copyOf(labelTargets), Map.copyOf(proportions), total),
        split,
        output,
        documents, judge, evolution, selfInstruct);
  }

  /** The documents section, and output.context ({@code include} or {@code exclude}), which only documents use. */
  private static PipelineSpec.Documents documents(Fields d, String context, Problems problems) {
    PipelineSpec.Documents def = PipelineSpec.Documents.none();
    List<String> paths = d.stringList("paths", List.of());
    if (d.has("paths") && paths.isEmpty()) {
      problems.add("documents.paths", "name at least one file, folder or glob (relative to the pipeline file), e.g. [../prompts/x/documents/*.md]");
    }
    int size = d.integer("chunk_size", def.chunkSize(), 100, 100_000);
    int overlap = d.integer("chunk_overlap", def.chunkOverlap(), 0, 50_000);
    if (overlap >= size) {
      problems.add("documents.chunk_overlap", "must be smaller than documents.chunk_size (" + size + "), got " + overlap);
    }
    PipelineSpec.Documents out = new PipelineSpec.Documents(
        paths,
        size,
        overlap,
        d.integer("calls_per_chunk", def.callsPerChunk(), 1, 100),
        d.integer("neighbours", def.neighbours(), 0, 5),
        d.integer("min_examples_per_chunk", def.minExamplesPerChunk(), 0, 1000),
        !"exclude".equals(context),
        d.number("min_support", def.minSupport(), 0, 1));
    if (!"include".equals(context) && !"exclude".equals(context)) {
      problems.add("output.context", "expected include or exclude, got \"" + context + "\"");
    }
    d.finish();
    return out;
  }

  /** The judge section: off unless {@code enabled}; mode is rubric, relabel or both (a list). */
  private static PipelineSpec.Judge judge(Fields j, Problems problems) {
    PipelineSpec.Judge d = PipelineSpec.Judge.off();
    boolean enabled = j.bool("enabled", d.enabled());
    String model = emptyToNull(j.string("model", null));
    String baseUrl = emptyToNull(j.string("base_url", null));
    if (baseUrl != null && !isHttpUrl(baseUrl)) {
      problems.add("judge.base_url", notAnHttpUrl(baseUrl));
    }
    String keyEnv = emptyToNull(j.string("api_key_env", null));
    int batchSize = j.integer("batch_size", d.batchSize(), 1, 200);
    List<String> modes = j.stringList("mode", List.of("rubric"));
    for (String m : modes) {
      if (!m.equals("rubric") && !m.equals("relabel")) {
        problems.add("judge.mode", "expected rubric, relabel or both ([rubric, relabel]), got \"" + m + "\"");
      }
    }
    if (modes.isEmpty()) {
      problems.add("judge.mode", "name at least one of rubric, relabel");
    }
    double threshold = j.number("threshold", d.threshold(), 0, 100);
    String on = j.string("on_disagreement", "reject");
    PipelineSpec.OnDisagreement onDisagreement = switch (on) {
      case "report" -> PipelineSpec.OnDisagreement.REPORT;
      case "consensus" -> PipelineSpec.OnDisagreement.CONSENSUS;
      default -> PipelineSpec.OnDisagreement.REJECT;
    };
    if (!on.equals("reject") && !on.equals("report") && !on.equals("consensus")) {
      problems.add("judge.on_disagreement", "expected reject, report or consensus, got \"" + on + "\"");
    }
    double temperature = j.number("temperature", d.temperature(), 0, 2);
    Integer maxTokens = j.has("max_tokens") ? j.integer("max_tokens", 1024, 1, 1_000_000) : null;
    if (j.has("api_key")) {
      j.raw("api_key");
      problems.add("judge.api_key", "keys never go in pipeline files; name the environment variable that holds it with judge.api_key_env");
    }
    j.finish();
    return new PipelineSpec.Judge(enabled, model, baseUrl, keyEnv, batchSize, modes.contains("rubric"), modes.contains("relabel"), threshold,
        onDisagreement, temperature, maxTokens);
  }

  private static PipelineSpec.Noise noise(Fields n) {
    PipelineSpec.Noise d = PipelineSpec.Noise.defaults();
    PipelineSpec.Noise noise =
        new PipelineSpec.Noise(
            n.bool("enabled", d.enabled()),
            n.number("min_mean_word_length", d.minMeanWordLength(), 0, 100),
            n.number("max_mean_word_length", d.maxMeanWordLength(), 1, 1000),
            n.number("max_symbol_ratio", d.maxSymbolRatio(), 0, 1),
            n.number("max_digit_ratio", d.maxDigitRatio(), 0, 1),
            n.number("max_url_ratio", d.maxUrlRatio(), 0, 1),
            n.integer("repeated_ngram", d.repeatedNgram(), 1, 20),
            n.number("max_repeated_ngrams", d.maxRepeatedNgrams(), 0, 1),
            n.number("max_repeated_lines", d.maxRepeatedLines(), 0, 1),
            n.number("final_punctuation_share", d.finalPunctuationShare(), 0, 1.01),
            n.integer("instruction_min_words", d.instructionMinWords(), 0, 10_000),
            n.integer("instruction_max_words", d.instructionMaxWords(), 1, 100_000));
    n.finish();
    return noise;
  }

  private static PipelineSpec.Llm withProvider(PipelineSpec.Llm l, String provider, String model, String baseUrl) {
    return new PipelineSpec.Llm(
        provider, model, baseUrl, l.apiKeyEnv(), l.temperature(), l.topP(), l.maxTokens(),
        l.timeoutSeconds(), l.maxAttempts(), l.concurrency(), l.responseFormat(), l.cache(), l.refreshCache(),
        l.requestsPerMinute(), l.tokensPerMinute(), l.budget(), l.price(), l.maxPromptTokens(), l.apiVersion(), l.batch());
  }

  /** An absolute http or https URL with a host: what the OpenAI and Ollama clients can call. */
  static boolean isHttpUrl(String url) {
    try {
      java.net.URI u = new java.net.URI(url.strip());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
      // the authority, not getHost(): a host name with '_' (docker compose services) has no URI host
      return (scheme.equals("http") || scheme.equals("https")) && u.getRawAuthority() != null && !u.getRawAuthority().isEmpty();
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static String notAnHttpUrl(String url) {
    return "expected an http:// or https:// URL with a host, e.g. http://localhost:8000/v1, got \"" + url + "\"";
  }

  /**
   * llm.cache: a path (relative to the pipeline file), "off", or by default
   * ${XDG_CACHE_HOME:-~/.cache}/seedforge/responses.sqlite.
   */
  static String cachePath(Fields l, Map<String, String> env, Path base) {
    String c = l.string("cache", null); // YAML reads an unquoted off as false
    if (c != null && (c.equals("off") || c.equals("false") || c.equals("none"))) {
      return null;
    }
    if (c != null && !c.isBlank()) {
      String expanded = c.startsWith("~/") ? System.getProperty("user.home") + c.substring(1) : c;
      return base.resolve(expanded).normalize().toString();
    }
    return defaultCachePath(env);
  }

  public static String defaultCachePath(Map<String, String> env) {
    return dev.seedforge.util.LocalSettings.cacheFolder(env.get("XDG_CACHE_HOME")).resolve("responses.sqlite").toAbsolutePath().normalize().toString();
  }

  private static PipelineSpec.Budget budget(Fields b) {
    PipelineSpec.Budget out =
        new PipelineSpec.Budget(
            b.longValue("max_calls", 0, 0, Long.MAX_VALUE),
            b.longValue("max_tokens", 0, 0, Long.MAX_VALUE),
            b.number("max_cost_usd", 0, 0, 1e9));
    b.finish();
    return out;
  }

  /** llm.mode and llm.batch: how calls are sent, and how batches are sized and polled. */
  private static PipelineSpec.Batch batch(String mode, Fields b, Problems problems) {
    if (!PipelineSpec.Batch.SYNC.equals(mode) && !PipelineSpec.Batch.BATCH.equals(mode)) {
      problems.add("llm.mode", "expected sync or batch, got \"" + mode + "\"");
    }
    PipelineSpec.Batch d = PipelineSpec.Batch.sync();
    long initial = b.longValue("poll_initial_ms", d.pollInitialMillis(), 1, 3_600_000);
    long max = b.longValue("poll_max_ms", d.pollMaxMillis(), 1, 3_600_000);
    String window = b.string("completion_window", d.completionWindow());
    int requests = b.integer("max_requests", d.maxRequests(), 1, PipelineSpec.Batch.OPENAI_MAX_REQUESTS * 2);
    long bytes = b.longValue("max_bytes", d.maxBytes(), 1024, PipelineSpec.Batch.OPENAI_MAX_BYTES);
    int resubmits = b.integer("max_resubmits", d.maxResubmits(), 0, 100);
    PipelineSpec.Price price = price(b.object("price"), problems);
    b.finish();
    if (max < initial) {
      problems.add("llm.batch.poll_max_ms", "must be at least poll_initial_ms (" + initial + "), got " + max);
    }
    return new PipelineSpec.Batch(mode, initial, max, window, requests, bytes, resubmits, price);
  }

  private static PipelineSpec.Price price(Fields p, Problems problems) {
    boolean given = p.has("input_per_million") || p.has("output_per_million");
    double in = p.number("input_per_million", 0, 0, 1e6);
    double out = p.number("output_per_million", 0, 0, 1e6);
    p.finish();
    if (given && !(p.has("input_per_million") && p.has("output_per_million"))) {
      problems.add("llm.price", "give both input_per_million and output_per_million (USD per million tokens)");
    }
    return given ? new PipelineSpec.Price(in, out) : null;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }

  /** A path as the user would type it: relative to the working directory when inside it. */
  public static String display(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path cwd = Path.of("").toAbsolutePath();
    return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }
}
