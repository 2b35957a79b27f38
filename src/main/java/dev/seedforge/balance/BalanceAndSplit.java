package dev.seedforge.balance;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.BundledGroupByKey;
import dev.seedforge.pipeline.JoinById;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.generate.RequestPlanner;
import dev.seedforge.dedup.MinHasher;
import dev.seedforge.quality.SentenceVectors;
import dev.seedforge.quality.Texts;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Caps every label at its quota ({@code targets.labels}, else {@code targets.per_label}, else the
 * smallest label's count) and splits each label into train and validation. Records over quota are
 * written to rejected.jsonl (stage balance), so nothing disappears without a reason.
 *
 * <p>Labels short of their quota are topped up by {@link dev.seedforge.pipeline.TopUp}, which reads
 * the shortfall this stage reports and runs the job again with more calls for those labels.
 */
public final class BalanceAndSplit extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<KV<String, Candidate>> ASSIGNED = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};

  /** Train records with their rank in the label's train shuffle: (label, (rank, candidate)). */
  public static final TupleTag<KV<String, KV<Integer, Candidate>>> TRAIN_RANKED = new TupleTag<>() {};

  private final PipelineSpec.Targets targets;
  private final PipelineSpec.Split split;
  private final long seed;
  private final SplitGroups.Settings groups;
  private final TaskType task;
  private final Set<String> seedBasedStrategies;
  private final int shards;

  /** Groups in which the records meet their decisions, unless {@link #withShards} says otherwise. */
  public static final int SHARDS = 16;

  /** Splits by near-duplicate cluster only; see {@link #withGroups} for split groups. */
  public BalanceAndSplit(PipelineSpec.Targets targets, PipelineSpec.Split split, long seed) {
    this(targets, split, seed, null, null, Set.of(), SHARDS);
  }

  private BalanceAndSplit(PipelineSpec.Targets targets, PipelineSpec.Split split, long seed,
      SplitGroups.Settings groups, TaskType task, Set<String> seedBasedStrategies, int shards) {
    this.targets = targets;
    this.split = split;
    this.seed = seed;
    this.groups = groups;
    this.task = task;
    this.seedBasedStrategies = Set.copyOf(seedBasedStrategies);
    this.shards = shards;
  }

  /**
   * The same stage with the records meeting their decisions in {@code shards} groups: the result
   * does not depend on it, only how many bundles and keys the runner tracks (on the DirectRunner,
   * one per worker thread is cheapest).
   */
  public BalanceAndSplit withShards(int shards) {
    return new BalanceAndSplit(targets, split, seed, groups, task, seedBasedStrategies, shards);
  }

  /**
   * The same stage splitting by {@link SplitGroups}: lineage (seed-based strategies are named by
   * {@code seedBasedStrategies}) and similarity of the records' {@code task} text.
   */
  public BalanceAndSplit withGroups(SplitGroups.Settings groups, TaskType task, Set<String> seedBasedStrategies) {
    return new BalanceAndSplit(targets, split, seed, groups, task, seedBasedStrategies, shards);
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    KvCoder<Ledger.Key, Long> ledgerCoder = Ledger.coder();
    // counted from (label, 1) pairs summed per bundle first, then in one group (the labels are
    // few), not Count.perKey over the records: a GroupByKey on the DirectRunner copies each key's
    // bag once per incoming bundle. Every label's quota goes to its label's group.
    KvCoder<String, Long> countCoder = KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    KvCoder<String, Part> partCoder = KvCoder.of(StringUtf8Coder.of(), new PartCoder());
    PCollection<KV<String, Part>> quotas =
        input
            .apply("OnePerRecord", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via((Candidate c) -> KV.of(RequestPlanner.labelKey(c.label()), 1L)))
            .setCoder(countCoder)
            .apply("SumPerBundle", ParDo.of(new Ledger.SumPerBundleFn<String>()))
            .setCoder(countCoder)
            .apply("OneGroup", WithKeys.<Integer, KV<String, Long>>of(0).withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), countCoder))
            .apply("AllCounts", BundledGroupByKey.create())
            .apply("Quotas", ParDo.of(new QuotaFn(targets)))
            .setCoder(partCoder);
    // The selection needs a whole label at once, but only what ranks a record (id, seed or not,
    // cluster, source seeds): those compact rows are grouped by label with the label's quota, and
    // the decisions meet the records by id (JoinById), the records' only shuffle. Neither waits
    // for a side input: the DirectRunner evaluates a ParDo's pushed-back bundles again and again.
    PCollection<KV<String, Part>> rows =
        input
            .apply("Rows", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Part.class)))
                .via((Candidate c) -> KV.of(RequestPlanner.labelKey(c.label()), Part.of(row(c)))))
            .setCoder(partCoder);
    PCollectionTuple decided =
        PCollectionList.of(rows).and(quotas).apply("RowsAndQuotas", Flatten.pCollections())
            .apply("GroupByLabel", BundledGroupByKey.create())
            .apply(
                "CapAndSplit",
                ParDo.of(new CapFn(split, seed, groups))
                    .withOutputTags(DECISIONS, TupleTagList.of(LEDGER)));
    decided.get(LEDGER).setCoder(ledgerCoder);
    PCollection<KV<String, String>> decisions = decided.get(DECISIONS).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    // the records wait for their decisions in a grouping by id, not in a side input's pushback
    PCollectionTuple out =
        JoinById.group("Join", input, decisions, StringUtf8Coder.of(), shards)
            .apply("Assign", ParDo.of(new AssignFn())
                .withOutputTags(ASSIGNED, TupleTagList.of(REJECTIONS).and(LEDGER).and(TRAIN_RANKED)));
    out.get(TRAIN_RANKED).setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarIntCoder.of(), JsonCoder.of(Candidate.class))));
    out.get(ASSIGNED).setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Candidate.class)));
    out.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    out.get(LEDGER).setCoder(ledgerCoder);
    PCollection<KV<Ledger.Key, Long>> ledger =
        PCollectionList.of(out.get(LEDGER)).and(decided.get(LEDGER)).apply("AllLedger", Flatten.pCollections());
    return PCollectionTuple.of(ASSIGNED, out.get(ASSIGNED))
        .and(REJECTIONS, out.get(REJECTIONS))
        .and(TRAIN_RANKED, out.get(TRAIN_RANKED))
        .and(LEDGER, ledger);
  }

  private Row row(Candidate c) {
    if (groups == null) {
      return Row.of(c, null, "");
    }
    return Row.of(c, SplitGroups.lineageOf(c, seedBasedStrategies), Texts.of(c, task));
  }

  /** The {@code --timings} entry of grouping and the closeness check, summed over labels. */
  static final String SPLIT_GROUPS_TIMING = "split groups";

  /** Per record id: its {@link Decision}. */
  private static final TupleTag<KV<String, String>> DECISIONS = new TupleTag<>() {};

  /**
   * What the selection and the split groups read of a record. {@code cluster} is null for a record
   * without one, {@code lineage} for one without a source seed; {@code text} is empty without groups.
   */
  public record Row(String id, String label, boolean seed, Double cluster, List<String> seedIds, String lineage, String text) {
    static Row of(Candidate c, String lineage, String text) {
      return new Row(c.id(), c.label(), Balancer.isSeed(c), c.features().get(Balancer.CLUSTER_FEATURE), c.provenance().seedIds(), lineage, text);
    }

    /** A candidate with just these parts, for {@link Balancer}. */
    Candidate asCandidate() {
      return new Candidate(id, label, Map.of(),
          new Candidate.Provenance(seedIds, null, null, seed ? dev.seedforge.dedup.ExactDedup.SEED_GENERATOR : "generated", null, null, 0),
          cluster == null ? Map.of() : Map.of(Balancer.CLUSTER_FEATURE, cluster));
    }
  }

  /** A binary coder for rows: the DirectRunner copies a GroupByKey's bags through it. */
  static final class RowCoder extends org.apache.beam.sdk.coders.AtomicCoder<Row> {
    private static final org.apache.beam.sdk.coders.Coder<String> STRING = StringUtf8Coder.of();
    private static final org.apache.beam.sdk.coders.Coder<String> NULLABLE = org.apache.beam.sdk.coders.NullableCoder.of(StringUtf8Coder.of());
    private static final org.apache.beam.sdk.coders.Coder<Double> CLUSTER = org.apache.beam.sdk.coders.NullableCoder.of(org.apache.beam.sdk.coders.DoubleCoder.of());

    @Override
    public void encode(Row r, java.io.OutputStream out) throws java.io.IOException {
      STRING.encode(r.id(), out);
      NULLABLE.encode(r.label(), out);
      out.write(r.seed() ? 1 : 0);
      CLUSTER.encode(r.cluster(), out);
      VarIntCoder.of().encode(r.seedIds().size(), out);
      for (String s : r.seedIds()) {
        STRING.encode(s, out);
      }
      NULLABLE.encode(r.lineage(), out);
      STRING.encode(r.text(), out);
    }

    @Override
    public Row decode(java.io.InputStream in) throws java.io.IOException {
      String id = STRING.decode(in);
      String label = NULLABLE.decode(in);
      boolean seed = in.read() == 1;
      Double cluster = CLUSTER.decode(in);
      int n = VarIntCoder.of().decode(in);
      List<String> seedIds = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        seedIds.add(STRING.decode(in));
      }
      String lineage = NULLABLE.decode(in);
      String text = STRING.decode(in);
      return new Row(id, label, seed, cluster, seedIds, lineage, text);
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** The quota of one label given every label's count. */
  public static int quota(String label, PipelineSpec.Targets targets, Map<String, Long> counts) {
    int wanted = targets.wanted(label);
    if (wanted > 0 || !targets.proportions().isEmpty()) {
      return wanted;
    }
    return quota(label, 0, Map.of(), counts);
  }

  /** The quota of one label given every label's count. */
  public static int quota(String label, int perLabel, Map<String, Integer> labelTargets, Map<String, Long> counts) {
    Integer explicit = labelTargets.get(label);
    if (explicit != null && explicit > 0) {
      return explicit;
    }
    if (perLabel > 0) {
      return perLabel;
    }
    long min = counts.values().stream().filter(c -> c > 0).mapToLong(Long::longValue).min().orElse(0);
    return (int) Math.min(Integer.MAX_VALUE, min);
  }

  /**
   * A value of a label's group: a record's {@link Row}, or (row null) the label's count and quota,
   * one per label.
   */
  public record Part(Row row, long count, int quota) {
    static Part of(Row row) {
      return new Part(row, 0, 0);
    }

    static Part quota(long count, int quota) {
      return new Part(null, count, quota);
    }
  }

  /** A tag byte, then the row, or the count and the quota. */
  static final class PartCoder extends org.apache.beam.sdk.coders.AtomicCoder<Part> {
    private static final RowCoder ROW = new RowCoder();

    @Override
    public void encode(Part p, java.io.OutputStream out) throws java.io.IOException {
      if (p.row() != null) {
        out.write(0);
        ROW.encode(p.row(), out);
      } else {
        out.write(1);
        VarLongCoder.of().encode(p.count(), out);
        VarIntCoder.of().encode(p.quota(), out);
      }
    }

    @Override
    public Part decode(java.io.InputStream in) throws java.io.IOException {
      int tag = in.read();
      if (tag == 0) {
        return Part.of(ROW.decode(in));
      }
      if (tag != 1) {
        throw new org.apache.beam.sdk.coders.CoderException("not a balance part: tag " + tag);
      }
      long count = VarLongCoder.of().decode(in);
      return Part.quota(count, VarIntCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * Every label's count and quota, from the per-bundle counts of all labels: the quota may depend
   * on every label's count (the smallest one), so they are summed in one group.
   */
  static Map<String, Part> quotas(Iterable<KV<String, Long>> partialCounts, PipelineSpec.Targets targets) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    partialCounts.forEach(kv -> counts.merge(kv.getKey(), kv.getValue(), Long::sum));
    Map<String, Part> out = new java.util.TreeMap<>();
    counts.forEach((label, n) -> out.put(label, Part.quota(n, quota(label, targets, counts))));
    return out;
  }

  static final class QuotaFn extends DoFn<KV<Integer, Iterable<KV<String, Long>>>, KV<String, Part>> {
    private final PipelineSpec.Targets targets;

    QuotaFn(PipelineSpec.Targets targets) {
      this.targets = targets;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<String, Long>>> all, OutputReceiver<KV<String, Part>> out) {
      quotas(all.getValue(), targets).forEach((label, q) -> out.output(KV.of(label, q)));
    }
  }

  static final class CapFn extends DoFn<KV<String, Iterable<Part>>, KV<String, String>> {
    private final PipelineSpec.Split split;
    private final long seed;
    private final SplitGroups.Settings groups;
    private transient MinHasher hasher;

    CapFn(PipelineSpec.Split split, long seed, SplitGroups.Settings groups) {
      this.split = split;
      this.seed = seed;
      this.groups = groups;
    }

    @Setup
    public void setup() {
      hasher = groups == null ? null : groups.hasher();
    }

    @ProcessElement
    public void process(ProcessContext ctx) {
      String label = ctx.element().getKey();
      List<Candidate> all = new ArrayList<>();
      Map<String, Row> rows = new HashMap<>();
      Part quota = null;
      for (Part part : ctx.element().getValue()) {
        if (part.row() == null) {
          quota = part;
          continue;
        }
        all.add(part.row().asCandidate());
        rows.put(part.row().id(), part.row());
      }
      if (quota == null) {
        throw new IllegalStateException("no quota for label " + label);
      }
      int cap = quota.quota();
      String labelOrNull = label.isEmpty() ? null : label;
      Balancer.Result r;
      if (groups == null) {
        r = Balancer.assign(all, cap, split, seed);
      } else {
        Map<String, SplitGroups.Member> members = new HashMap<>();
        SplitGroups.Result[] grouped = new SplitGroups.Result[1];
        r = Balancer.assign(all, cap, split, seed, kept -> dev.seedforge.util.Timings.time(SPLIT_GROUPS_TIMING, () -> {
          List<SplitGroups.Member> m = members(kept, rows);
          m.forEach(x -> members.put(x.id(), x));
          grouped[0] = SplitGroups.of(m, groups, hasher);
          return grouped[0].groupOf();
        }));
        Balancer.Result result = r;
        dev.seedforge.util.Timings.time(SPLIT_GROUPS_TIMING, () -> {
          report(result, members, grouped[0], labelOrNull, ctx);
          return null;
        });
      }
      Set<String> keptIds = new HashSet<>();
      for (Balancer.Assigned a : r.kept()) {
        String split = a.split().name().toLowerCase(java.util.Locale.ROOT);
        keptIds.add(a.candidate().id());
        ctx.output(KV.of(a.candidate().id(), Decision.kept(split, a.trainRank())));
        ctx.output(LEDGER, Ledger.count(Counter.FINAL, split, labelOrNull, 1));
      }
      String overQuota = Decision.overQuota(quota.count(), cap);
      for (String id : rows.keySet()) {
        if (!keptIds.contains(id)) {
          ctx.output(KV.of(id, overQuota));
        }
      }
      ctx.output(LEDGER, Ledger.count(Counter.BALANCE_AVAILABLE, labelOrNull, all.size()));
      ctx.output(LEDGER, Ledger.count(Counter.BALANCE_QUOTA, labelOrNull, cap));
    }

    private List<SplitGroups.Member> members(List<Candidate> kept, Map<String, Row> rows) {
      List<String> texts = kept.stream().map(c -> rows.get(c.id()).text()).toList();
      List<float[]> vectors = groups.usesCosine() ? SentenceVectors.embedAll(groups.embeddingModel(), texts) : null;
      List<SplitGroups.Member> out = new ArrayList<>(kept.size());
      for (int i = 0; i < kept.size(); i++) {
        Row row = rows.get(kept.get(i).id());
        out.add(new SplitGroups.Member(row.id(), Balancer.clusterOf(kept.get(i)), row.lineage(), hasher.shingles(row.text()), vectors == null ? null : vectors.get(i)));
      }
      return out;
    }

    /** The label's groups, and how close each evaluation split comes to train, checked on every pair. */
    private void report(Balancer.Result r, Map<String, SplitGroups.Member> members, SplitGroups.Result grouped, String label, ProcessContext ctx) {
      Map<Balancer.Split, List<SplitGroups.Member>> bySplit = new EnumMap<>(Balancer.Split.class);
      Map<Balancer.Split, Set<String>> groupsBySplit = new EnumMap<>(Balancer.Split.class);
      for (Balancer.Assigned a : r.kept()) {
        SplitGroups.Member m = members.get(a.candidate().id());
        bySplit.computeIfAbsent(a.split(), k -> new ArrayList<>()).add(m);
        groupsBySplit.computeIfAbsent(a.split(), k -> new HashSet<>()).add(grouped.groupOf().get(m.id()));
      }
      if (r.kept().isEmpty()) {
        return;
      }
      ctx.output(LEDGER, Ledger.count(Counter.SPLIT_GROUPS, "groups", label, grouped.groups()));
      ctx.output(LEDGER, Ledger.count(Counter.SPLIT_GROUPS, "largest", label, grouped.largest()));
      ctx.output(LEDGER, Ledger.count(Counter.SPLIT_GROUPS, "links/lineage", label, grouped.lineageLinks()));
      ctx.output(LEDGER, Ledger.count(Counter.SPLIT_GROUPS, "links/jaccard", label, grouped.jaccardLinks()));
      ctx.output(LEDGER, Ledger.count(Counter.SPLIT_GROUPS, "links/cosine", label, grouped.cosineLinks()));
      groupsBySplit.forEach((s, g) -> ctx.output(LEDGER, Ledger.count(Counter.SPLIT_GROUPS, "groups/" + name(s), label, g.size())));
      List<SplitGroups.Member> train = bySplit.getOrDefault(Balancer.Split.TRAIN, List.of());
      for (Balancer.Split s : List.of(Balancer.Split.VALIDATION, Balancer.Split.TEST)) {
        List<SplitGroups.Member> evaluation = bySplit.get(s);
        if (evaluation == null || train.isEmpty()) {
          continue;
        }
        SplitGroups.Closeness c = SplitGroups.closeness(evaluation, train, groups.jaccard(), groups.usesCosine() ? groups.cosine() : 0);
        ctx.output(LEDGER, Ledger.count(Counter.SPLIT_CLOSEST, name(s) + "/jaccard", label, Math.round(c.jaccard() * 1e6)));
        ctx.output(LEDGER, Ledger.count(Counter.SPLIT_VARIANTS, name(s) + "/jaccard", label, c.overJaccard()));
        if (!Double.isNaN(c.cosine())) {
          ctx.output(LEDGER, Ledger.count(Counter.SPLIT_CLOSEST, name(s) + "/cosine", label, Math.round(c.cosine() * 1e6)));
          ctx.output(LEDGER, Ledger.count(Counter.SPLIT_VARIANTS, name(s) + "/cosine", label, c.overCosine()));
        }
      }
    }

    private static String name(Balancer.Split s) {
      return s.name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * What the selection decided of a record, as the text that carries it to the record: kept
   * ({@code split \t trainRank}, the rank -1 outside train) or over its label's quota
   * ({@code \t count \t quota}: an empty split, the label's count and its quota).
   */
  record Decision(String split, int trainRank, long count, int quota) {
    static String kept(String split, int trainRank) {
      return split + "\t" + trainRank;
    }

    static String overQuota(long count, int quota) {
      return "\t" + count + "\t" + quota;
    }

    static Decision parse(String d) {
      String[] p = d.split("\t", -1);
      return p[0].isEmpty() ? new Decision(null, -1, Long.parseLong(p[1]), Integer.parseInt(p[2])) : new Decision(p[0], Integer.parseInt(p[1]), 0, 0);
    }

    boolean kept() {
      return split != null;
    }
  }

  /** Every record of a shard to its split, or to rejected.jsonl when its label had its quota. */
  static final class AssignFn extends DoFn<KV<Integer, Iterable<JoinById.Side<String>>>, KV<String, Candidate>> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<JoinById.Side<String>>> shard, MultiOutputReceiver out) {
      for (JoinById.Decided<String> r : JoinById.match(shard.getValue())) {
        Candidate c = r.record();
        if (r.decisions().isEmpty()) {
          throw new IllegalStateException("no balance decision for record " + c.id());
        }
        assign(c, Decision.parse(r.decisions().get(0)), out);
      }
    }

    private static void assign(Candidate c, Decision d, MultiOutputReceiver out) {
      String label = RequestPlanner.labelKey(c.label());
      if (d.kept()) {
        out.get(ASSIGNED).output(KV.of(d.split(), c));
        if (d.trainRank() >= 0) {
          out.get(TRAIN_RANKED).output(KV.of(label, KV.of(d.trainRank(), c)));
        }
        return;
      }
      String labelOrNull = label.isEmpty() ? null : label;
      out.get(LEDGER).output(Ledger.count(Counter.REJECTED, "balance/label_quota", labelOrNull, 1));
      out.get(REJECTIONS).output(
          Rejection.of(c, "balance", "label_quota", "label " + (labelOrNull == null ? "(none)" : labelOrNull) + " already has its quota of " + d.quota(),
              (double) d.count(), (double) d.quota(), null));
    }
  }
}
