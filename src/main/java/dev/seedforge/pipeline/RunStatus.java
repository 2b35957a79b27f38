package dev.seedforge.pipeline;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.seedforge.accounting.SpendLedger;

/** How a run ended. */
public enum RunStatus {
  /** Every planned request was handled (answered or failed after its retries). */
  COMPLETE("complete"),
  /** llm.budget was reached; requests left became budget_exhausted failures. */
  BUDGET_EXHAUSTED(SpendLedger.BUDGET_EXHAUSTED),
  /** The circuit breaker opened; requests left became circuit_open failures. */
  CIRCUIT_OPEN(SpendLedger.CIRCUIT_OPEN),
  /** Every request was handled, but fewer than {@link #MIN_USABLE_SHARE} of them gave a usable answer. */
  CALLS_FAILED("calls_failed");

  /** The share of requests (those the budget let through) that must give a usable answer for a run to succeed. */
  public static final double MIN_USABLE_SHARE = 0.5;

  private final String wireName;

  RunStatus(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** The status of a run whose ledger says it stopped for {@code stopKind} (null: it did not stop). */
  static RunStatus ofStop(String stopKind) {
    if (stopKind == null) {
      return COMPLETE;
    }
    return stopKind.equals(CIRCUIT_OPEN.wireName) ? CIRCUIT_OPEN : BUDGET_EXHAUSTED;
  }
}
