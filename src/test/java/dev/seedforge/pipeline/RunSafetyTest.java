package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.ExitCodes;
import dev.seedforge.cli.Main;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.testing.LoopbackLlmServer.Behavior;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What keeps a run from hiding failure or paying twice: the exit code of a run whose calls all
 * failed, one run per output folder, a folder that cannot be written found before any call, temp
 * files of interrupted runs, and two runs on one cache.
 */
@Timeout(240)
class RunSafetyTest {
  static final Path PACK = Path.of("prompts/customer-support").toAbsolutePath();
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  /** The example pack with 20 calls in round 0 and no top-up. */
  Path pipeline(String baseUrl, String llmExtra, Path outDir) throws IOException {
    Path f = dir.resolve("p-" + Integer.toHexString((llmExtra + outDir).hashCode()) + ".yaml");
    Files.writeString(f, String.join("\n",
        "pack: " + PACK,
        "llm:",
        "  provider: openai",
        "  base_url: " + baseUrl,
        "  cache: " + dir.resolve("cache.sqlite"),
        "  max_tokens: 400",
        llmExtra.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n"),
        "generation: {calls_per_label: 1, examples_per_call: 5, max_rounds: 1}",
        "quality: {language: \"off\"}",
        "output: {dir: " + outDir + "}",
        ""));
    return f;
  }

