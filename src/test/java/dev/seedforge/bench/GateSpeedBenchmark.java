package dev.seedforge.bench;

import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.CurateInput;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.SeedforgePipeline;
import dev.seedforge.quality.CandidateText;
import dev.seedforge.quality.Filter;
import dev.seedforge.quality.QualityGate;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality gate alone, on the records of {@link CurateSpeedBenchmark} with TF-IDF relevance:
 * the thread's CPU per record of the whole chain ({@code decide}, best of 3 passes), and of each
 * filter on its own (its first use of a shared measure, such as the token count, counts to it).
 * Thread CPU rather than wall time, so builds sharing the machine disturb it less. Run with
 * {@code mvn -B test -Pbench -Dtest=GateSpeedBenchmark [-Dbench.n=100000]}.
 */
@Tag("benchmark")
class GateSpeedBenchmark {
  @TempDir Path dir;

  @Test
  void gate_cpu_per_record_and_per_filter() throws Exception {
    int n = Integer.getInteger("bench.n", 100_000);
    CurateSpeedBenchmark bench = new CurateSpeedBenchmark();
    bench.dir = dir;
    RunPlan plan = CurateSpeedBenchmark.plan(bench.pipeline(false));
    QualityGate gate = SeedforgePipeline.gate(plan);
    Path input = dir.resolve("records.jsonl");
    CurateSpeedBenchmark.writeSupportRecords(input, n);
    CurateInput parser = new CurateInput(plan.pack().task(), plan.pack().labels().keySet(), "records.jsonl");
    List<Candidate> candidates = new ArrayList<>();
    for (String line : Files.readAllLines(input)) {
      CurateInput.Parsed p = parser.parse(line);
      if (p != null && p.candidate() != null) {
        candidates.add(p.candidate());
      }
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double best = Double.MAX_VALUE;
    long rejected = 0;
    for (int pass = 0; pass < 3; pass++) {
      rejected = 0;
      long t0 = threads.getCurrentThreadCpuTime();
      for (Candidate c : candidates) {
        rejected += gate.decide(c).rejected().isPresent() ? 1 : 0;
      }
      best = Math.min(best, (threads.getCurrentThreadCpuTime() - t0) / 1e3 / candidates.size());
    }
    System.out.printf(Locale.ROOT, "BENCH gate TF-IDF %d records: %.1f µs CPU/record for the whole chain (best of 3), %d rejected%n", candidates.size(), best, rejected);
    for (Filter f : gate.filters()) {
      double fBest = Double.MAX_VALUE;
      for (int pass = 0; pass < 3; pass++) {
        long t0 = threads.getCurrentThreadCpuTime();
        long kept = 0;
        for (Candidate c : candidates) {
          kept += f.check(new CandidateText(c, gate.task())).keep() ? 1 : 0;
        }
        fBest = Math.min(fBest, (threads.getCurrentThreadCpuTime() - t0) / 1e3 / candidates.size());
        if (kept < 0) {
          throw new AssertionError();
        }
      }
      System.out.printf(Locale.ROOT, "BENCH gate TF-IDF filter %s: %.2f µs CPU/record alone%n", f.name(), fBest);
    }
  }
}
