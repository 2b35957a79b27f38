package dev.seedforge.judge;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.generate.Endpoint;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.ModelSettings;
import dev.seedforge.generate.Prices;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.prompt.Pack;
import dev.seedforge.seed.TaskType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How a run's judge is set up from the pipeline's {@code judge} section, the pack's rubric and the generator's {@code llm}. */
public final class JudgePlan {
  private JudgePlan() {}

  /** Whether the run judges its candidates. */
  public static boolean on(PipelineSpec spec) {
    return spec.judge().enabled();
  }

  /** The judge's provider: Ollama's native API when llm.provider says so, else any OpenAI-compatible endpoint. */
  static String provider(PipelineSpec spec) {
    return "ollama".equals(spec.llm().provider()) ? "ollama" : "openai";
  }

  /** The judge's llm settings: its section's overrides over the generator's. */
  public static PipelineSpec.Llm llm(PipelineSpec spec) {
    return spec.judge().over(spec.llm()).withProvider(provider(spec));
  }

  /** What the judge needs on a worker, for {@code plan}. */
  public static JudgeStage.Config config(RunPlan plan) {
    PipelineSpec spec = plan.spec();
    PipelineSpec.Llm l = llm(spec);
    ModelSettings settings = new ModelSettings(l.provider(), l.model(), l.baseUrl(), l.apiKeyEnv(), l.timeoutSeconds(), l.maxAttempts(),
        l.concurrency(), plan.pack().task(), l.cache(), l.refreshCache(), l.requestsPerMinute(), l.tokensPerMinute(), l.maxTokens(), l.budget(),
        Prices.table().priceOf(l.model(), l.price()));
    // a reply is JSON whatever the generator's schema: the judge's own answer has another shape
    String format = "text".equals(l.responseFormat()) ? "text" : "json_object";
    GenerationRequest.Params params = new GenerationRequest.Params(l.provider(), Endpoint.normalized(l.provider(), l.baseUrl()), l.model(),
        l.temperature(), l.topP(), l.maxTokens(), spec.judge().batchSize(), format, spec.seed());
    Pack.Rubric r = plan.pack().judge();
    return new JudgeStage.Config(settings, spec.judge(), new JudgePrompt(plan.pack(), spec.judge(), params), plan.pack().task(), r.min(), r.max(),
        plan.pack().labels().keySet());
  }

  /**
   * The problems of a judge section against its pack and environment: relabelling needs labels, the
   * threshold must lie on the rubric's scale, and an endpoint needs a key unless it is a local server.
   */
  public static void check(PipelineSpec spec, Pack pack, Map<String, String> env) {
    if (!on(spec)) {
      return;
    }
    String file = SpecLoader.display(Path.of(spec.sourceFile()));
    List<String> problems = new ArrayList<>();
    PipelineSpec.Judge j = spec.judge();
    if (j.relabel() && (pack.task() != TaskType.CLASSIFICATION || pack.labels().isEmpty())) {
      problems.add(file + ": judge.mode: relabel needs a classification pack with labels; " + SpecLoader.display(Path.of(pack.dir(), "pack.yaml"))
          + " is an " + pack.task().name().toLowerCase(java.util.Locale.ROOT) + " pack: use mode: rubric");
    }
    Pack.Rubric r = pack.judge();
    if (j.rubric() && (j.threshold() < r.min() || j.threshold() > r.max())) {
      problems.add(file + ": judge.threshold: " + j.threshold() + " is outside the rubric's scale " + r.min() + " to " + r.max()
          + " (judge.scale in " + SpecLoader.display(Path.of(pack.dir(), "pack.yaml")) + ")");
    }
    PipelineSpec.Llm l = llm(spec);
    String key = env.get(l.apiKeyEnv());
    if ("openai".equals(l.provider()) && l.baseUrl() == null && (key == null || key.isBlank())) {
      problems.add(file + ": judge: environment variable " + l.apiKeyEnv() + " is not set for the judge's calls to " + Endpoint.OPENAI_DEFAULT
          + "; export it, or set judge.base_url (or llm.base_url) for a local OpenAI-compatible server");
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
  }
}