  int run(String... args) {
    return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void should_exit_1_naming_the_failure_when_every_call_failed_and_the_breaker_opened_on_the_last() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: 20 planned calls, every one answered 500: the breaker's window fills on the last call
      server.script((n, body) -> Behavior.SERVER_ERROR);
      Path out = dir.resolve("a");

      // when
      int code = run("run", pipeline(server.baseUrl(), "max_attempts: 1", out).toString());

      // then
      JsonNode m = Json.mapper().readTree(out.resolve("manifest.json").toFile());
      assertThat(server.requestCount()).isEqualTo(20);
      assertThat(code).isEqualTo(ExitCodes.RUNTIME_FAILURE);
      assertThat(m.path("status").asText()).isEqualTo("circuit_open");
      assertThat(err.toString()).contains("most common problem: server_error (20)", "check the server's health");
    }
  }

  @Test
  void should_exit_1_when_no_answer_is_usable_though_every_call_succeeded() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: every call answered 200 with prose instead of JSON
      server.script((n, body) -> Behavior.PROSE);
      Path out = dir.resolve("a");

      // when
      int code = run("run", pipeline(server.baseUrl(), "", out).toString());

      // then
      JsonNode m = Json.mapper().readTree(out.resolve("manifest.json").toFile());
      assertThat(code).isEqualTo(ExitCodes.RUNTIME_FAILURE);
      assertThat(m.path("status").asText()).isEqualTo("calls_failed");
      assertThat(m.path("stopped").path("message").asText()).contains("only 0 of 20 calls gave a usable answer", "parse/not_json (20)");
      assertThat(err.toString()).contains("the run failed: only 0 of 20 calls");
    }
  }

  @Test
  void should_refuse_a_second_run_on_a_busy_folder_and_take_over_the_lock_of_a_killed_one() throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: a run in another JVM holding the folder (slow calls keep it busy)
      server.latencyMillis(300);
      Path out = dir.resolve("a");
      Path p = pipeline(server.baseUrl(), "concurrency: 1", out);
      Process child = dev.seedforge.testing.ChildRun.start(p, dir.resolve("child.log"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (server.requestCount() < 2 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }

      // when: a second run on the same folder
      int busy = run("run", p.toString());

      // then: refused, naming the process that holds the folder; after that one is killed, a run takes the folder
      assertThat(busy).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err.toString()).contains(out + ": another run is using this output folder (pid " + child.pid());
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      server.latencyMillis(0);
      assertThat(run("run", p.toString())).isEqualTo(ExitCodes.OK);
    }
  }

  @Test
  void should_stop_before_any_call_when_the_output_folder_cannot_be_written() throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: a read-only file system (tmpfs mounted ro) as the output folder
      Path ro = Files.createDirectories(dir.resolve("ro"));
      Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ro.toString()).redirectErrorStream(true).start();
      boolean mounted = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
      assumeTrue(mounted, "needs root to mount a read-only tmpfs");
      try {
        // when
        int code = run("run", pipeline(server.baseUrl(), "", ro).toString());

        // then
        assertThat(code).as(err.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(server.requestCount()).isZero();
        assertThat(err.toString()).contains(ro + ": the output folder cannot be written");
      } finally {
        new ProcessBuilder("umount", ro.toString()).start().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void should_exit_2_before_any_call_when_the_output_folder_cannot_be_created() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: an output folder below a regular file
      Path file = Files.writeString(dir.resolve("a-file"), "x");

      // when
      int code = run("run", pipeline(server.baseUrl(), "", file.resolve("out")).toString());

      // then
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err.toString()).contains(file.resolve("out") + ": the output folder cannot be created");
      assertThat(server.requestCount()).isZero();
    }
  }

  @Test
  void should_remove_temp_files_an_interrupted_run_left() throws IOException {
    // given: the part and temp files a run interrupted while writing leaves behind
    Path out = Files.createDirectories(dir.resolve("a"));
    Path part = Files.writeString(out.resolve(".train.jsonl.part3." + java.util.UUID.randomUUID() + ".tmp"), "x");
    Path formatPart = Files.writeString(Files.createDirectories(out.resolve("alpaca")).resolve(".train.jsonl.1234.tmp"), "x");
    Path kept = Files.writeString(out.resolve("notes.txt"), "mine");

    // when: the next run in that folder (offline)
    int code = run("run", Path.of("pipelines/support-intents.yaml").toString(), "--out", out.toString());

    // then
    assertThat(code).isEqualTo(ExitCodes.OK);
    assertThat(part).doesNotExist();
    assertThat(formatPart).doesNotExist();
    assertThat(kept).exists();
    try (var files = Files.walk(out)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void should_say_the_cache_keeps_what_was_paid_for_when_interrupted() throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: a slow run in another JVM
      server.latencyMillis(300);
      Path out = dir.resolve("a");
      Path p = pipeline(server.baseUrl(), "concurrency: 1", out);
      Path log = dir.resolve("child.log");
      Process child = dev.seedforge.testing.ChildRun.start(p, log);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (server.requestCount() < 3 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }

      // when: SIGTERM, as Ctrl-C or a scheduler would stop it
      child.destroy();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

      // then
      assertThat(Files.readString(log)).contains("seedforge: interrupted: the run stopped before it finished; the response cache keeps every answer paid for");
    }
  }

  @Test
  void should_pay_once_for_each_request_when_two_runs_share_a_cache() throws Exception {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      // given: two runs of the same pipeline into two folders, started together, one cache
      server.latencyMillis(150);
      Path a = pipeline(server.baseUrl(), "", dir.resolve("a"));
      Path b = pipeline(server.baseUrl(), "", dir.resolve("b"));

      // when
      CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "run", a.toString()));
      CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "run", b.toString()));

      // then: 20 requests in all, and each run accounts for all 20 (made by it, or answered by the other's call)
      assertThat(first.get(200, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
      assertThat(second.get(200, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
      assertThat(server.requestCount()).isEqualTo(20);
      long made = 0;
      for (Path out : new Path[] {dir.resolve("a"), dir.resolve("b")}) {
        JsonNode m = Json.mapper().readTree(out.resolve("manifest.json").toFile());
        assertThat(m.path("calls").path("made").path("total").asLong() + m.path("calls").path("cached").path("total").asLong()).isEqualTo(20);
        made += m.path("calls").path("made").path("total").asLong();
      }
      assertThat(made).isEqualTo(20);
    }
  }
}
