package dev.seedforge.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
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
      return gathered(counts).apply("SumPerKey", ParDo.of(new SumPerKeyFn())).setCoder(coder());
    }
  }

  /**
   * {@link SumAll} written as the lines of the ledger file {@code file}: (file, (line, line)), one
   * {@link Value} per key, for {@link WriteJsonlFiles}.
   */
  public static final class SumAllToLines extends PTransform<PCollection<KV<Key, Long>>, PCollection<KV<String, KV<String, String>>>> {
    private final String file;

    public SumAllToLines(String file) {
      this.file = file;
    }

    @Override
    public PCollection<KV<String, KV<String, String>>> expand(PCollection<KV<Key, Long>> counts) {
      return gathered(counts)
          .apply("SumToLines", ParDo.of(new SumToLinesFn(file)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));
    }
  }

  /** Each bundle's sums, encoded as one list under the single key 0, grouped: one element with every bundle's list. */
  private static PCollection<KV<Integer, Iterable<byte[]>>> gathered(PCollection<KV<Key, Long>> counts) {
    return counts
        .apply("SumPerBundle", ParDo.of(new GatherSumsFn()))
        .setCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of()))
        .apply("GroupAll", GroupByKey.create());
  }

  private static final ListCoder<KV<Key, Long>> SUMS = ListCoder.of(coder());

  /** The totals of the bundles' encoded sums, per key. */
  static Map<Key, Long> total(Iterable<byte[]> bundleSums) throws CoderException {
    Map<Key, Long> sums = new HashMap<>();
    for (byte[] encoded : bundleSums) {
      for (KV<Key, Long> kv : CoderUtils.decodeFromByteArray(SUMS, encoded)) {
        sums.merge(kv.getKey(), kv.getValue(), Long::sum);
      }
    }
    return sums;
  }

  /** Sums a bundle's counts per key and outputs them as one encoded list when the bundle finishes. */
  static final class GatherSumsFn extends DoFn<KV<Ledger.Key, Long>, KV<Integer, byte[]>> {
    private transient Map<BoundedWindow, Map<Ledger.Key, Long>> sums;

    @StartBundle
    public void start() {
      sums = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element KV<Ledger.Key, Long> kv, BoundedWindow window) {
      sums.computeIfAbsent(window, w -> new HashMap<>()).merge(kv.getKey(), kv.getValue(), Long::sum);
    }

    @FinishBundle
    public void finish(FinishBundleContext ctx) throws CoderException {
      for (Map.Entry<BoundedWindow, Map<Ledger.Key, Long>> w : sums.entrySet()) {
        List<KV<Ledger.Key, Long>> list = new ArrayList<>();
        w.getValue().forEach((k, v) -> list.add(KV.of(k, v)));
        ctx.output(KV.of(0, CoderUtils.encodeToByteArray(SUMS, list)), w.getKey().maxTimestamp(), w.getKey());
      }
      sums = null;
    }
  }

  // Ledger.Key, not Key: inside a DoFn, Key names DoFn.Key
  static final class SumPerKeyFn extends DoFn<KV<Integer, Iterable<byte[]>>, KV<Ledger.Key, Long>> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<byte[]>> all, OutputReceiver<KV<Ledger.Key, Long>> out) throws CoderException {
      total(all.getValue()).forEach((k, v) -> out.output(KV.of(k, v)));
    }
  }

  static final class SumToLinesFn extends DoFn<KV<Integer, Iterable<byte[]>>, KV<String, KV<String, String>>> {
    private final String file;

    SumToLinesFn(String file) {
      this.file = file;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<byte[]>> all, OutputReceiver<KV<String, KV<String, String>>> out) throws CoderException {
      total(all.getValue()).forEach((k, v) -> {
        String line = dev.seedforge.util.Json.write(new Ledger.Value(k.counter(), k.name(), k.label(), v));
        out.output(KV.of(file, KV.of(line, line)));
      });
    }
  }
}
