package dev.seedforge.accounting;

import java.io.Serializable;

/**
 * Which run and round a worker's calls belong to, and where their account is kept: travels with
 * the generation stage to every worker.
 *
 * @param runId one invocation of {@code seedforge run}, all its top-up rounds included
 * @param round the round whose calls these are (0 first; the round a call is paid in)
 * @param ledgerFile the run folder's {@link SpendLedger}
 */
public record RunContext(String runId, int round, String ledgerFile) implements Serializable {
  public RunContext withRound(int r) {
    return new RunContext(runId, r, ledgerFile);
  }

  public SpendLedger ledger() {
    return SpendLedger.open(java.nio.file.Path.of(ledgerFile));
  }
}
