package dev.seedforge.pairs;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.format.FormatSpec;
import dev.seedforge.format.PreferenceRecords;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Endpoint;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.ModelSettings;
import dev.seedforge.generate.Prices;
import dev.seedforge.judge.JudgePlan;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.prompt.Pack;
import dev.seedforge.quality.DomainRelevanceFilter;
import dev.seedforge.quality.QualityGate;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.TaskType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How a preference run's pair stage is set up from the pack's {@code pairs}, the pipeline's llm and judge, and the seeds. */
public final class PairPlan {
  private PairPlan() {}

  /** Whether the run makes preference pairs. */
  public static boolean on(RunPlan plan) {
    return plan.pack().task() == TaskType.PREFERENCE;
  }

  /**
   * The problems of a pipeline with its pack: a preference pack writes only preference formats
   * and a preference format needs a preference pack, and the judge section of a preference run
   * serves judge_rank's ranking only (its single-answer judging does not apply to pairs).
   */
  public static void check(PipelineSpec spec, Pack pack) {
    String file = SpecLoader.display(Path.of(spec.sourceFile()));
    String packFile = SpecLoader.display(Path.of(pack.dir(), "pack.yaml"));
    boolean preference = pack.task() == TaskType.PREFERENCE;
    List<String> problems = new ArrayList<>();
    List<FormatSpec> formats = spec.output().formats();
    for (int i = 0; i < formats.size(); i++) {
      FormatSpec f = formats.get(i);
      if (preference && !PreferenceRecords.handles(f)) {
        problems.add(file + ": output.formats[" + i + "]: " + f.name() + " writes one answer per record, and " + packFile
            + " is a preference pack (a prompt with a chosen and a rejected answer); use " + String.join(" or ", PreferenceRecords.KINDS));
      } else if (!preference && PreferenceRecords.handles(f)) {
        problems.add(file + ": output.formats[" + i + "]: " + f.name() + " writes preference pairs, and " + packFile + " is a "
            + pack.task().wireName() + " pack; use task: preference in the pack, or a format such as openai-chat");
      }
    }
    if (preference && spec.judge().enabled()) {
      problems.add(file + ": judge.enabled: the judge scores single answers and does not apply to preference pairs; remove enabled"
          + " (pairs.method: judge_rank ranks answers with the judge section's model and temperature)");
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
  }

  /** What the pair stage needs on a worker, for {@code plan}. */
  public static PairStage.Config config(RunPlan plan) {
    PipelineSpec spec = plan.spec();
    PairSettings pairs = plan.pack().pairs();
    PairGate gate = new PairGate(instructionChain(plan), pairs.maxSimilarity());
    if (!plan.usesLlm()) {
      return new PairStage.Config(pairs, null, gate, null, null, null, spec.seed());
    }
    Sides sides = sides(plan);
    return new PairStage.Config(pairs, sides.prompts(), gate, plan.modelSettings(), sides.weaker(), sides.judge(), spec.seed());
  }

  /** The calls' settings besides the generator's: method models' weaker generator, judge_rank's judge (each null when unused), and the prompts. */
  record Sides(PairPrompts prompts, ModelSettings weaker, ModelSettings judge) {}

  static Sides sides(RunPlan plan) {
    PipelineSpec spec = plan.spec();
    PairSettings pairs = plan.pack().pairs();
    PipelineSpec.Llm l = spec.llm();
    String provider = plan.generator();
    GenerationRequest.Params chosen = params(provider, l.baseUrl(), l.model(), l.temperature(), l.topP(), l.maxTokens(), "text", spec.seed());
    ModelSettings weaker = null;
    GenerationRequest.Params weak = null;
    if (pairs.method() == PairMethod.MODELS) {
      PairSettings.RejectedLlm r = pairs.rejectedLlm();
      String model = r.model() == null ? l.model() : r.model();
      String url = r.baseUrl() == null ? l.baseUrl() : r.baseUrl();
      String keyEnv = r.apiKeyEnv() == null ? l.apiKeyEnv() : r.apiKeyEnv();
      PipelineSpec.Price price = Prices.table().priceOf(model, model.equals(l.model()) ? l.price() : null);
      weaker = new ModelSettings(provider, model, url, keyEnv, l.timeoutSeconds(), l.maxAttempts(), l.concurrency(), TaskType.PREFERENCE, l.cache(),
          l.refreshCache(), l.requestsPerMinute(), l.tokensPerMinute(), l.maxTokens(), l.budget(), price, l.apiVersion());
      weak = params(provider, url, model, r.temperature() == null ? l.temperature() : r.temperature(), l.topP(), l.maxTokens(), "text", spec.seed());
    }
    ModelSettings judge = null;
    GenerationRequest.Params rank = null;
    if (pairs.method() == PairMethod.JUDGE_RANK) {
      PipelineSpec.Llm j = JudgePlan.llm(spec);
      judge = new ModelSettings(j.provider(), j.model(), j.baseUrl(), j.apiKeyEnv(), j.timeoutSeconds(), j.maxAttempts(), j.concurrency(),
          TaskType.PREFERENCE, j.cache(), j.refreshCache(), j.requestsPerMinute(), j.tokensPerMinute(), j.maxTokens(), j.budget(),
          Prices.table().priceOf(j.model(), j.price()), j.apiVersion());
      rank = params(j.provider(), j.baseUrl(), j.model(), j.temperature(), j.topP(), j.maxTokens(), "text".equals(l.responseFormat()) ? "text" : "json_object",
          spec.seed());
    }
    return new Sides(new PairPrompts(plan.pack(), chosen, weak, rank, spec.seed()), weaker, judge);
  }

  private static GenerationRequest.Params params(String provider, String baseUrl, String model, double temperature, double topP, int maxTokens,
      String format, long seed) {
    return new GenerationRequest.Params(provider, Endpoint.normalized(provider, baseUrl), model, temperature, topP, maxTokens, 1, format, seed);
  }

  /**
   * The run's instruction chain for the chosen answers: the prompt as the instruction, the answer
   * as the output; length bounds, truncation and relevance learn from the seeds' chosen answers.
   */
  static QualityGate instructionChain(RunPlan plan) {
    List<String> outputs = new ArrayList<>();
    List<DomainRelevanceFilter.SeedText> texts = new ArrayList<>();
    List<String> templates = plan.pack().strategies().stream().map(st -> st.template().text()).toList();
    for (Seed s : plan.seeds()) {
      String chosen = s.field("chosen");
      if (!chosen.isBlank()) {
        outputs.add(chosen);
      }
      texts.add(new DomainRelevanceFilter.SeedText(s.id(), s.label(), chosen.isBlank() ? s.field("prompt") : s.field("prompt") + "\n" + chosen));
    }
    return QualityGate.fromSpec(plan.spec().quality(), TaskType.INSTRUCTION, new QualityGate.Context(outputs, List.of(), Map.of(), templates, texts));
  }

  /** A seed's prompt as the candidate the pair stage answers (used by tests and the estimate). */
  static Candidate prompt(Seed s) {
    return new Candidate(s.id(), s.label(), s.fields(), new Candidate.Provenance(List.of(s.id()), "seed", null, "seed", null, null, 0), null);
  }
}
