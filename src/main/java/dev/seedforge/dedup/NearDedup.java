package dev.seedforge.dedup;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.BundledGroupByKey;
import dev.seedforge.pipeline.JoinById;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.quality.Texts;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Near-duplicate removal as a Beam stage (see {@link NearDuplicates} for the method):
 *
 * <ol>
 *   <li>sketch every candidate and emit it once per LSH band, keyed by the band's hash (spread
 *       over {@link #SHARDS} shards, or {@link #withShards});
 *   <li>{@code GroupByKey} on the shards; each bucket in a shard verifies its pairs by exact Jaccard;
 *   <li>the verified edges (few: only near duplicates produce any) meet in one bundled group
 *       ({@link BundledGroupByKey}: one value per bundle, so the DirectRunner's bag copies stay
 *       small), where union-find builds the clusters once;
 *   <li>the verdicts of the clustered records meet the candidates by id ({@link JoinById}), and
 *       every candidate is kept or dropped by its cluster. The candidates wait in that grouping,
 *       not in a side input's pushback, which the DirectRunner evaluated again and again.
 * </ol>
 *
 * Kept candidates carry the feature {@value #CLUSTER}: a 52-bit number naming their cluster (the
 * same for all members, derived from the kept record's id; a record without near duplicates is its
 * own cluster), so that splitting can keep a cluster on one side. Dropped ones are rejected as
 * {@code near_copy_of_seed} when their cluster holds a seed, else {@code near_duplicate}, with the
 * kept record as related id, the exact Jaccard to their closest neighbour as score and the
 * threshold. Seeds are never dropped here; {@code extraSeeds} take part in the comparison without
 * being output (for runs where seeds do not join the dataset).
 */
public final class NearDedup extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};
  public static final String CLUSTER = "cluster";

  private final double threshold;
  private final MinHasher hasher;
  private final LshBands bands;
  private final TaskType task;
  private final List<Candidate> extraSeeds;
  private final int shards;

  public NearDedup(PipelineSpec.Dedup spec, TaskType task, long seed, List<Candidate> extraSeeds) {
    this(spec.nearThreshold(), new MinHasher(spec.shingle(), spec.numHashes(), seed), LshBands.forThreshold(spec.nearThreshold(), spec.numHashes()),
        task, extraSeeds, SHARDS);
  }

  private NearDedup(double threshold, MinHasher hasher, LshBands bands, TaskType task, List<Candidate> extraSeeds, int shards) {
    this.threshold = threshold;
    this.hasher = hasher;
    this.bands = bands;
    this.task = task;
    this.extraSeeds = List.copyOf(extraSeeds);
    this.shards = shards;
  }

  /**
   * The same stage with the band keys in {@code shards} groups: the result does not depend on it,
   * only how many bundles and keys the runner tracks (on the DirectRunner, a few per worker thread
   * are cheapest).
   */
  public NearDedup withShards(int shards) {
    return new NearDedup(threshold, hasher, bands, task, extraSeeds, shards);
  }

  public LshBands bands() {
    return bands;
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    JsonCoder<Candidate> candidateCoder = JsonCoder.of(Candidate.class);
    SketchCoder sketchCoder = new SketchCoder();
    PCollection<Candidate> all = input;
    if (!extraSeeds.isEmpty()) {
      PCollection<Candidate> extra = input.getPipeline().apply("ExtraSeeds", Create.of(extraSeeds).withCoder(candidateCoder));
      all = PCollectionList.of(input).and(extra).apply("WithExtraSeeds", Flatten.pCollections());
    }
    PCollection<NearDuplicates.Edge> edges =
        all.apply("SketchAndBand", ParDo.of(new BandFn(hasher, bands, task, shards)))
            .setCoder(KvCoder.of(VarLongCoder.of(), KvCoder.of(VarLongCoder.of(), sketchCoder)))
            .apply("GroupByBandShard", BundledGroupByKey.create())
            .apply("VerifyPairs", ParDo.of(new VerifyFn(threshold)))
            .setCoder(JsonCoder.of(NearDuplicates.Edge.class));
    // Verified edges are few (only near duplicates make any): they are clustered in one group, and
    // each clustered record's verdict meets the record by id.
    PCollection<KV<String, NearDuplicates.Assignment>> assignments =
        edges
            .apply("OneGroup", org.apache.beam.sdk.transforms.WithKeys.of(0))
            .setCoder(KvCoder.of(org.apache.beam.sdk.coders.VarIntCoder.of(), JsonCoder.of(NearDuplicates.Edge.class)))
            .apply("AllEdges", BundledGroupByKey.create())
            .apply("Cluster", ParDo.of(new ClusterFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(NearDuplicates.Assignment.class)));
    PCollectionTuple out =
        JoinById.group("Join", input, assignments, JsonCoder.of(NearDuplicates.Assignment.class), shards)
            .apply("KeepOrDrop", ParDo.of(new DecideFn(threshold)).withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(LEDGER)));
    out.get(KEPT).setCoder(candidateCoder);
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(LEDGER).setCoder(Ledger.coder());
    return out;
  }

  /**
   * A binary coder for sketches: every record travels once per LSH band, and the DirectRunner
   * copies a GroupByKey's bags through the coder, so JSON here cost more than the hashing itself.
   */
  static final class SketchCoder extends org.apache.beam.sdk.coders.AtomicCoder<NearDuplicates.Sketch> {
    @Override
    public void encode(NearDuplicates.Sketch s, java.io.OutputStream out) throws java.io.IOException {
      StringUtf8Coder.of().encode(s.id(), out);
      long[] sh = s.shingles();
      byte[] buf = new byte[1 + 4 + 8 * sh.length];
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf);
      b.put((byte) (s.seed() ? 1 : 0)).putInt(sh.length);
      for (long v : sh) {
        b.putLong(v);
      }
      out.write(buf);
    }

    @Override
    public NearDuplicates.Sketch decode(java.io.InputStream in) throws java.io.IOException {
      String id = StringUtf8Coder.of().decode(in);
      java.io.DataInputStream d = new java.io.DataInputStream(in);
      boolean seed = d.readByte() != 0;
      long[] sh = new long[d.readInt()];
      byte[] buf = new byte[8 * sh.length];
      d.readFully(buf);
      java.nio.ByteBuffer.wrap(buf).asLongBuffer().get(sh);
      return new NearDuplicates.Sketch(id, seed, sh);
    }

    @Override
    public void verifyDeterministic() {}
  }

  static NearDuplicates.Sketch sketch(Candidate c, MinHasher hasher, TaskType task) {
    return new NearDuplicates.Sketch(c.id(), ExactDedup.isSeed(c), hasher.shingles(Texts.of(c, task)));
  }

  /**
   * Band keys are spread over this many shards: one key per bucket would make the DirectRunner
   * track a watermark hold per key (hundreds of thousands of keys, most with one record); a shard
   * regroups its buckets in memory.
   */
  public static final int SHARDS = 64;

  /**
   * Sketches every candidate and emits it once per band. A bundle's candidates are held (up to
   * {@link #HOLD}) and sketched on every core: on the DirectRunner one worker thread runs the
   * stage (see {@link dev.seedforge.pipeline.WorkerThreads}).
   */
  static final class BandFn extends DoFn<Candidate, KV<Long, KV<Long, NearDuplicates.Sketch>>> {
    static final int HOLD = 4096;
    static final int CHUNK = 256;

    private final MinHasher hasher;
    private final LshBands bands;
    private final TaskType task;
    private final int shards;
    private transient dev.seedforge.pipeline.HeldElements<Candidate> held;

    BandFn(MinHasher hasher, LshBands bands, TaskType task, int shards) {
      this.shards = shards;
      this.hasher = hasher;
      this.bands = bands;
      this.task = task;
    }

    @StartBundle
    public void start() {
      held = new dev.seedforge.pipeline.HeldElements<>(HOLD);
    }

    @ProcessElement
    public void process(@Element Candidate c, @Timestamp org.joda.time.Instant ts, org.apache.beam.sdk.transforms.windowing.BoundedWindow w,
        OutputReceiver<KV<Long, KV<Long, NearDuplicates.Sketch>>> out) {
      if (held.add(c, ts, w)) {
        emit(held.drain(), (h, kv) -> out.outputWithTimestamp(kv, h.timestamp()));
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext ctx) {
      emit(held.drain(), (h, kv) -> ctx.output(kv, h.timestamp(), h.window()));
    }

    private void emit(List<dev.seedforge.pipeline.HeldElements.Held<Candidate>> batch,
        java.util.function.BiConsumer<dev.seedforge.pipeline.HeldElements.Held<Candidate>, KV<Long, KV<Long, NearDuplicates.Sketch>>> output) {
      List<List<KV<Long, KV<Long, NearDuplicates.Sketch>>>> keyed = band(batch);
      for (int i = 0; i < batch.size(); i++) {
        for (KV<Long, KV<Long, NearDuplicates.Sketch>> kv : keyed.get(i)) {
          output.accept(batch.get(i), kv);
        }
      }
    }

    /** Each held candidate's sketch under each of its band keys. */
    private List<List<KV<Long, KV<Long, NearDuplicates.Sketch>>>> band(List<dev.seedforge.pipeline.HeldElements.Held<Candidate>> batch) {
      return dev.seedforge.util.Parallel.inChunks(batch, CHUNK, chunk -> chunk.stream().map(h -> {
        NearDuplicates.Sketch s = sketch(h.element(), hasher, task);
        List<KV<Long, KV<Long, NearDuplicates.Sketch>>> keyed = new ArrayList<>();
        for (long k : NearDuplicates.bandKeys(hasher.signature(s.shingles()), bands)) {
          keyed.add(KV.of(Math.floorMod(k, (long) shards), KV.of(k, s)));
        }
        return keyed;
      }).toList());
    }
  }

  /** Verifies the pairs of every bucket in a shard, the buckets on every core. */
  static final class VerifyFn extends DoFn<KV<Long, Iterable<KV<Long, NearDuplicates.Sketch>>>, NearDuplicates.Edge> {
    private final double threshold;

    VerifyFn(double threshold) {
      this.threshold = threshold;
    }

    @ProcessElement
    public void process(@Element KV<Long, Iterable<KV<Long, NearDuplicates.Sketch>>> shard, OutputReceiver<NearDuplicates.Edge> out) {
      Map<Long, List<NearDuplicates.Sketch>> buckets = new HashMap<>();
      for (KV<Long, NearDuplicates.Sketch> kv : shard.getValue()) {
        buckets.computeIfAbsent(kv.getKey(), k -> new ArrayList<>(2)).add(kv.getValue());
      }
      List<List<NearDuplicates.Sketch>> shared = new ArrayList<>();
      for (List<NearDuplicates.Sketch> members : buckets.values()) {
        if (members.size() >= 2) {
          shared.add(members);
        }
      }
      List<List<NearDuplicates.Edge>> edges = dev.seedforge.util.Parallel.inChunks(shared, 64,
          chunk -> chunk.stream().map(members -> NearDuplicates.verify(members, threshold)).toList());
      for (List<NearDuplicates.Edge> bucket : edges) {
        for (NearDuplicates.Edge e : bucket) {
          out.output(e);
        }
      }
    }
  }

  /** The clusters of all verified edges: the verdict on every record that has a near duplicate, by id. */
  static final class ClusterFn extends DoFn<KV<Integer, Iterable<NearDuplicates.Edge>>, KV<String, NearDuplicates.Assignment>> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<NearDuplicates.Edge>> edges, OutputReceiver<KV<String, NearDuplicates.Assignment>> out) {
      for (NearDuplicates.Assignment a : NearDuplicates.cluster(edges.getValue())) {
        out.output(KV.of(a.id(), a));
      }
    }
  }

  /** Keeps or drops every record of a shard by its cluster's verdict (none: its own cluster, kept). */
  static final class DecideFn extends DoFn<KV<Integer, Iterable<JoinById.Side<NearDuplicates.Assignment>>>, Candidate> {
    private final double threshold;

    DecideFn(double threshold) {
      this.threshold = threshold;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<JoinById.Side<NearDuplicates.Assignment>>> shard, MultiOutputReceiver out) {
      for (JoinById.Decided<NearDuplicates.Assignment> d : JoinById.match(shard.getValue())) {
        decide(d.record(), d.decisions().isEmpty() ? null : d.decisions().get(0), out);
      }
    }

    private void decide(Candidate c, NearDuplicates.Assignment a, MultiOutputReceiver out) {
      if (a == null || a.keep()) {
        String kept = a == null ? c.id() : a.keptId();
        out.get(KEPT).output(c.withFeatures(Map.of(CLUSTER, NearDuplicates.clusterNumber(kept))));
        return;
      }
      String filter = a.keptIsSeed() ? "near_copy_of_seed" : "near_duplicate";
      String reason = String.format(Locale.ROOT,
          "%s %s (cluster of %d kept as %s); Jaccard %.2f with %s",
          a.keptIsSeed() ? "nearly copies seed" : "near duplicate of",
          a.keptId(), a.clusterSize(), a.keptId(), a.jaccard(), a.neighbor());
      out.get(LEDGER).output(Ledger.count(Counter.REJECTED, "dedup/" + filter, c.label(), 1));
      out.get(REJECTIONS).output(Rejection.of(c, "dedup", filter, reason, a.jaccard(), threshold, a.keptId()));
    }
  }
}
