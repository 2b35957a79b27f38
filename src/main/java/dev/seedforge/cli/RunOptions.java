package dev.seedforge.cli;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that say what a run would do, declared once for {@code run} and {@code estimate},
 * so that an estimate describes exactly the run the same options would start.
 */
public final class RunOptions {
  @Mixin SharedOptions.RunDir out = new SharedOptions.RunDir();

  @Option(names = "--provider", paramLabel = "P", description = "auto, lexical, openai, azure, anthropic or ollama (default: llm.provider)")
  String provider;

  @Mixin SharedOptions.GenerationModel model = new SharedOptions.GenerationModel();

  @Option(names = "--base-url", paramLabel = "URL", description = "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 (default: llm.base_url)")
  String baseUrl;

  @Mixin SharedOptions.PipelineSeed seed = new SharedOptions.PipelineSeed();

  @Option(names = "--no-cache", description = "Neither read nor write the response cache (llm.cache)")
  boolean noCache;

  @Option(names = "--refresh-cache", description = "Call again for every request (once per run) and replace its cached response")
  boolean refreshCache;

  /** The pipeline file with these options applied. */
  PipelineSpec load(Path pipeline) {
    PipelineSpec spec = SpecLoader.load(pipeline, System.getenv(), new SpecLoader.Overrides(provider, model.model, baseUrl, seed.seed, out.dir));
    if (noCache || refreshCache) {
      spec = spec.withLlm(spec.llm().withCache(noCache ? null : spec.llm().cache(), refreshCache && !noCache));
    }
    return spec;
  }
}
