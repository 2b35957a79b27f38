package dev.seedforge.util;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where a command's seconds went, for {@code --timings}: wall time per named phase, summed over
 * repeats (top-up rounds run several jobs), in the order phases first ran. Per JVM, because the
 * phases are spread over the driver and the models' lazy loaders; the driver prints it at the end.
 */
public final class Timings {
  public static final String JVM = "jvm";
  public static final String PLAN = "plan";
  public static final String PIPELINE = "pipeline";
  public static final String JOB = "job";
  public static final String MANIFEST = "manifest";

  private static final Map<String, long[]> PHASES = new LinkedHashMap<>();
  private static volatile long mainNanos = System.nanoTime();

  private Timings() {}

  /** Marks the entry into {@code main}: the JVM's own start-up is the time before it. */
  public static void mainStarted() {
    mainNanos = System.nanoTime();
    long jvmMillis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    add(JVM, Math.max(0, jvmMillis) * 1_000_000L);
  }

  /**
   * Marks the start of building the pipeline: everything on the driver before it (the command
   * line, the pipeline file, pack and seeds, the endpoint check) is the plan, counted once.
   */
  public static synchronized void planned() {
    if (!PHASES.containsKey(PLAN)) {
      add(PLAN, System.nanoTime() - mainNanos);
    }
  }

  public static synchronized void add(String phase, long nanos) {
    PHASES.computeIfAbsent(phase, p -> new long[2]);
    PHASES.get(phase)[0] += nanos;
    PHASES.get(phase)[1]++;
  }

  public static <T> T time(String phase, Supplier<T> work) {
    long t0 = System.nanoTime();
    try {
      return work.get();
    } finally {
      add(phase, System.nanoTime() - t0);
    }
  }

  /** Seconds per phase so far, in the order the phases first ran: for a measurement to take differences of. */
  public static synchronized Map<String, Double> snapshot() {
    Map<String, Double> out = new LinkedHashMap<>();
    PHASES.forEach((phase, p) -> out.put(phase, p[0] / 1e9));
    return out;
  }

  public static synchronized double seconds(String phase) {
    long[] p = PHASES.get(phase);
    return p == null ? 0 : p[0] / 1e9;
  }

  /**
   * One line: start-up (the JVM, planning and building the pipeline, up to the job's start), the
   * job, the manifest, the total since the JVM started, and the other phases (model loads, which
   * happen inside the job).
   */
  public static synchronized String summary() {
    double startUp = seconds(JVM) + seconds(PLAN) + seconds(PIPELINE);
    double total = seconds(JVM) + (System.nanoTime() - mainNanos) / 1e9;
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "start-up %.1f s (JVM %.1f s, plan %.1f s, pipeline %.1f s), job %.1f s%s, manifest %.1f s, total %.1f s",
        startUp, seconds(JVM), seconds(PLAN), seconds(PIPELINE), seconds(JOB),
        count(JOB) > 1 ? " (" + count(JOB) + " rounds)" : "", seconds(MANIFEST), total));
    String others = PHASES.entrySet().stream()
        .filter(e -> !Map.of(JVM, 0, PLAN, 0, PIPELINE, 0, JOB, 0, MANIFEST, 0).containsKey(e.getKey()))
        .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue()[0] / 1e9))
        .reduce((x, y) -> x + ", " + y).orElse("");
    if (!others.isEmpty()) {
      b.append("; within them: ").append(others);
    }
    return b.toString();
  }

  private static int count(String phase) {
    long[] p = PHASES.get(phase);
    return p == null ? 0 : (int) p[1];
  }
}
