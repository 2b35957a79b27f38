package dev.seedforge.pipeline;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import com.google.common.collect.Iterables;

/**
 * {@link GroupByKey} for few keys and many values: each bundle's values are gathered per key
 * before the shuffle, so the shuffle carries one list per key and bundle instead of one element
 * per value. The output is a GroupByKey's (every key once, with all its values, in no particular
 * order).
 *
 * <p>This is what makes the DirectRunner's shuffles cheap: it keeps each key's values in a bag
 * that it clones through the coder, value by value, for every bundle that reaches the key, so a
 * key with n values arriving in b bundles cost n·b decodes; gathered and encoded as one byte
 * array per bundle, a clone is b array copies. Keys must have value equality (strings, numbers,
 * {@link KV}s of them).
 */
public final class BundledGroupByKey<K, V> extends PTransform<PCollection<KV<K, V>>, PCollection<KV<K, Iterable<V>>>> {
  /**
   * A bundle's values of one key go out in parts of about this many encoded bytes: on Flink a bundle
   * is a whole partition, and a record larger than a sort buffer (about 5 MB embedded) stops the job.
   */
  static final int PART_BYTES = 1 << 20;

  private final int partBytes;

  private BundledGroupByKey(int partBytes) {
    this.partBytes = partBytes;
  }

  public static <K, V> BundledGroupByKey<K, V> create() {
    return new BundledGroupByKey<>(PART_BYTES);
  }

  /** With parts of at most about {@code partBytes} (a test's small parts). */
  static <K, V> BundledGroupByKey<K, V> withPartBytes(int partBytes) {
    return new BundledGroupByKey<>(partBytes);
  }

  @Override
  public PCollection<KV<K, Iterable<V>>> expand(PCollection<KV<K, V>> input) {
    KvCoder<K, V> coder = (KvCoder<K, V>) input.getCoder();
    Coder<K> keyCoder = coder.getKeyCoder();
    Coder<V> valueCoder = coder.getValueCoder();
    ListCoder<V> listCoder = ListCoder.of(valueCoder);
    return input
        .apply("GatherPerBundle", ParDo.of(new GatherFn<K, V>(valueCoder, partBytes)))
        .setCoder(KvCoder.of(keyCoder, ByteArrayCoder.of()))
        .apply("GroupByKey", GroupByKey.create())
        .apply("Concatenate", ParDo.of(new ConcatenateFn<K, V>(listCoder)))
        .setCoder(KvCoder.of(keyCoder, IterableCoder.of(valueCoder)));
  }

  /**
   * A bundle's values per window and key, encoded as they arrive and output as a list (in
   * {@link ListCoder}'s form) when the bundle finishes or a key's part reaches its size.
   */
  static final class GatherFn<K, V> extends DoFn<KV<K, V>, KV<K, byte[]>> {
    private final Coder<V> valueCoder;
    private final int partBytes;
    private transient Map<BoundedWindow, Map<K, Part>> gathered;

    GatherFn(Coder<V> valueCoder, int partBytes) {
      this.valueCoder = valueCoder;
      this.partBytes = partBytes;
    }

    /** Encoded values after room for their count, which {@link #list} fills in. */
    static final class Part extends ByteArrayOutputStream {
      int count;

      Part() {
        super(256);
        reset();
      }

      @Override
      public void reset() {
        super.reset();
        count = 0;
        write(0);
        write(0);
        write(0);
        write(0);
      }

      /** The values as ListCoder encodes a list: a 4-byte big-endian count, then each value. */
      byte[] list() {
        byte[] b = java.util.Arrays.copyOf(buf, size());
        b[0] = (byte) (count >>> 24);
        b[1] = (byte) (count >>> 16);
        b[2] = (byte) (count >>> 8);
        b[3] = (byte) count;
        return b;
      }
    }

    @StartBundle
    public void start() {
      gathered = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element KV<K, V> kv, BoundedWindow window, OutputReceiver<KV<K, byte[]>> out) throws java.io.IOException {
      Part part = gathered.computeIfAbsent(window, w -> new HashMap<>()).computeIfAbsent(kv.getKey(), k -> new Part());
      valueCoder.encode(kv.getValue(), part);
      part.count++;
      if (part.size() >= partBytes) {
        out.outputWithTimestamp(KV.of(kv.getKey(), part.list()), window.maxTimestamp());
        part.reset();
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext ctx) {
      for (Map.Entry<BoundedWindow, Map<K, Part>> w : gathered.entrySet()) {
        for (Map.Entry<K, Part> part : w.getValue().entrySet()) {
          if (part.getValue().count > 0) {
            ctx.output(KV.of(part.getKey(), part.getValue().list()), w.getKey().maxTimestamp(), w.getKey());
          }
        }
      }
      gathered = null;
    }
  }

  /** One key's lists, decoded, as one iterable. */
  static final class ConcatenateFn<K, V> extends DoFn<KV<K, Iterable<byte[]>>, KV<K, Iterable<V>>> {
    private final ListCoder<V> listCoder;

    ConcatenateFn(ListCoder<V> listCoder) {
      this.listCoder = listCoder;
    }

    @ProcessElement
    public void process(@Element KV<K, Iterable<byte[]>> kv, OutputReceiver<KV<K, Iterable<V>>> out) {
      List<byte[]> parts = new ArrayList<>();
      kv.getValue().forEach(parts::add);
      // the parts (up to a megabyte each) decode on every core: on the DirectRunner a key's whole
      // group can be one bundle on one worker thread
      List<List<V>> lists = dev.seedforge.util.Parallel.inChunks(parts, 1, one -> List.of(decode(one.get(0))));
      out.output(KV.of(kv.getKey(), Iterables.concat(lists)));
    }

    private List<V> decode(byte[] encoded) {
      try {
        return CoderUtils.decodeFromByteArray(listCoder, encoded);
      } catch (CoderException e) {
        throw new IllegalStateException("cannot decode a part of a bundled group", e);
      }
    }
  }
}
