package dev.seedforge.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;

/**
 * Counts that every stage emits and one combine sums: the manifest's stage figures come from
 * here, exactly, on any runner (Beam metrics are only "attempted" on some runners). Each is a
 * typed {@link Key}; the sums are written as {@link Value} lines and read back as {@link Counts}.
 */
public final class Ledger {
  private Ledger() {}

  /** What is counted: a counter, a name within it ("" for none) and a label ("" for none). */
  public record Key(Counter counter, String name, String label) implements Serializable {
    public Key {
      name = name == null ? "" : name;
      label = label == null ? "" : label;
    }
  }

  /** A summed count, as written to the run's ledger file. */
  public record Value(Counter counter, String name, String label, long value) {
    public Key key() {
      return new Key(counter, name, label);
    }
  }

  public static KV<Key, Long> count(Counter counter, String name, String label, long n) {
    return KV.of(new Key(counter, name, label), n);
  }

  public static KV<Key, Long> count(Counter counter, String label, long n) {
    return count(counter, "", label, n);
  }

  /** The coder of counts: deterministic, so that they can be summed per key. */
  public static KvCoder<Key, Long> coder() {
    return KvCoder.of(KeyCoder.INSTANCE, VarLongCoder.of());
  }

  /** A key as the counter's ordinal and two strings. */
  static final class KeyCoder extends AtomicCoder<Key> {
    static final KeyCoder INSTANCE = new KeyCoder();
    private static final List<Counter> COUNTERS = List.of(Counter.values());

    @Override
    public void encode(Key k, OutputStream out) throws IOException {
      VarIntCoder.of().encode(k.counter().ordinal(), out);
      StringUtf8Coder.of().encode(k.name(), out);
      StringUtf8Coder.of().encode(k.label(), out);
    }

    @Override
    public Key decode(InputStream in) throws IOException {
      return new Key(COUNTERS.get(VarIntCoder.of().decode(in)), StringUtf8Coder.of().decode(in), StringUtf8Coder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * Sums the counts of a bundle before the shuffle: a few dozen distinct keys per bundle instead
   * of several events per record, so the final sum groups little (on the DirectRunner a
   * GroupByKey copies each key's bag once per incoming bundle).
   */
  public static final class SumPerBundleFn<K> extends DoFn<KV<K, Long>, KV<K, Long>> {
    private transient Map<K, Long> sums;

    @StartBundle
    public void start() {
      sums = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element KV<K, Long> kv) {
      sums.merge(kv.getKey(), kv.getValue(), Long::sum);
    }

    @FinishBundle
    public void finish(FinishBundleContext ctx) {
      sums.forEach((k, v) -> ctx.output(KV.of(k, v), BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE));
      sums = null;
    }
  }

  /**
   * The total of every key, summed in memory on one worker after the per-bundle sums: the keys are
   * few (a counter, a name and a label each), and a keyed sum would hand each total on in a
   * bundle of its own, which the DirectRunner then carries through every later step one by one.
   */
  public static final class SumAll extends PTransform<PCollection<KV<Key, Long>>, PCollection<KV<Key, Long>>> {
    @Override
    public PCollection<KV<Key, Long>> expand(PCollection<KV<Key, Long>> counts) {
      return counts
          .apply("SumPerBundle", ParDo.of(new SumPerBundleFn<Key>())).setCoder(coder())
          .apply("OneGroup", WithKeys.<Integer, KV<Key, Long>>of(0).withKeyType(TypeDescriptors.integers()))
          .setCoder(KvCoder.of(VarIntCoder.of(), coder()))
          .apply("GroupAll", BundledGroupByKey.create())
          .apply("SumPerKey", ParDo.of(new SumPerKeyFn()))
          .setCoder(coder());
    }
  }

  // Ledger.Key, not Key: inside a DoFn, Key names DoFn.Key
  static final class SumPerKeyFn extends DoFn<KV<Integer, Iterable<KV<Ledger.Key, Long>>>, KV<Ledger.Key, Long>> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<Ledger.Key, Long>>> all, OutputReceiver<KV<Ledger.Key, Long>> out) {
      Map<Ledger.Key, Long> sums = new HashMap<>();
      all.getValue().forEach(kv -> sums.merge(kv.getKey(), kv.getValue(), Long::sum));
      sums.forEach((k, v) -> out.output(KV.of(k, v)));
    }
  }
}
