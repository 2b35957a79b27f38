package dev.seedforge.pipeline;

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
}
