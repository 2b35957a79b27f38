package dev.seedforge.generate;

import dev.seedforge.accounting.SpendLedger;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of the generation stage on stderr, from the run's {@link SpendLedger} (so it counts
 * every worker on the machine): on a terminal a
 * one-line bar redrawn in place; otherwise (CI, a pipe) a plain line every few seconds. One daemon
 * thread per run, started and stopped by the Runner.
 */
public final class ProgressReporter implements AutoCloseable {
  private final SpendLedger ledger;
  private final String runId;
  private final SpendLedger.Standing baseline;
  private final long planned;
  private final PrintStream err;
  private final boolean terminal;
  private final long periodMillis;
  private final long startNanos = System.nanoTime();
  private final Thread thread;
  private volatile boolean running = true;
  private String lastLine = "";

  public ProgressReporter(SpendLedger ledger, String runId, long planned, PrintStream err, boolean terminal, long periodMillis) {
    this.ledger = ledger;
    this.runId = runId;
    this.baseline = ledger.standing(runId);
    this.planned = planned;
    this.err = err;
    this.terminal = terminal;
    this.periodMillis = periodMillis;
    this.thread = new Thread(this::loop, "seedforge-progress");
    thread.setDaemon(true);
  }

  /** Starts reporting on stderr: live on a terminal (every 200 ms), else every 5 s. */
  public static ProgressReporter start(SpendLedger ledger, String runId, long planned) {
    boolean terminal = System.console() != null;
    ProgressReporter r = new ProgressReporter(ledger, runId, planned, System.err, terminal, terminal ? 200 : 5000);
    r.thread.start();
    return r;
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return;
      }
      if (running) {
        print(false);
      }
    }
  }

  private synchronized void print(boolean last) {
    String line = line();
    if (line == null) {
      return;
    }
    if (terminal) {
      err.print("\r" + line + " ".repeat(Math.max(0, lastLine.length() - line.length())));
      if (last) {
        err.println();
      }
    } else if (!line.equals(lastLine) || last) {
      err.println(line);
    }
    err.flush();
    lastLine = line;
  }

  /** The progress line: this round's requests done against its plan, from the run's ledger. */
  String line() {
    SpendLedger.Standing now = ledger.standing(runId);
    long cached = now.cacheHits() - baseline.cacheHits();
    long failed = now.failed() - baseline.failed();
    long done = cached + failed + now.answered() - baseline.answered();
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    long sent = done - cached;
    String eta = "-";
    if (sent > 0 && done < planned) {
      double perSecond = sent / elapsed;
      eta = formatSeconds((planned - done) / perSecond);
    } else if (done >= planned) {
      eta = "0s";
    }
    int width = 20;
    int filled = planned == 0 ? width : (int) Math.min(width, done * width / planned);
    String bar = terminal ? "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " : "";
    return String.format(
        Locale.ROOT,
        "seedforge: %scalls %d/%d, cached %d, failed %d, run total: %d requests sent, %d tokens, $%.4f, ETA %s%s",
        bar, done, planned, cached, failed, now.settled().calls(), now.settled().tokens(), now.settled().usd(),
        eta, now.stopKind() == null ? "" : " (" + now.stopKind() + ")");
  }

  static String formatSeconds(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    print(true);
  }
}
