package dev.seedforge.testing;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A throw-away project for pipeline-file tests: a minimal pack in {@code prompts/p} and a
 * {@code pipelines/} folder, with the file written as {@code pipelines/x.yaml} so that relative
 * paths and the run's name behave as in a real checkout.
 */
public final class SpecFixture {
  public final Path dir;
  public final Path pipelines;

  public SpecFixture(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir.resolve("prompts/p"));
    Files.writeString(dir.resolve("prompts/p/pack.yaml"), "system_prompt: x\n");
    this.pipelines = Files.createDirectories(dir.resolve("pipelines"));
  }

  /** Writes {@code yaml} as it is to {@code pipelines/x.yaml}. */
  public Path write(String yaml) throws IOException {
    Path f = pipelines.resolve("x.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  /** Loads a pipeline file made of {@code pack: ../prompts/p} and {@code yaml}. */
  public PipelineSpec load(String yaml) throws IOException {
    return load(yaml, Map.of());
  }

  public PipelineSpec load(String yaml, Map<String, String> env) throws IOException {
    return SpecLoader.load(write("pack: ../prompts/p\n" + yaml), env, SpecLoader.Overrides.none());
  }
}
