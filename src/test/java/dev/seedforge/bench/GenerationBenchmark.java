package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.testing.LoopbackLlmServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generation-stage benchmarks on the loopback server, through the whole pipeline on the
 * DirectRunner. Not part of {@code mvn test}; run with
 * {@code mvn -B test -Pbench -Dtest='GenerationBenchmark'}. Each prints its figures.
 */
@Tag("benchmark")
class GenerationBenchmark {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  @TempDir Path dir;

  /** The example pack: 10 labels × 2 strategies × callsPerLabel requests. */
  Path pipeline(String name, String baseUrl, int callsPerLabel, String llmExtra) throws IOException {
    return pipeline(name, baseUrl, callsPerLabel, llmExtra, "");
  }

  /** {@link #pipeline(String, String, int, String)} with more {@code quality} settings. */
  Path pipeline(String name, String baseUrl, int callsPerLabel, String llmExtra, String qualityExtra) throws IOException {
    Path f = dir.resolve(name + ".yaml");
    StringBuilder b = new StringBuilder();
    b.append("name: ").append(name).append('\n');
    b.append("pack: ").append(PACK).append('\n');
    b.append("llm:\n  provider: openai\n  model: gpt-4o-mini\n  max_tokens: 512\n");
    b.append("  base_url: ").append(baseUrl).append('\n');
    if (llmExtra.lines().noneMatch(l -> l.startsWith("cache:"))) { // a key given twice is an error
      b.append("  cache: ").append(dir.resolve(name + "-cache.sqlite")).append('\n');
    }
    llmExtra.lines().forEach(l -> b.append("  ").append(l).append('\n'));
    b.append("generation:\n  calls_per_label: ").append(callsPerLabel).append("\n  examples_per_call: 5\n");
    b.append("quality:\n  language: \"off\"\n");
    qualityExtra.lines().forEach(l -> b.append("  ").append(l).append('\n'));
    Files.writeString(f, b.toString());
    return f;
  }

  static Runner.Outcome run(Path pipeline, Path out) throws IOException {
    PipelineSpec spec = SpecLoader.load(pipeline, Map.of(), new SpecLoader.Overrides(null, null, null, null, out.toString()));
    // the options the command line uses (no immutability checks), so the figures are a user's
    return Runner.run(RunPlan.prepare(spec, Map.of()), dev.seedforge.cli.RunCommand.beamOptions(List.of()));
  }

  /** Records when the server saw its first and its last request. */
  static final class Window implements LoopbackLlmServer.Script {
    final AtomicLong first = new AtomicLong();
    final AtomicLong last = new AtomicLong();

    @Override
    public LoopbackLlmServer.Behavior choose(int n, String body) {
      long now = System.nanoTime();
      first.compareAndSet(0, now);
      last.accumulateAndGet(now, Math::max);
      return null;
    }

    double seconds(long tailMillis) {
      return (last.get() - first.get()) / 1e9 + tailMillis / 1000.0;
    }
  }

  static long calls(JsonNode m, String name) {
    return m.path("calls").path(name).path("total").asLong();
  }

  static void print(String format, Object... args) {
    System.out.println("BENCHMARK " + String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  @Test
  void throughput_and_rerun() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(11)) {
      server.latencyMillis(200).keepBodies(0);
      Window w = new Window();
      server.script(w);
      Path p = pipeline("throughput", server.baseUrl(), 100, "concurrency: 32");
      long t0 = System.nanoTime();
      JsonNode m = run(p, dir.resolve("a")).manifest();
      double wall = (System.nanoTime() - t0) / 1e9;
      int requests = server.requestCount();
      double window = w.seconds(200);
      double rate = requests / window;
      print("throughput: %d requests, latency 200 ms, concurrency 32: %.1f calls/s while generating (%.2f s from first request to last answer); "
              + "ratio to the ideal 160 calls/s = %.3f (goal >= 0.9); whole pipeline wall time %.2f s (%.1f calls/s); server maxInFlight %d",
          requests, rate, window, rate / 160.0, wall, requests / wall, server.maxInFlight());
      assertThat(requests).isEqualTo(2000);
      assertThat(calls(m, "made")).isEqualTo(2000);

      server.resetCounters();
      long t1 = System.nanoTime();
      JsonNode again = run(p, dir.resolve("b")).manifest();
      double rerun = (System.nanoTime() - t1) / 1e9;
      print("re-run of the finished pipeline: calls made %d (server received %d), cached %d, wall time %.2f s (first run %.2f s)",
          calls(again, "made"), server.requestCount(), calls(again, "cached"), rerun, wall);
      assertThat(server.requestCount()).isZero();
    }
  }

  @Test
  void rate_limit_fit() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(13)) {
      server.latencyMillis(50).keepBodies(0).rateLimitPerMinute(3000);
      Window w = new Window();
      server.script(w);
      // 1,500 requests: 30 s at 3,000 per minute
      Path p = pipeline("ratefit", server.baseUrl(), 75, "concurrency: 64\nrequests_per_minute: 3000\ncache: \"off\"");
      JsonNode m = run(p, dir.resolve("a")).manifest();
      int requests = server.requestCount();
      double window = w.seconds(0);
      // n requests spaced at the limit span (n - 1) intervals
      double rate = (requests - 1) / window * 60.0;
      print("rate-limit fit: limit 3000 rpm (client and server), latency 50 ms, concurrency 64: %d requests in %.2f s = %.0f rpm; "
              + "achieved / limit = %.3f (goal >= 0.95); 429s from the server's limiter: %d; calls failed: %d",
          requests, window, rate, rate / 3000.0, server.rateLimiterRejections(), calls(m, "failed"));
      assertThat(calls(m, "made")).isEqualTo(1500);
    }
  }

  @Test
  void resume_after_kill() throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(17)) {
      server.latencyMillis(20).keepBodies(0);
      Path p = pipeline("resume", server.baseUrl(), 100, "concurrency: 8");
      int planned = 2000;
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.seedforge.cli.Main",
              "run", p.toString(), "--out", dir.resolve("killed").toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("child.log").toFile());
      Process child = pb.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (server.requestCount() < planned / 2 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
      Thread.sleep(300); // let the server finish the requests the dead client left behind
      int firstRun = server.requestCount();
      boolean manifest = Files.exists(dir.resolve("killed").resolve("manifest.json"));

      JsonNode m = run(p, dir.resolve("killed")).manifest(); // the same folder: the resumed run takes over the killed one's account
      int total = server.requestCount();
      print("resume: child JVM killed (destroyForcibly) after %d requests%s; the re-run sent %d more (cached %d, made %d); "
              + "total calls across both runs / planned = %d / %d = %.4f",
          firstRun, manifest ? " (it had already finished!)" : "", total - firstRun, calls(m, "cached"), calls(m, "made"),
          total, planned, total / (double) planned);
      assertThat(manifest).isFalse();
      assertThat(calls(m, "cached") + calls(m, "made")).isEqualTo(planned);
    }
  }
}
