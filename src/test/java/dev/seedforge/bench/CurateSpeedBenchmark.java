package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.cli.CurateCommand;
import dev.seedforge.cli.RunCommand;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.dedup.LshBands;
import dev.seedforge.dedup.MinHasher;
import dev.seedforge.dedup.NearDupData;
import dev.seedforge.dedup.NearDuplicates;
import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.CurateInput;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.pipeline.SeedforgePipeline;
import dev.seedforge.quality.QualityGate;
import dev.seedforge.quality.Texts;
import dev.seedforge.util.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How much the Beam job costs over the same work done in a plain loop, and where the quickstart's
 * seconds go. Excluded from {@code mvn test}; run with
 * {@code mvn -B test -Pbench -Dtest=CurateSpeedBenchmark} ({@code -Dbench.sizes=10000,100000},
 * {@code -Dbench.embeddings=off,on}; {@code #quickstart_start_up_and_job} alone with
 * {@code -Dtest='CurateSpeedBenchmark#quickstart*'}).
 *
 * <p>The plain loop is the work of curate's CPU stages on one thread: parse every line, the
 * quality gate, the exact-dedup key and the near-dedup sketches of the records that pass, then the
 * duplicate groups and MinHash/LSH clusters in memory. CPU time is the process's (every thread:
 * workers, GC, JIT), so the ratio counts what the runner adds around the same work.
 */
@Tag("benchmark")
class CurateSpeedBenchmark {
  @TempDir Path dir;

  /** Wall and process CPU time of one measured piece of work. */
  record Cost(long records, double seconds, double cpuSeconds) {
    double recordsPerSecond() {
      return records / seconds;
    }

    double cpuMicrosPerRecord() {
      return cpuSeconds * 1e6 / records;
    }
  }

