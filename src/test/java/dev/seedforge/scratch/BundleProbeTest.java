package dev.seedforge.scratch;

import java.nio.file.*;
import java.util.*;
import java.util.concurrent.atomic.*;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.*;
import org.apache.beam.sdk.values.*;
import org.apache.beam.sdk.coders.*;
import org.junit.jupiter.api.*;

@Tag("benchmark")
class BundleProbeTest {
  static final AtomicInteger bundles = new AtomicInteger();
  static final AtomicInteger groups = new AtomicInteger();
  static class KeyFn extends DoFn<String, KV<Integer, String>> {
    final int k; KeyFn(int k) { this.k = k; }
    @StartBundle public void sb() { bundles.incrementAndGet(); }
    @ProcessElement public void pe(@Element String s, OutputReceiver<KV<Integer, String>> o) { o.output(KV.of(Math.floorMod(s.hashCode(), k), s)); }
  }
  static class CountFn extends DoFn<KV<Integer, Iterable<String>>, Integer> {
    @ProcessElement public void pe(@Element KV<Integer, Iterable<String>> e) { groups.incrementAndGet(); }
  }
  @Test
  void probe() throws Exception {
    Path f = Files.createTempFile("probe", ".txt");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 100000; i++) lines.add("line number " + i + " with some more text to make it realistic and long enough for a record");
    Files.write(f, lines);
    for (int keys : new int[] {10, 512, 20000}) {
      var opts = PipelineOptionsFactory.fromArgs("--enforceImmutability=false", "--enforceEncodability=false").create();
      Pipeline p = Pipeline.create(opts);
      bundles.set(0); groups.set(0);
      final int k = keys;
      p.apply(TextIO.read().from(f.toString()))
        .apply(ParDo.of(new KeyFn(k)))
        .apply(GroupByKey.create())
        .apply(ParDo.of(new CountFn()));
      long t0 = System.nanoTime();
      p.run().waitUntilFinish();
      System.out.printf("PROBE keys %d: bundles into GBK %d, groups %d, %.1f s%n", keys, bundles.get(), groups.get(), (System.nanoTime() - t0) / 1e9);
    }
  }
}
