package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.CurateCommand;
import dev.seedforge.cli.RunCommand;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.testing.LoopbackLlmServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every speed figure of issue 16 in one run, one {@code BENCH} line each:
 * {@code mvn -B test -Pbench -Dtest=SpeedBenchmark}. Sizes are properties, so a quick run takes
 * minutes: {@code -Dbench.sizes} (plain loop and curate with TF-IDF on the DirectRunner, default
 * 10000,100000), {@code -Dbench.flink_sizes} (the same on the embedded Flink runner, default
 * 100000; empty for none), {@code -Dbench.minilm_sizes} (with MiniLM embeddings, default 10000),
 * {@code -Dbench.calls} (generation requests against the loopback server, default 2000) and
 * {@code -Dbench.repeat} (quickstart runs, default 3); {@code -Dbench.generation_dir} keeps the
 * generation run's caches and output folders ({@code gen-a}, {@code gen-b}; {@code gen-c} for the
 * re-run) in a folder, so a second JVM given the same folder re-runs it from a new process, and
 * the files of two builds can be compared. Options are the command line's
 * ({@link RunCommand#beamOptions}), so the figures are what a user gets.
 */
@Tag("benchmark")
class SpeedBenchmark {
  @TempDir Path dir;

  static List<Integer> sizes(String property, String defaults) {
    String v = System.getProperty(property, defaults).strip();
    return v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).map(String::strip).map(Integer::valueOf).toList();
  }

  @Test
  void every_figure() throws Exception {
    CurateSpeedBenchmark curate = new CurateSpeedBenchmark();
    curate.dir = dir;
    curateFigures(curate, false, "DirectRunner", sizes("bench.sizes", "10000,100000"), List.of());
    curateFigures(curate, false, "Flink (embedded)", sizes("bench.flink_sizes", "100000"), List.of("--runner=FlinkRunner"));
    curateFigures(curate, true, "DirectRunner", sizes("bench.minilm_sizes", "10000"), List.of());
    generationFigures(Integer.getInteger("bench.calls", 2000));
    curate.quickstart_start_up_and_job();
  }

  /** Plain loop and curate on the same records, one size after the other (CPU per record and their ratio). */
  void curateFigures(CurateSpeedBenchmark bench, boolean embeddings, String runner, List<Integer> sizes, List<String> args) throws Exception {
    if (sizes.isEmpty()) {
      return;
    }
    Path pipeline = bench.pipeline(embeddings);
    RunPlan plan = CurateSpeedBenchmark.plan(pipeline);
    String what = (embeddings ? "MiniLM" : "TF-IDF") + ", " + runner;
    Path warm = dir.resolve("warm.jsonl");
    CurateSpeedBenchmark.writeSupportRecords(warm, 2_000, 6);
    CurateSpeedBenchmark.plainLoop(Files.readAllLines(warm), plan);
    CurateCommand.curate(warm, pipeline, dir.resolve("out-warm").toString(), null, RunCommand.beamOptions(args), null);
    for (int n : sizes) {
      Path input = dir.resolve("records-" + n + ".jsonl");
      CurateSpeedBenchmark.writeSupportRecords(input, n);
      List<String> lines = Files.readAllLines(input);
      long[] kept = new long[1];
      CurateSpeedBenchmark.Cost loop = CurateSpeedBenchmark.measure(n, () -> kept[0] = CurateSpeedBenchmark.plainLoop(lines, plan));
      lines.clear();
      Runner.Outcome[] outcome = new Runner.Outcome[1];
      Path out = dir.resolve("out-" + n);
      PipelineOptions options = RunCommand.beamOptions(args);
      QualityBenchmark.HeapSampler[] heap = new QualityBenchmark.HeapSampler[1];
      CurateSpeedBenchmark.Cost run = CurateSpeedBenchmark.measure(n, () -> {
        heap[0] = new QualityBenchmark.HeapSampler();
        try {
          outcome[0] = CurateCommand.curate(input, pipeline, out.toString(), null, options, null);
        } finally {
          heap[0].stop();
        }
      });
      assertThat(outcome[0].manifest().path("stages").path("generated").path("total").asLong()).isEqualTo(n);
      System.out.printf(Locale.ROOT, "BENCH speed %s, %d records: plain loop %.0f records/s, %.0f µs CPU/record; curate %.0f records/s, %.0f µs CPU/record, %.1f s;"
              + " curate/plain loop CPU per record %.2f; curate's heap in use at most %d MB, live after GC at most %d MB (%d processors, -Xmx%d MB)%n",
          what, n, loop.recordsPerSecond(), loop.cpuMicrosPerRecord(), run.recordsPerSecond(), run.cpuMicrosPerRecord(), run.seconds(),
          run.cpuMicrosPerRecord() / loop.cpuMicrosPerRecord(), heap[0].peakUsed >> 20, heap[0].peakAfterGc() >> 20,
          Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
      if (embeddings) {
        encoderCeiling(input, n, run);
      }
      Files.deleteIfExists(input);
    }
  }

  /**
   * The MiniLM encoder alone on the distinct texts of the same records, batched and on every core as
   * the gate runs it: the most records per second any curate with MiniLM relevance can reach on
   * this machine, since every record that passes the cheap filters needs its vector.
   */
  static void encoderCeiling(Path input, int n, CurateSpeedBenchmark.Cost curate) throws Exception {
    java.util.LinkedHashSet<String> texts = new java.util.LinkedHashSet<>();
    for (String l : Files.readAllLines(input)) {
      texts.add(dev.seedforge.util.Json.mapper().readTree(l).path("text").asText());
    }
    List<String> distinct = List.copyOf(texts);
    CurateSpeedBenchmark.Cost alone = CurateSpeedBenchmark.measure(distinct.size(),
        () -> dev.seedforge.quality.SentenceVectors.embedAll(dev.seedforge.config.PipelineSpec.Relevance.MINILM, distinct));
    System.out.printf(Locale.ROOT, "BENCH speed MiniLM encoder alone, the %d records' %d distinct texts (batched, %d processors): %.0f texts/s, %.0f µs CPU/text;"
            + " at most %.0f records/s for curate with MiniLM, which ran at %.0f (%.0f %% of that)%n",
        n, distinct.size(), Runtime.getRuntime().availableProcessors(), alone.recordsPerSecond(), alone.cpuMicrosPerRecord(),
        n / alone.seconds(), curate.recordsPerSecond(), 100 * curate.recordsPerSecond() / (n / alone.seconds()));
  }

  /** The loopback server's latency per call ({@code -Dbench.latency_ms}, default 200). */
  static long latencyMillis() {
    return Long.getLong("bench.latency_ms", 200);
  }

  /** {@code -Dbench.generation_relevance=tfidf}: the generation pipeline with TF-IDF relevance (and the label check by words); default minilm. */
  static String qualityExtra() {
    return System.getProperty("bench.generation_relevance", "minilm").equalsIgnoreCase("tfidf") ? "embeddings: false" : "";
  }

  /**
   * GenerationBenchmark's run: {@code calls} requests (200 ms latency unless {@code -Dbench.latency_ms}
   * says otherwise, concurrency 32), then the same pipeline again with every answer cached; each
   * against the time the calls took.
   */
  void generationFigures(int calls) throws Exception {
    if (calls <= 0) {
      return;
    }
    GenerationBenchmark gen = new GenerationBenchmark();
    String shared = System.getProperty("bench.generation_dir", "");
    gen.dir = shared.isBlank() ? dir : Files.createDirectories(Path.of(shared));
    if (!shared.isBlank() && Files.exists(gen.dir.resolve("speed-cache.sqlite"))) {
      newProcessRerun(gen, calls);
      return;
    }
    try (LoopbackLlmServer server = new LoopbackLlmServer(11, shared.isBlank() ? 0 : SHARED_PORT)) {
      long latency = latencyMillis();
      server.latencyMillis(latency).keepBodies(0);
      GenerationBenchmark.Window w = new GenerationBenchmark.Window();
      server.script(w);
      Path p = gen.pipeline("speed", server.baseUrl(), calls / 20, "concurrency: 32", qualityExtra());
      long[] prefetch = dev.seedforge.quality.EmbeddingPrefetch.totals();
      Map<String, Double> before = dev.seedforge.util.Timings.snapshot();
      long t0 = System.nanoTime();
      run(p, gen.dir.resolve("gen-a"));
      double wall = (System.nanoTime() - t0) / 1e9;
      before = phases("first run", before);
      double callTime = w.seconds(latency);
      System.out.printf(Locale.ROOT, "BENCH generation, first run: %d texts embedded while the calls ran, %d dropped (prefetch %s, relevance %s)%n",
          dev.seedforge.quality.EmbeddingPrefetch.totals()[0] - prefetch[0], dev.seedforge.quality.EmbeddingPrefetch.totals()[1] - prefetch[1], dev.seedforge.quality.EmbeddingPrefetch.enabled() ? "on" : "off",
          qualityExtra().isEmpty() ? "MiniLM" : "TF-IDF");
      assertThat(server.requestCount()).isEqualTo(calls / 20 * 20);
      server.resetCounters();
      long t1 = System.nanoTime();
      JsonNode again = run(p, gen.dir.resolve("gen-b")).manifest();
      double rerun = (System.nanoTime() - t1) / 1e9;
      phases("re-run", before);
      assertThat(server.requestCount()).isZero();
      System.out.printf(Locale.ROOT, "BENCH generation, %d calls (%d ms latency, concurrency 32): calls %.1f s, whole pipeline %.1f s (%.2f x the call time);"
              + " re-run with every call cached (%d cached) %.1f s (%.2f x the first run's call time)%n",
          calls / 20 * 20, latency, callTime, wall, wall / callTime,
          again.path("calls").path("cached").path("total").asLong(), rerun, rerun / callTime);
    }
  }

  /**
   * With {@code -Dbench.generation_dir} set and its response cache filled by an earlier JVM: the
   * re-run a user gets from a new process (every call cached; the vectors in the vector cache when
   * {@code -Dseedforge.vectorCache} names a file the earlier JVM filled too).
   */
  /** The loopback port of a run another JVM repeats: its base URL is part of every request's cache key. */
  static final int SHARED_PORT = 18_711;

  void newProcessRerun(GenerationBenchmark gen, int calls) throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(11, SHARED_PORT)) {
      server.latencyMillis(latencyMillis()).keepBodies(0);
      Path p = gen.pipeline("speed", server.baseUrl(), calls / 20, "concurrency: 32", qualityExtra());
      Map<String, Double> before = dev.seedforge.util.Timings.snapshot();
      long t0 = System.nanoTime();
      JsonNode again = run(p, gen.dir.resolve("gen-c")).manifest();
      double rerun = (System.nanoTime() - t0) / 1e9;
      phases("new-process re-run", before);
      assertThat(server.requestCount()).isZero();
      System.out.printf(Locale.ROOT, "BENCH generation, %d calls: re-run in a new process with every call cached (%d cached) %.1f s (vector cache %s)%n",
          calls / 20 * 20, again.path("calls").path("cached").path("total").asLong(), rerun, System.getProperty("seedforge.vector_cache"));
    }
  }

  /** Prints the seconds each timed phase ({@code --timings}) took since {@code before}; returns the phases now. */
  static Map<String, Double> phases(String what, Map<String, Double> before) {
    Map<String, Double> now = dev.seedforge.util.Timings.snapshot();
    StringBuilder b = new StringBuilder();
    now.forEach((phase, s) -> {
      double d = s - before.getOrDefault(phase, 0.0);
      if (d >= 0.05) {
        b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f s", phase, d));
      }
    });
    System.out.println("BENCH generation, " + what + ", timed phases: " + b);
    return now;
  }

  /** As {@code seedforge run} does it: Beam's options are parsed while the plan is made. */
  static Runner.Outcome run(Path pipeline, Path out) throws java.io.IOException {
    java.util.concurrent.CompletableFuture<org.apache.beam.sdk.options.PipelineOptions> options =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> RunCommand.beamOptions(List.of()));
    PipelineSpec spec = SpecLoader.load(pipeline, Map.of(), new SpecLoader.Overrides(null, null, null, null, out.toString()));
    RunPlan plan = RunPlan.prepare(spec, Map.of());
    return Runner.run(plan, dev.seedforge.util.Futures.join(options));
  }
}
