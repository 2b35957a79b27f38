package dev.seedforge.bench;

import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.JsonCoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's record coder against Beam's SerializableCoder: round trips per second and bytes
 * per record on candidates like the ones the pipeline moves. Prints its figures; asserts nothing
 * about speed (a benchmark, not a test). Run: see the README's benchmark section.
 */
@Tag("benchmark")
class CoderBenchmark {
  @Test
  void json_coder_vs_java_serialization() throws Exception {
    List<Candidate> records = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      records.add(Candidate.of("billing_charge",
          Map.of("text", "Why was I charged twice for order #" + i + "? The invoice shows two payments of $49.99 on my card."),
          new Candidate.Provenance(List.of("seed" + (i % 70), "seed" + (i % 13)), "new_example", "templates/new_example.txt", "openai", "gpt-4o-mini", "req" + i, 0),
          i).withFeatures(Map.of("tokens", 24.0, "lang_prob", 0.97)));
    }
    report("JsonCoder", JsonCoder.of(Candidate.class), records);
    report("SerializableCoder", SerializableCoder.of(Candidate.class), records);
    report("JsonCoder", JsonCoder.of(Candidate.class), records);
    report("SerializableCoder", SerializableCoder.of(Candidate.class), records);
  }

  private static void report(String name, Coder<Candidate> coder, List<Candidate> records) throws Exception {
    long bytes = 0;
    long start = System.nanoTime();
    for (int round = 0; round < 5; round++) {
      for (Candidate c : records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        coder.encode(c, out);
        byte[] b = out.toByteArray();
        bytes += b.length;
        Candidate back = coder.decode(new ByteArrayInputStream(b));
        if (!back.equals(c)) {
          throw new AssertionError(name + " did not round-trip " + c.id());
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long n = 5L * records.size();
    System.out.printf("coder %-18s %,10.0f round trips/s  %6.1f bytes/record%n", name, n / seconds, (double) bytes / n);
  }
}
