package dev.seedforge.pipeline;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.document.Chunk;
import dev.seedforge.document.DocumentSet;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.ModelSettings;
import dev.seedforge.generate.Provider;
import dev.seedforge.generate.RequestPlanner;
import dev.seedforge.prompt.Pack;
import dev.seedforge.prompt.PackLoader;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.SeedReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a run needs, loaded and cross-checked on the driver before any worker starts or any
 * call is paid for: the spec, the pack, the seeds, the generator, the planned requests, and
 * {@code warnings}: problems that do not stop the run (each naming its file and key), for the
 * console and the manifest.
 */
public record RunPlan(
    PipelineSpec spec,
    Pack pack,
    List<Seed> seeds,
    String generator,
    String generatorNote,
    List<GenerationRequest> requests,
    List<String> warnings,
    List<Chunk> chunks) {

  public static final String LEXICAL = "lexical";

  public RunPlan {
    requests = List.copyOf(requests);
    warnings = List.copyOf(warnings);
    chunks = List.copyOf(chunks);
  }

  /** A plan without documents. */
  public RunPlan(PipelineSpec spec, Pack pack, List<Seed> seeds, String generator, String generatorNote, List<GenerationRequest> requests,
      List<String> warnings) {
    this(spec, pack, seeds, generator, generatorNote, requests, warnings, List.of());
  }

  /** The planner of this run's requests (top-up rounds plan with it too). */
  public RequestPlanner planner() {
    return new RequestPlanner(pack, spec, generator, seeds, chunks);
  }

  /** The same plan with more requests (a top-up round). */
  public RunPlan withRequests(List<GenerationRequest> more) {
    List<GenerationRequest> all = new java.util.ArrayList<>(requests);
    all.addAll(more);
    return new RunPlan(spec, pack, seeds, generator, generatorNote, all, warnings, chunks);
  }

  /** The same plan with another generator and no requests: curate runs the later stages only. */
  public RunPlan withoutGeneration(String generatorName, String note) {
    return new RunPlan(spec, pack, seeds, generatorName, note, List.of(), warnings, chunks);
  }

  /** The same plan with {@code more} warnings after its own. */
  public RunPlan withWarnings(List<String> more) {
    List<String> all = new ArrayList<>(warnings);
    all.addAll(more);
    return new RunPlan(spec, pack, seeds, generator, generatorNote, requests, all, chunks);
  }

  public boolean usesLlm() {
    return !LEXICAL.equals(generator);
  }

  public ModelSettings modelSettings() {
    PipelineSpec.Llm l = spec.llm();
    return new ModelSettings(generator, l.model(), l.baseUrl(), l.apiKeyEnv(), l.timeoutSeconds(), l.maxAttempts(), l.concurrency(), pack.task(),
        l.cache(), l.refreshCache(), l.requestsPerMinute(), l.tokensPerMinute(), l.maxTokens(), l.budget(),
        dev.seedforge.generate.Prices.table().priceOf(l.model(), l.price()), l.apiVersion());
  }

  /** llm.mode and llm.batch, with the Batch API's price (null: priced at the sync price). */
  public dev.seedforge.generate.BatchSettings batchSettings() {
    PipelineSpec.Llm l = spec.llm();
    return new dev.seedforge.generate.BatchSettings(l.batch(), dev.seedforge.generate.Prices.table().batchPriceOf(l.model(), l.price(), l.batch().price()));
  }

  /**
   * The plan a run would make with the LLM generator, whatever llm.provider says and whether or not
   * a key is set: for {@code seedforge estimate}, which sends nothing.
   */
  public static RunPlan prepareForEstimate(PipelineSpec spec) {
    PipelineSpec.Llm l = spec.llm();
    String provider = switch (l.provider()) {
      case "ollama", "azure", "anthropic" -> l.provider();
      default -> "openai";
    };
    PipelineSpec s = spec.withLlm(l.withProvider(provider));
    return prepare(s, Map.of(l.apiKeyEnv(), "estimate-only"));
  }

  public static RunPlan prepare(PipelineSpec spec, Map<String, String> env) {
    Pack pack = PackLoader.load(Path.of(spec.packDir()), spec.packAllowOutsidePaths());
    Path seedsFile = Path.of(spec.seedsFile() != null ? spec.seedsFile() : pack.seedsFile());
    List<Seed> seeds = SeedReader.read(seedsFile, pack.task());
    List<String> problems = new ArrayList<>();
    String specFile = SpecLoader.display(Path.of(spec.sourceFile()));
    if (!pack.labels().isEmpty()) {
      for (Seed s : seeds) {
        if (s.label() != null && !pack.labels().containsKey(s.label())) {
          problems.add(
              s.source() + ":" + s.line() + ": label \"" + s.label() + "\" is not one of the pack's labels ("
                  + String.join(", ", pack.labels().keySet()) + "); fix the seed or add the label to pack.yaml");
        }
      }
    }
    problems.addAll(dev.seedforge.format.ConversationRecords.problems(spec, pack.task(), specFile));
    for (String label : spec.targets().labels().keySet()) {
      if (!pack.labels().containsKey(label)) {
        problems.add(specFile + ": targets.labels." + label + ": unknown label; the pack has " + String.join(", ", pack.labels().keySet()));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }

    String provider = spec.llm().provider();
    String generator;
    String note;
    String key = env.get(spec.llm().apiKeyEnv());
    boolean hasKey = key != null && !key.isBlank();
    if ("auto".equals(provider)) {
      if (spec.llm().baseUrl() != null || hasKey) {
        generator = "openai";
        note = "generator: " + spec.llm().model() + " at " + (spec.llm().baseUrl() == null ? "https://api.openai.com/v1" : spec.llm().baseUrl());
      } else {
        generator = LEXICAL;
        note = "generator: lexical (offline EDA with WordNet): no LLM configured; set llm.base_url or " + spec.llm().apiKeyEnv() + " to use one";
      }
    } else {
      generator = provider;
      note = LEXICAL.equals(provider) ? "generator: lexical (offline EDA with WordNet)" : "generator: " + provider + " " + spec.llm().model();
    }
    if (!LEXICAL.equals(generator) && Provider.of(generator).needsKey(spec.llm().baseUrl()) && !hasKey) {
      throw new InvalidInputException(
          specFile + ": llm.api_key_env: environment variable " + spec.llm().apiKeyEnv() + " is not set; export it"
              + ("openai".equals(generator) ? ", or set llm.base_url (or --base-url) for a local OpenAI-compatible server" : ""));
    }
    dev.seedforge.pairs.PairPlan.check(spec, pack);
    dev.seedforge.judge.JudgePlan.check(spec, pack, env);
    List<String> warnings = new ArrayList<>(labelsWithoutSeeds(spec, pack, seeds, seedsFile, generator));
    List<Chunk> chunks = documents(spec, pack, generator, warnings);
    List<GenerationRequest> requests = List.of();
    if (!LEXICAL.equals(generator)) {
      requests = new RequestPlanner(pack, spec, generator, seeds, chunks).plan();
    }
    warnings.addAll(Evolution.check(spec, pack, generator));
    RunPlan plan = new RunPlan(spec, pack, seeds, generator, note, requests, warnings, chunks);
    return Evolution.evolving(plan) ? plan.withRequests(Evolution.firstDepth(plan)) : plan;
  }

  /**
   * The chunks of the pipeline's documents, when its strategies ask about them: documents with no
   * chunk strategy, or a chunk strategy with no documents, is an error (one of them was forgotten);
   * offline, the lexical generator varies seeds and cannot read documents, which is a warning.
   */
  static List<Chunk> documents(PipelineSpec spec, Pack pack, String generator, List<String> warnings) {
    String specFile = SpecLoader.display(Path.of(spec.sourceFile()));
    List<String> wanted = spec.generation().strategies();
    boolean chunkStrategies = pack.strategies().stream()
        .anyMatch(s -> s.basis() == Pack.Basis.CHUNK && (wanted.isEmpty() || wanted.contains(s.name())));
    if (spec.documents().any() && !chunkStrategies) {
      throw new InvalidInputException(specFile + ": documents: the pipeline names documents but none of its strategies has basis: chunk;"
          + " add a chunk strategy to " + SpecLoader.display(Path.of(pack.dir()).resolve("pack.yaml")) + " (or list one in generation.strategies), or remove documents");
    }
    if (!spec.documents().any() && chunkStrategies) {
      throw new InvalidInputException(specFile + ": documents.paths: the pack's strategies of basis chunk ask about documents, but the pipeline names none;"
          + " add documents.paths (files, folders or globs relative to the pipeline file)");
    }
    List<Chunk> chunks = DocumentSet.load(spec);
    if (!chunks.isEmpty() && LEXICAL.equals(generator)) {
      warnings.add(specFile + ": documents: the lexical generator varies seeds and cannot ask about documents; set llm.base_url or "
          + spec.llm().apiKeyEnv() + " to generate from the " + chunks.size() + " chunks");
    }
    return chunks;
  }

  /**
   * A pack label no seed has: an error when an LLM strategy of basis label shows few-shot seeds of
   * it in every call (its prompts would have none), else a warning, returned.
   */
  static List<String> labelsWithoutSeeds(PipelineSpec spec, Pack pack, List<Seed> seeds, Path seedsFile, String generator) {
    String packFile = SpecLoader.display(Path.of(pack.dir()).resolve("pack.yaml"));
    boolean llm = !LEXICAL.equals(generator);
    List<Pack.Strategy> strategies = llm ? new RequestPlanner(pack, spec, generator, seeds).strategies() : List.of();
    List<String> fewShotStrategies = spec.generation().fewShot() == 0 ? List.of()
        : strategies.stream().filter(s -> s.basis() == Pack.Basis.LABEL).map(Pack.Strategy::name).toList();
    boolean labelStrategies = strategies.stream().anyMatch(s -> s.basis() == Pack.Basis.LABEL);
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    RequestPlanner.groupByLabel(pack, seeds).forEach((label, labelSeeds) -> {
      if (label.isEmpty() || !labelSeeds.isEmpty()) {
        return;
      }
      String where = packFile + ": labels." + label + ": no seed has this label";
      if (!fewShotStrategies.isEmpty()) {
        problems.add(where + ", and strategy " + String.join(", ", fewShotStrategies) + " shows generation.few_shot (" + spec.generation().fewShot()
            + ") seeds of the label in every call; add seeds of " + label + " to " + SpecLoader.display(seedsFile)
            + ", set generation.few_shot: 0, or remove the label");
      } else if (!llm) {
        warnings.add(where + " (in " + SpecLoader.display(seedsFile) + "); the lexical generator varies seeds, so it gets no generated records");
      } else {
        warnings.add(where + " (in " + SpecLoader.display(seedsFile) + "); "
            + (labelStrategies ? "its calls show the model no examples" : "seed strategies make no calls for it, so it gets no generated records"));
      }
    });
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    return warnings;
  }
}
