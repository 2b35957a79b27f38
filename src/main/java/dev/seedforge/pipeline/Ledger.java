package dev.seedforge.pipeline;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;

/**
 * Counter events that every stage emits and one combine sums: the manifest's figures come from
 * here, exactly, on any runner (Beam metrics are only "attempted" on some runners).
 * Keys are {@code group/name} or {@code group/name/label}.
 */
public final class Ledger {
  private Ledger() {}

  public static KV<String, Long> count(String group, String name, String label, long n) {
    return KV.of(group + "/" + name + "/" + (label == null ? "" : label), n);
  }

  public static KV<String, Long> count(String group, String name, long n) {
    return KV.of(group + "/" + name + "/", n);
  }

  /**
   * Sums the counter events of a bundle before the shuffle: a few dozen distinct keys per bundle
   * instead of several events per record, so the final sum groups little (on the DirectRunner a
   * GroupByKey copies each key's bag once per incoming bundle).
   */
  public static final class SumPerBundleFn extends DoFn<KV<String, Long>, KV<String, Long>> {
    private transient Map<String, Long> sums;

    @StartBundle
    public void start() {
      sums = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element KV<String, Long> kv) {
      sums.merge(kv.getKey(), kv.getValue(), Long::sum);
    }

    @FinishBundle
    public void finish(FinishBundleContext ctx) {
      sums.forEach((k, v) -> ctx.output(KV.of(k, v), BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE));
      sums = null;
    }
  }
}
