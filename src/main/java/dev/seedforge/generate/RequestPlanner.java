package dev.seedforge.generate;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.document.Chunk;
import dev.seedforge.prompt.Pack;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans the calls of a run: label × strategy × sample index. Rendering puts static content first
 * (system prompt and the output contract, then the template's fixed text) so that provider-side
 * prompt caching applies; few-shot examples are drawn from seeds of the same label,
 * deterministically from the pipeline seed.
 */
public final class RequestPlanner {
  private final Pack pack;
  private final PipelineSpec spec;
  private final String provider;
  private final Map<String, List<Seed>> seedsByLabel;
  /** The system message with the reference block of {@code generation.cache_prefix}, made once; see {@link #systemMessage}. */
  private String shapedSystem;
  private boolean shaping;
  private final List<Seed> seeds;
  private final List<Chunk> chunks;
  /** Self-Instruct feedback: accepted tasks among the few-shot examples of later rounds; null: seeds only. */
  private FewShotMix mix;

  public RequestPlanner(Pack pack, PipelineSpec spec, String provider, List<Seed> seeds) {
    this(pack, spec, provider, seeds, List.of());
  }

  /** A planner whose chunk strategies ask about {@code chunks} (the pipeline's documents, in order). */
  public RequestPlanner(Pack pack, PipelineSpec spec, String provider, List<Seed> seeds, List<Chunk> chunks) {
    this.pack = pack;
    this.spec = spec;
    this.provider = provider;
    this.seedsByLabel = groupByLabel(pack, seeds);
    this.seeds = List.copyOf(seeds);
    this.chunks = List.copyOf(chunks);
  }

  /** This planner, drawing part of each call's few-shot examples from {@code m} (rounds after the first). */
  public RequestPlanner withFewShotMix(FewShotMix m) {
    this.mix = m;
    return this;
  }

  /** Seeds per label key, in pack label order; the key of unlabelled seeds is "". */
  public static Map<String, List<Seed>> groupByLabel(Pack pack, List<Seed> seeds) {
    Map<String, List<Seed>> out = new LinkedHashMap<>();
    for (String label : pack.labels().keySet()) {
      out.put(label, new ArrayList<>());
    }
    for (Seed s : seeds) {
      out.computeIfAbsent(labelKey(s.label()), k -> new ArrayList<>()).add(s);
    }
    return out;
  }

  public static String labelKey(String label) {
    return label == null ? "" : label;
  }

  public List<Pack.Strategy> strategies() {
    List<String> wanted = spec.generation().strategies();
    if (wanted.isEmpty()) {
      return pack.strategies();
    }
    List<Pack.Strategy> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String name : wanted) {
      Pack.Strategy s = pack.strategy(name);
      if (s == null) {
        problems.add(
            dev.seedforge.config.SpecLoader.display(java.nio.file.Path.of(spec.sourceFile()))
                + ": generation.strategies: unknown strategy \""
                + name
                + "\"; the pack has "
                + String.join(", ", pack.strategies().stream().map(Pack.Strategy::name).toList()));
      } else {
        out.add(s);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    return out;
  }

  /** Every request of round {@code round}, sample indices starting at {@code firstSample}. */
  public List<GenerationRequest> plan(int round, int firstSample, int samplesPerLabel) {
    List<GenerationRequest> out = new ArrayList<>();
    for (Map.Entry<String, List<Seed>> e : seedsByLabel.entrySet()) {
      for (Pack.Strategy strategy : labelStrategies()) {
        for (int i = firstSample; i < firstSample + samplesPerLabel; i++) {
          GenerationRequest r = render(e.getKey(), e.getValue(), strategy, i, round);
          if (r != null) {
            out.add(r);
          }
        }
      }
    }
    checkPromptSizes(out);
    return out;
  }

  /** Requests of one label for a top-up round: {@code samples} sample indices per strategy from {@code firstSample}. */
  public List<GenerationRequest> planLabel(String labelKey, int round, int firstSample, int samples) {
    List<GenerationRequest> out = new ArrayList<>();
    List<Seed> labelSeeds = seedsByLabel.getOrDefault(labelKey, List.of());
    for (Pack.Strategy strategy : labelStrategies()) {
      for (int i = firstSample; i < firstSample + samples; i++) {
        GenerationRequest r = render(labelKey, labelSeeds, strategy, i, round);
        if (r != null) {
          out.add(r);
        }
      }
    }
    checkPromptSizes(out);
    return out;
  }

  /**
   * Refuses, before any of them is sent, requests whose prompt exceeds {@code llm.max_prompt_tokens}
   * or, with {@code llm.max_tokens} of output, the model's context window (when the model is in
   * the table): the provider would refuse them, or bill a prompt nobody meant to send. One problem
   * per label and strategy, with its largest prompt.
   */
  void checkPromptSizes(List<GenerationRequest> requests) {
    PipelineSpec.Llm llm = spec.llm();
    java.util.OptionalInt window = ContextWindows.table().of(llm.model());
    if (llm.maxPromptTokens() <= 0 && window.isEmpty()) {
      return;
    }
    TokenCounter counter = null;
    Map<LabelStrategy, Integer> largest = new LinkedHashMap<>();
    for (GenerationRequest r : requests) {
      // cheap first: a prompt with fewer UTF-8 bytes than the limits allow tokens fits, uncounted
      long atMost = TokenCounter.promptTokensAtMost(r.messages());
      boolean fits = (llm.maxPromptTokens() <= 0 || atMost <= llm.maxPromptTokens())
          && (window.isEmpty() || atMost + llm.maxTokens() <= window.getAsInt());
      if (fits) {
        continue;
      }
      if (counter == null) {
        counter = TokenCounter.forModel(llm.model());
      }
      largest.merge(new LabelStrategy(r.label(), r.strategy()), counter.promptTokens(r.messages()), Math::max);
    }
    String specFile = dev.seedforge.config.SpecLoader.display(java.nio.file.Path.of(spec.sourceFile()));
    String fix = "lower generation.few_shot, shorten the seeds or the template";
    List<String> problems = new ArrayList<>();
    largest.forEach((key, tokens) -> {
      String which = (key.label() == null ? "the unlabelled seeds" : "label " + key.label()) + ", strategy " + key.strategy();
      if (llm.maxPromptTokens() > 0 && tokens > llm.maxPromptTokens()) {
        problems.add(String.format(java.util.Locale.ROOT,
            "%s: llm.max_prompt_tokens: the prompts of %s have up to %,d tokens, more than llm.max_prompt_tokens (%d); %s, or raise the limit",
            specFile, which, tokens, llm.maxPromptTokens(), fix));
      } else if (window.isPresent() && (long) tokens + llm.maxTokens() > window.getAsInt()) {
        problems.add(String.format(java.util.Locale.ROOT,
            "%s: llm.model: the prompts of %s have up to %,d tokens; with llm.max_tokens %,d that is more than %s's context window of %,d tokens"
                + " (model table as of %s); %s, lower llm.max_tokens, or use a model with a larger window",
            specFile, which, tokens, llm.maxTokens(), llm.model(), window.getAsInt(), ContextWindows.table().asOf(), fix));
      }
    });
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
  }

  /** Round 0: the label and seed strategies' calls per label, and documents.calls_per_chunk calls per chunk of each chunk strategy. */
  public List<GenerationRequest> plan() {
    List<GenerationRequest> out = new ArrayList<>(plan(0, 0, spec.generation().callsPerLabel()));
    List<GenerationRequest> grounded = new ArrayList<>();
    for (Chunk c : chunks) {
      grounded.addAll(planChunk(c.id(), 0, 0, spec.documents().callsPerChunk()));
    }
    checkPromptSizes(grounded);
    out.addAll(grounded);
    return out;
  }

  /** The strategies that generate per label or per seed (not from documents). */
  public List<Pack.Strategy> labelStrategies() {
    return strategies().stream().filter(s -> s.basis() != Pack.Basis.CHUNK).toList();
  }

  /** The strategies that generate from document chunks. */
  public List<Pack.Strategy> chunkStrategies() {
    return strategies().stream().filter(s -> s.basis() == Pack.Basis.CHUNK).toList();
  }

  /** Requests about one chunk: {@code samples} sample indices per chunk strategy from {@code firstSample} (round 0, or a top-up round). */
  public List<GenerationRequest> planChunk(String chunkId, int round, int firstSample, int samples) {
    int index = -1;
    for (int i = 0; i < chunks.size() && index < 0; i++) {
      if (chunks.get(i).id().equals(chunkId)) {
        index = i;
      }
    }
    com.google.common.base.Preconditions.checkArgument(index >= 0, "no chunk %s", chunkId);
    List<GenerationRequest> out = new ArrayList<>();
    for (Pack.Strategy strategy : chunkStrategies()) {
      for (int i = firstSample; i < firstSample + samples; i++) {
        out.add(renderChunk(index, strategy, i, round));
      }
    }
    return out;
  }

  GenerationRequest renderChunk(int index, Pack.Strategy strategy, int sample, int round) {
    Chunk chunk = chunks.get(index);
    String key = "chunk|" + chunk.id() + "|" + strategy.name() + "|" + sample;
    List<Seed> ordered = shuffled(seeds, "fewshot|" + key);
    List<Seed> fewShot = ordered.subList(0, Math.min(spec.generation().fewShot(), ordered.size()));
    Map<String, String> vars = new TreeMap<>();
    vars.put("domain", pack.domain());
    vars.put("task_description", pack.description());
    vars.put("n", String.valueOf(spec.generation().examplesPerCall()));
    vars.put("examples", exampleLines(fewShot));
    vars.put("chunk", chunk.text());
    vars.put("source", chunk.document() + (chunk.page() == null ? "" : ", page " + chunk.page()));
    vars.put("heading", chunk.heading() == null ? "" : chunk.heading());
    vars.put("neighbours", neighbours(index));
    List<ChatTurn> messages =
        List.of(
            new ChatTurn("system", groundedSystemMessage()),
            new ChatTurn("user", strategy.template().render(vars)));
    GenerationRequest.Params params = params("sample|" + key);
    Candidate.Grounding grounding =
        new Candidate.Grounding(chunk.document(), chunk.id(), chunk.start(), chunk.end(), chunk.page(), chunk.heading());
    return GenerationRequest.of(null, strategy.name(), strategy.template().id(), fewShot.stream().map(Seed::id).toList(), messages, params, sample, round)
        .withGrounding(grounding);
  }

  /** The chunks of the same document within documents.neighbours of chunk {@code index}, in order, without it. */
  private String neighbours(int index) {
    int n = spec.documents().neighbours();
    Chunk chunk = chunks.get(index);
    List<String> out = new ArrayList<>();
    for (int i = Math.max(0, index - n); i <= Math.min(chunks.size() - 1, index + n); i++) {
      if (i != index && chunks.get(i).document().equals(chunk.document())) {
        out.add(chunks.get(i).text());
      }
    }
    return String.join("\n\n---\n\n", out);
  }

  GenerationRequest render(String labelKey, List<Seed> labelSeeds, Pack.Strategy strategy, int sample, int round) {
    String label = labelKey.isEmpty() ? null : labelKey;
    List<Seed> ordered = shuffled(labelSeeds, "fewshot|" + labelKey + "|" + strategy.name() + "|" + sample);
    Seed focus = null;
    if (strategy.basis() == Pack.Basis.SEED) {
      if (labelSeeds.isEmpty()) {
        return null;
      }
      List<Seed> rotation = shuffled(labelSeeds, "focus|" + labelKey + "|" + strategy.name());
      focus = rotation.get(sample % rotation.size());
      Seed f = focus;
      ordered = ordered.stream().filter(s -> !s.id().equals(f.id())).toList();
    }
    List<Seed> fewShot = mix == null || round == 0
        ? ordered.subList(0, Math.min(spec.generation().fewShot(), ordered.size()))
        : mix.examples(labelKey, labelKey + "|" + strategy.name() + "|" + sample, ordered, spec.generation().fewShot());
    Map<String, String> vars = new TreeMap<>();
    vars.put("domain", pack.domain());
    vars.put("task_description", pack.description());
    vars.put("label", label == null ? "" : label);
    vars.put("label_description", label == null ? "" : pack.labels().getOrDefault(label, ""));
    vars.put("labels", labelList());
    vars.put("n", String.valueOf(spec.generation().examplesPerCall()));
    vars.put("examples", exampleLines(fewShot));
    if (focus != null) {
      vars.put("seed", exampleLine(focus));
    }
    Map<String, String> setting = pack.task() == TaskType.CONVERSATION
        ? ConversationSetting.draw(pack.conversation(), spec.seed(), labelKey + "|" + strategy.name() + "|" + sample)
        : Map.of();
    vars.putAll(ConversationSetting.variables(setting));
    List<ChatTurn> messages =
        List.of(
            new ChatTurn("system", systemMessage()),
            new ChatTurn("user", strategy.template().render(vars)));
    List<String> seedIds = new ArrayList<>();
    if (focus != null) {
      seedIds.add(focus.id());
    }
    fewShot.forEach(s -> seedIds.add(s.id()));
    GenerationRequest.Params params = params("sample|" + labelKey + "|" + strategy.name() + "|" + sample);
    GenerationRequest request = GenerationRequest.of(label, strategy.name(), strategy.template().id(), seedIds, messages, params, sample, round);
    return setting.isEmpty() ? request : request.withSetting(setting);
  }

  private record LabelStrategy(String label, String strategy) {}

  /** The system message generation calls send (grounded calls when the pack only has chunk strategies): the teacher prompt of prompt distillation. */
  public String teacherSystemMessage() {
    return labelStrategies().isEmpty() && !chunkStrategies().isEmpty() ? groundedSystemMessage() : systemMessage();
  }

  /** The system message of grounded (chunk) calls: the pack's prompt and the grounded output contract. */
  private String groundedSystemMessage() {
    return pack.systemPrompt() + "\n\n" + OutputContract.groundedInstructions(pack.task(), spec.generation().examplesPerCall());
  }

  /** Where a call goes and how it samples; {@code drawKey} fixes its sampling seed. */
  private GenerationRequest.Params params(String drawKey) {
    PipelineSpec.Llm llm = spec.llm();
    return new GenerationRequest.Params(provider, Endpoint.normalized(provider, llm.baseUrl()), llm.model(), llm.temperature(), llm.topP(),
        llm.maxTokens(), spec.generation().examplesPerCall(), llm.responseFormat(), Hashes.draw(spec.seed(), drawKey) & 0x7fffffffL);
  }

  /** The system message of label and seed calls: the pack's prompt and the output contract, identical for every call. */
  String systemMessage() {
    String base = pack.systemPrompt() + "\n\n" + OutputContract.instructions(pack.task(), spec.generation().examplesPerCall());
    if (shaping || !spec.generation().cachePrefix() || !cachesPrefixes()) {
      return base;
    }
    if (shapedSystem == null) {
      shaping = true;
      try {
        shapedSystem = withReferenceBlock(base);
      } finally {
        shaping = false;
      }
    }
    return shapedSystem;
  }

  /** Tokens over the provider's minimum the static prefix is made to reach, for tokenizer differences. */
  static final int CACHE_PREFIX_MARGIN = 64;

  /** OpenAI and Azure OpenAI cache a prompt's prefix on their own from 1,024 tokens on; the others here do not. */
  private boolean cachesPrefixes() {
    Provider p = Provider.of(provider);
    return p == Provider.OPENAI || p == Provider.AZURE;
  }

  /**
   * {@code generation.cache_prefix}: the part every prompt of the run starts with (this system
   * message and the templates' text before the first per-call value) is lengthened to the
   * provider's prompt-cache minimum with reference seeds of every label, taken in turn, so that
   * part of each later call is billed at the cached rate. The block shows the whole label set
   * (what the model most needs to keep labels apart) and is the same in every call.
   */
  private String withReferenceBlock(String base) {
    TokenCounter counter = TokenCounter.forModel(spec.llm().model());
    int lead = Integer.MAX_VALUE;
    for (Pack.Strategy strategy : labelStrategies()) {
      lead = Math.min(lead, counter.count(sharedLead(strategy)));
    }
    if (lead == Integer.MAX_VALUE) {
      return base;
    }
    int need = Estimator.PROMPT_CACHE_MIN_TOKENS + CACHE_PREFIX_MARGIN - counter.count(base) - lead;
    if (need <= 0 || !pays(need)) {
      return base;
    }
    List<List<Seed>> perLabel = new ArrayList<>();
    seedsByLabel.forEach((label, s) -> perLabel.add(shuffled(s, "reference|" + label)));
    StringBuilder block = new StringBuilder("\n\nReference examples of every label, the same in every request: they show each label's scope; "
        + "do not copy or reword them.\n");
    int start = counter.count(block.toString());
    int added = 0;
    outer:
    for (int i = 0; ; i++) {
      boolean any = false;
      for (List<Seed> s : perLabel) {
        if (i < s.size()) {
          Seed seed = s.get(i);
          String line = (seed.label() == null ? "" : seed.label() + ": ") + exampleLine(seed) + "\n";
          block.append(line);
          added += counter.count(line);
          any = true;
          if (added >= need) {
            break outer;
          }
        }
      }
      if (!any) {
        break;
      }
    }
    return added + start >= need ? base + block.toString().stripTrailing() : base;
  }

  /**
   * Whether lengthening every prompt by {@code tokens} pays for itself: the prefix then billed at
   * the cached rate saves more than the tokens added cost. Needs both prices (prices.yaml or
   * llm.price); without a cached rate nothing is shaped.
   */
  private boolean pays(int tokens) {
    Prices table = Prices.table();
    PipelineSpec.Price price = table.priceOf(spec.llm().model(), spec.llm().price());
    Double cached = table.cachedInputPerMillion(spec.llm().model(), spec.llm().price());
    if (price == null || cached == null || price.inputPerMillion() <= 0 || spec.llm().batch().on()) {
      // batch calls are priced at the batch rate whether cached or not: nothing to win there
      return false;
    }
    double prefix = Estimator.PROMPT_CACHE_MIN_TOKENS + CACHE_PREFIX_MARGIN;
    return prefix * (price.inputPerMillion() - cached) > tokens * price.inputPerMillion();
  }

  /** The start a strategy's user messages share across labels and samples: its template up to the first per-call value. */
  private String sharedLead(Pack.Strategy strategy) {
    List<String> labels = new ArrayList<>(seedsByLabel.keySet());
    String a = labels.get(0);
    String b = labels.size() > 1 ? labels.get(1) : a;
    GenerationRequest first = render(a, seedsByLabel.get(a), strategy, 0, 0);
    GenerationRequest second = render(b, seedsByLabel.get(b), strategy, 1, 0);
    if (first == null || second == null) {
      return "";
    }
    String x = first.messages().get(1).content();
    String y = second.messages().get(1).content();
    int n = 0;
    while (n < Math.min(x.length(), y.length()) && x.charAt(n) == y.charAt(n)) {
      n++;
    }
    return x.substring(0, n);
  }

  private String labelList() {
    StringBuilder b = new StringBuilder();
    pack.labels().forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
    return b.toString().stripTrailing();
  }

  /** Seeds as JSON lines: delimited, escaped data that the template cannot mistake for instructions. */
  private String exampleLines(List<Seed> seeds) {
    StringBuilder b = new StringBuilder();
    for (Seed s : seeds) {
      b.append(exampleLine(s)).append('\n');
    }
    return b.toString().stripTrailing();
  }

  private String exampleLine(Seed s) {
    // An ObjectNode keeps the task's field order (instruction, input, output); maps are sorted.
    com.fasterxml.jackson.databind.node.ObjectNode m = Json.mapper().createObjectNode();
    if (pack.task() == TaskType.CONVERSATION) {
      return ConversationSetting.exampleLine(s.fields());
    }
    for (String f : pack.task().fields()) {
      m.put(f, s.field(f));
    }
    return Json.write(m);
  }

  private List<Seed> shuffled(List<Seed> seeds, String key) {
    List<Seed> copy = new ArrayList<>(seeds);
    copy.sort(Comparator.comparingLong((Seed s) -> Hashes.draw(spec.seed(), key + "|" + s.id())).thenComparing(Seed::id));
    return copy;
  }
}
