package dev.seedforge.cli;

import picocli.CommandLine.Option;

/**
 * Options that more than one command takes, declared once (picocli mixins), so that an option has
 * one name, one meaning and one help text everywhere.
 */
final class SharedOptions {
  private SharedOptions() {}

  /** {@code --out DIR}: run, curate. */
  static final class RunDir {
    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: output.dir of the pipeline file)")
    String dir;
  }

  /** {@code --seed N}: run, curate. */
  static final class PipelineSeed {
    @Option(names = "--seed", paramLabel = "N", description = "Pipeline seed for every random choice (default: seed of the pipeline file)")
    Long seed;
  }

  /** {@code --model M}: run, estimate. */
  static final class GenerationModel {
    @Option(names = "--model", paramLabel = "M", description = "The model that generates, as the provider names it (default: llm.model)")
    String model;
  }
}
