package dev.seedforge.dedup;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Ledger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Exact duplicates after normalisation. One record per group is kept: a seed when the group has
 * one (a generated copy of a seed is rejected as copy_of_seed), otherwise the smallest id, so the
 * choice is the same on every run and runner. Each dropped record names the one kept.
 */
public final class ExactDedup extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<String, Long>> LEDGER = new TupleTag<>() {};
  public static final String SEED_GENERATOR = "seed";

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    PCollectionTuple out =
        input
            .apply("KeyByNormalizedText", WithKeys.of((Candidate c) -> TextNormalizer.key(c.fields())).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Candidate.class)))
            // groups are spread over SHARDS keys and regrouped in memory: one key per text makes
            // the DirectRunner track a watermark hold per key
            .apply("Shard", WithKeys.of((KV<String, Candidate> kv) -> Math.floorMod(kv.getKey().hashCode(), SHARDS)).withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Candidate.class))))
            .apply("Group", GroupByKey.create())
            .apply("Regroup", ParDo.of(new RegroupFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(JsonCoder.of(Candidate.class))))
            .apply("KeepOne", ParDo.of(new KeepOneFn()).withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(LEDGER)));
    out.get(KEPT).setCoder(JsonCoder.of(Candidate.class));
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(LEDGER).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return out;
  }

  /** Seeds first, then by id. */
  public static final Comparator<Candidate> PREFERENCE =
      Comparator.comparing((Candidate c) -> !SEED_GENERATOR.equals(c.provenance().generator())).thenComparing(Candidate::id);

  public static final int SHARDS = 512;

  static final class RegroupFn extends DoFn<KV<Integer, Iterable<KV<String, Candidate>>>, KV<String, Iterable<Candidate>>> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<String, Candidate>>> shard, OutputReceiver<KV<String, Iterable<Candidate>>> out) {
      java.util.Map<String, List<Candidate>> groups = new java.util.HashMap<>();
      for (KV<String, Candidate> kv : shard.getValue()) {
        groups.computeIfAbsent(kv.getKey(), k -> new ArrayList<>(1)).add(kv.getValue());
      }
      groups.forEach((k, v) -> out.output(KV.of(k, v)));
    }
  }

  static final class KeepOneFn extends DoFn<KV<String, Iterable<Candidate>>, Candidate> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<Candidate>> group, MultiOutputReceiver out) {
      List<Candidate> all = new ArrayList<>();
      group.getValue().forEach(all::add);
      all.sort(PREFERENCE);
      Candidate kept = all.get(0);
      out.get(KEPT).output(kept);
      boolean seedKept = SEED_GENERATOR.equals(kept.provenance().generator());
      for (Candidate c : all.subList(1, all.size())) {
        if (SEED_GENERATOR.equals(c.provenance().generator())) {
          // Two seed lines that normalise alike: the later one adds nothing.
          out.get(LEDGER).output(Ledger.count("rejected", "dedup/duplicate_seed", c.label(), 1));
          out.get(REJECTIONS).output(Rejection.of(c, "dedup", "duplicate_seed", "the same text as seed " + kept.id() + " after normalisation", 1.0, 1.0, kept.id()));
          continue;
        }
        String filter = seedKept ? "copy_of_seed" : "exact_duplicate";
        String reason = seedKept ? "copies seed " + kept.id() + " (same text after normalisation)" : "the same text as " + kept.id() + " after normalisation";
        out.get(LEDGER).output(Ledger.count("rejected", "dedup/" + filter, c.label(), 1));
        out.get(REJECTIONS).output(Rejection.of(c, "dedup", filter, reason, 1.0, 1.0, kept.id()));
      }
    }
  }
}
