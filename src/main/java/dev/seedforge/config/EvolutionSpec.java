package dev.seedforge.config;

import java.io.Serializable;

/**
 * The pipeline's {@code evolution:} section (Evol-Instruct): how many rounds of rewriting, each
 * round's parents being the tasks the previous round accepted (the seeds for the first), and how
 * many parents one round evolves at most (0: every one). {@code rounds} 0 turns evolution off.
 */
public record EvolutionSpec(int rounds, int tasksPerRound) implements Serializable {
  public static EvolutionSpec off() {
    return new EvolutionSpec(0, 0);
  }

  public boolean on() {
    return rounds > 0;
  }

  static EvolutionSpec read(Fields e) {
    EvolutionSpec spec = new EvolutionSpec(e.integer("rounds", 0, 0, 10), e.integer("tasks_per_round", 0, 0, 1_000_000));
    e.finish();
    return spec;
  }
}
