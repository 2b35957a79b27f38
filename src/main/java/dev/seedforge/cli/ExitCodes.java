package dev.seedforge.cli;

/** Exit codes, documented in the README. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int RUNTIME_FAILURE = 1;
  public static final int BAD_INPUT = 2;
  /** llm.budget stopped the calls; everything received was written. */
  public static final int BUDGET_EXHAUSTED = 3;

  private ExitCodes() {}
}
