package dev.seedforge.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.quality.LabelCheck;
import dev.seedforge.util.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's record coder ({@link JsonCoder}: binary for candidates, rejections and the label
 * check's rows) against Jackson JSON (what it wrote for every record before) and Beam's
 * SerializableCoder: encode + decode time per record and bytes per record, on records like the
 * ones the pipeline moves. Prints its figures; asserts nothing about speed (a benchmark, not a
 * test). Run: {@code mvn -B test -Pbench -Dtest=CoderBenchmark}.
 */
@Tag("benchmark")
class CoderBenchmark {
  static final int N = 20_000;

  static Candidate candidate(int i) {
    return Candidate.of("billing_charge",
        Map.of("text", "Why was I charged twice for order #" + i + "? The invoice shows two payments of $49.99 on my card."),
        new Candidate.Provenance(List.of("seed" + (i % 70), "seed" + (i % 13)), "new_example", "templates/new_example.txt", "openai", "gpt-4o-mini", "req" + i, 0),
        i).withFeatures(Map.of("tokens", 24.0, "lang_prob", 0.97));
  }

  static Rejection rejection(int i) {
    return Rejection.of(candidate(i), "quality", "domain_relevance", "similarity 0.12 below 0.3", 0.12, 0.3, "seed" + (i % 70));
  }

  static LabelCheck.Item item(int i) {
    return new LabelCheck.Item("c" + i, "Why was I charged twice for order #" + i + "? The invoice shows two payments.", "billing_charge");
  }

  @Test
  void record_coders() throws Exception {
    for (int round = 0; round < 2; round++) {
      compare("Candidate", Candidate.class, CoderBenchmark::candidate, round == 1);
      compare("Rejection", Rejection.class, CoderBenchmark::rejection, round == 1);
      compare("LabelCheck.Item", LabelCheck.Item.class, CoderBenchmark::item, round == 1);
    }
  }

  private static <T extends java.io.Serializable> void compare(String what, Class<T> type, IntFunction<T> make, boolean print) throws Exception {
    List<T> records = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      records.add(make.apply(i));
    }
    double json = report(what, "Jackson JSON (before)", new JacksonCoder<>(type), records, print);
    double now = report(what, "JsonCoder", JsonCoder.of(type), records, print);
    report(what, "SerializableCoder", SerializableCoder.of(type), records, print);
    if (print) {
      System.out.printf(Locale.ROOT, "BENCH coder %s: JsonCoder %.2f x faster than Jackson JSON per encode+decode%n", what, json / now);
    }
  }

  /** Returns µs per encode + decode. */
  private static <T> double report(String what, String name, Coder<T> coder, List<T> records, boolean print) throws Exception {
    long bytes = 0;
    int rounds = 5;
    long start = System.nanoTime();
    for (int round = 0; round < rounds; round++) {
      for (T c : records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        coder.encode(c, out);
        byte[] b = out.toByteArray();
        bytes += b.length;
        T back = coder.decode(new ByteArrayInputStream(b));
        if (!back.equals(c)) {
          throw new AssertionError(name + " did not round-trip " + c);
        }
      }
    }
    long n = (long) rounds * records.size();
    double micros = (System.nanoTime() - start) / 1e3 / n;
    if (print) {
      System.out.printf(Locale.ROOT, "BENCH coder %-15s %-22s %6.2f µs per encode+decode  %6.1f bytes/record%n", what, name, micros, (double) bytes / n);
    }
    return micros;
  }

  /** What JsonCoder wrote for every record type before: Jackson JSON, length-prefixed. */
  static final class JacksonCoder<T> extends CustomCoder<T> {
    private final Class<T> type;
    private final transient ObjectWriter writer;
    private final transient ObjectReader reader;

    JacksonCoder(Class<T> type) {
      this.type = type;
      this.writer = Json.mapper().writerFor(type);
      this.reader = Json.mapper().readerFor(type);
    }

    @Override
    public void encode(T value, OutputStream out) throws IOException {
      ByteArrayCoder.of().encode(writer.writeValueAsBytes(value), out);
    }

    @Override
    public T decode(InputStream in) throws IOException {
      return reader.readValue(ByteArrayCoder.of().decode(in));
    }
  }
}