  static double processCpuSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }

  interface Work {
    void run() throws Exception;
  }

  static Cost measure(long records, Work work) throws Exception {
    // each measured piece embeds its texts itself, as a new process would (the pom turns the vector cache file off)
    dev.seedforge.quality.SentenceVectors.forgetRecent();
    System.gc();
    double cpu0 = processCpuSeconds();
    long t0 = System.nanoTime();
    work.run();
    return new Cost(records, (System.nanoTime() - t0) / 1e9, processCpuSeconds() - cpu0);
  }

  /**
   * Short support messages: a seed with 1-8 word edits and, for half of them, a random tail, so
   * some are near copies and most are new (the records of QualityBenchmark's curate run).
   */
  static void writeSupportRecords(Path file, int n) throws IOException {
    writeSupportRecords(file, n, 5);
  }

  /**
   * The same with another random seed: the warm-up's records, which must not be the measured ones
   * (the embedding model keeps the vectors of texts it has seen in memory).
   */
  static void writeSupportRecords(Path file, int n, long seed) throws IOException {
    List<JsonNode> seeds = new ArrayList<>();
    List<String> vocab = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of("prompts/customer-support/seeds.jsonl"))) {
      JsonNode s = Json.mapper().readTree(l);
      seeds.add(s);
      vocab.addAll(List.of(s.path("text").asText().split("\\s+")));
    }
    Random rnd = new Random(seed);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        JsonNode s = seeds.get(rnd.nextInt(seeds.size()));
        String text = NearDupData.perturb(s.path("text").asText(), 1 + rnd.nextInt(8), rnd, vocab)
            + (rnd.nextBoolean() ? " " + vocab.get(rnd.nextInt(vocab.size())) + " " + vocab.get(rnd.nextInt(vocab.size())) + " " + i % 977 : "");
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("text", text).put("label", s.path("label").asText());
        w.write(Json.write(o));
        w.newLine();
      }
    }
  }

  /** The example pipeline with absolute pack and output paths, with MiniLM or TF-IDF relevance. */
  Path pipeline(boolean embeddings) throws IOException {
    Path base = Path.of("pipelines/support-intents.yaml").toAbsolutePath();
    String yaml = Files.readString(base).replace("pack: ../prompts/customer-support", "pack: " + base.getParent().resolveSibling("prompts/customer-support"));
    if (!embeddings) {
      yaml = yaml.replace("  language: en\n", "  language: en\n  embeddings: false\n");
      assertThat(yaml).contains("embeddings: false");
    }
    Path p = dir.resolve(embeddings ? "minilm.yaml" : "tfidf.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  /** The plain loop over {@code lines}; returns the number of records kept, so nothing is optimised away. */
  static long plainLoop(List<String> lines, RunPlan plan) {
    QualityGate gate = SeedforgePipeline.gate(plan);
    var task = plan.pack().task();
    CurateInput parser = new CurateInput(task, plan.pack().labels().keySet(), "records.jsonl");
    PipelineSpec.Dedup d = plan.spec().dedup();
    MinHasher hasher = new MinHasher(d.shingle(), d.numHashes(), plan.spec().seed());
    LshBands bands = LshBands.forThreshold(d.nearThreshold(), d.numHashes());
    Map<String, String> exact = new HashMap<>();
    List<NearDuplicates.Sketch> sketches = new ArrayList<>();
    for (String line : lines) {
      CurateInput.Parsed parsed = parser.parse(line);
      if (parsed == null || parsed.candidate() == null) {
        continue;
      }
      QualityGate.Decision decision = gate.decide(parsed.candidate());
      if (decision.rejected().isPresent()) {
        continue;
      }
      Candidate c = decision.candidate();
      if (exact.putIfAbsent(TextNormalizer.key(c.fields()), c.id()) == null) {
        sketches.add(new NearDuplicates.Sketch(c.id(), false, hasher.shingles(Texts.of(c, task))));
      }
    }
    List<NearDuplicates.Assignment> near = NearDuplicates.findAll(sketches, hasher, bands, d.nearThreshold());
    return sketches.size() - near.stream().filter(a -> !a.keep()).count();
  }

  static RunPlan plan(Path pipeline) {
    PipelineSpec spec = SpecLoader.load(pipeline, System.getenv(), new SpecLoader.Overrides("lexical", null, null, null, null));
    return RunPlan.prepare(spec, System.getenv());
  }

  static List<Integer> sizes() {
    return Arrays.stream(System.getProperty("bench.sizes", "10000,100000").split(",")).map(String::strip).map(Integer::valueOf).toList();
  }

  static List<Boolean> embeddingVariants() {
    return Arrays.stream(System.getProperty("bench.embeddings", "off,on").split(",")).map(String::strip).map(s -> s.equals("on")).toList();
  }

  @Test
  void plain_loop_and_curate_on_the_same_records() throws Exception {
    for (boolean embeddings : embeddingVariants()) {
      Path pipeline = pipeline(embeddings);
      RunPlan plan = plan(pipeline);
      String what = embeddings ? "MiniLM" : "TF-IDF";
      // models, seed vectors and JIT warmed before anything is timed, for both sides alike
      Path warm = dir.resolve("warm.jsonl");
      writeSupportRecords(warm, 2_000, 6);
      plainLoop(Files.readAllLines(warm), plan);
      CurateCommand.curate(warm, pipeline, dir.resolve("out-warm").toString(), null, RunCommand.beamOptions(List.of()), null);
      for (int n : sizes()) {
        Path input = dir.resolve("records-" + n + ".jsonl");
        writeSupportRecords(input, n);
        List<String> lines = Files.readAllLines(input);
        long[] kept = new long[1];
        Cost loop = measure(n, () -> kept[0] = plainLoop(lines, plan));
        PlainCurate.Result[] whole = new PlainCurate.Result[1];
        Cost all = measure(n, () -> whole[0] = PlainCurate.run(lines, plan, dir.resolve("plain-" + n)));
        Runner.Outcome[] outcome = new Runner.Outcome[1];
        Cost curate = measure(n, () -> outcome[0] = CurateCommand.curate(input, pipeline, dir.resolve("out-" + n).toString(), null, RunCommand.beamOptions(List.of()), null));
        JsonNode m = outcome[0].manifest();
        assertThat(m.path("stages").path("generated").path("total").asLong()).isEqualTo(n);
        String env = String.format(Locale.ROOT, "%d processors, -Xmx%d MB", Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf(Locale.ROOT, "BENCH speed %s %d records: plain loop %.0f records/s, %.0f µs CPU/record (%d kept after dedup)%n",
            what, n, loop.recordsPerSecond(), loop.cpuMicrosPerRecord(), kept[0]);
        System.out.printf(Locale.ROOT, "BENCH speed %s %d records: curate %.0f records/s, %.0f µs CPU/record (%.1f s, %s)%n",
            what, n, curate.recordsPerSecond(), curate.cpuMicrosPerRecord(), curate.seconds(), env);
        System.out.printf(Locale.ROOT, "BENCH speed %s %d records: curate/plain loop CPU per record %.2f, records/s %.2f%n",
            what, n, curate.cpuMicrosPerRecord() / loop.cpuMicrosPerRecord(), curate.recordsPerSecond() / loop.recordsPerSecond());
        System.out.printf(Locale.ROOT, "BENCH speed %s %d records: every curate stage in a plain loop %.0f records/s, %.0f µs CPU/record (%d kept, %d lines);"
                + " curate/that loop CPU per record %.2f, records/s %.2f%n",
            what, n, all.recordsPerSecond(), all.cpuMicrosPerRecord(), whole[0].kept(), whole[0].lines(),
            curate.cpuMicrosPerRecord() / all.cpuMicrosPerRecord(), curate.recordsPerSecond() / all.recordsPerSecond());
        System.out.println("BENCH speed " + what + " " + n + " records: rejections by filter " + m.path("rejections").path("by_filter"));
      }
    }
  }

  private static final Pattern TIMING = Pattern.compile("seedforge: timings: start-up ([0-9.]+) s .*job ([0-9.]+) s");

  /**
   * The offline quickstart through the launcher, as a user runs it (the jar built first, outside the
   * timing): its wall time, and the split that {@code --timings} prints.
   */
  @Test
  void quickstart_start_up_and_job() throws Exception {
    Path out = dir.resolve("quickstart");
    run(List.of("./seedforge", "--version"));
    for (int i = 0; i < Integer.getInteger("bench.repeat", 3); i++) {
      long t0 = System.nanoTime();
      List<String> output = run(List.of("./seedforge", "run", "pipelines/support-intents.yaml", "--out", out.toString(), "--timings"));
      double wall = (System.nanoTime() - t0) / 1e9;
      String timings = output.stream().filter(l -> l.startsWith("seedforge: timings:")).findFirst().orElseThrow();
      Matcher m = TIMING.matcher(timings);
      assertThat(m.find()).as(timings).isTrue();
      System.out.printf(Locale.ROOT, "BENCH quickstart (./seedforge run pipelines/support-intents.yaml, offline): %.1f s wall; start-up %s s, job %s s%n",
          wall, m.group(1), m.group(2));
      System.out.println("BENCH quickstart " + timings.substring("seedforge: ".length()));
    }
  }

  private static List<String> run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        lines.add(l);
      }
    }
    assertThat(p.waitFor()).as(String.join("\n", lines)).isZero();
    return lines;
  }
}
