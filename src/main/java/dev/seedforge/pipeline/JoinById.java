package dev.seedforge.pipeline;

import dev.seedforge.generate.Candidate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Records held back until the decisions about them exist: the records and the (id, decision)
 * pairs meet in one {@link BundledGroupByKey}, keyed by a shard of the id, so each shard holds its
 * records together with every decision about them, and a stage decides them in one pass with
 * {@link #match}.
 *
 * <p>This replaces a side input of decisions read by a ParDo over the records. On the DirectRunner
 * such a ParDo's bundles arrive long before the side input is ready (it needs every record first);
 * each is pushed back and evaluated again, over and over, until it is, and every evaluation
 * translates the ParDo to its proto again. A grouping releases the records once, when every input
 * of it is complete, and works alike on every runner.
 */
public final class JoinById {
  private JoinById() {}

  /**
   * The records and decisions grouped by shard of the id ({@code shards} groups, at least one).
   * Decisions about ids without a record are carried along and left out by {@link #match}.
   */
  public static <D> PCollection<KV<Integer, Iterable<Side<D>>>> group(
      String name, PCollection<Candidate> records, PCollection<KV<String, D>> decisions, Coder<D> decisionCoder, int shards) {
    int n = Math.max(1, shards);
    KvCoder<Integer, Side<D>> coder = KvCoder.of(VarIntCoder.of(), new SideCoder<>(JsonCoder.of(Candidate.class), decisionCoder));
    PCollection<KV<Integer, Side<D>>> r = records.apply(name + "Records", ParDo.of(new RecordSideFn<D>(n))).setCoder(coder);
    PCollection<KV<Integer, Side<D>>> d = decisions.apply(name + "Decisions", ParDo.of(new DecisionSideFn<D>(n))).setCoder(coder);
    return PCollectionList.of(r).and(d)
        .apply(name + "Both", Flatten.pCollections())
        .apply(name + "ByShard", BundledGroupByKey.create());
  }

  /** The shard of an id: the same for a record and the decisions about it. */
  public static int shardOf(String id, int shards) {
    return Math.floorMod(id.hashCode(), shards);
  }

  /**
   * A shard's records, each with the decisions about its id in the order the shard held them
   * (empty when there are none); records in the order the shard held them.
   */
  public static <D> List<Decided<D>> match(Iterable<Side<D>> shard) {
    List<Candidate> records = new ArrayList<>();
    Map<String, List<D>> decisions = new HashMap<>();
    for (Side<D> s : shard) {
      if (s.record() != null) {
        records.add(s.record());
      } else {
        decisions.computeIfAbsent(s.id(), k -> new ArrayList<>(1)).add(s.decision());
      }
    }
    List<Decided<D>> out = new ArrayList<>(records.size());
    for (Candidate c : records) {
      out.add(new Decided<>(c, decisions.getOrDefault(c.id(), List.of())));
    }
    return out;
  }

  /** A record and the decisions about it. */
  public record Decided<D>(Candidate record, List<D> decisions) {}

  /** One value of a shard: a record, or a decision about the record with an id. */
  public static final class Side<D> {
    private final Candidate record;
    private final String id;
    private final D decision;

    private Side(Candidate record, String id, D decision) {
      this.record = record;
      this.id = id;
      this.decision = decision;
    }

    public static <D> Side<D> record(Candidate c) {
      return new Side<>(Objects.requireNonNull(c), c.id(), null);
    }

    public static <D> Side<D> decision(String id, D decision) {
      return new Side<>(null, Objects.requireNonNull(id), decision);
    }

    /** The record, or null for a decision. */
    public Candidate record() {
      return record;
    }

    public String id() {
      return id;
    }

    public D decision() {
      return decision;
    }
  }

  static final class RecordSideFn<D> extends DoFn<Candidate, KV<Integer, Side<D>>> {
    private final int shards;

    RecordSideFn(int shards) {
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element Candidate c, OutputReceiver<KV<Integer, Side<D>>> out) {
      out.output(KV.of(shardOf(c.id(), shards), Side.record(c)));
    }
  }

  static final class DecisionSideFn<D> extends DoFn<KV<String, D>, KV<Integer, Side<D>>> {
    private final int shards;

    DecisionSideFn(int shards) {
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element KV<String, D> kv, OutputReceiver<KV<Integer, Side<D>>> out) {
      out.output(KV.of(shardOf(kv.getKey(), shards), Side.decision(kv.getKey(), kv.getValue())));
    }
  }

  /** A tag byte, then the record, or the id and the decision. */
  static final class SideCoder<D> extends CustomCoder<Side<D>> {
    private final Coder<Candidate> recordCoder;
    private final Coder<D> decisionCoder;

    SideCoder(Coder<Candidate> recordCoder, Coder<D> decisionCoder) {
      this.recordCoder = recordCoder;
      this.decisionCoder = decisionCoder;
    }

    @Override
    public void encode(Side<D> s, OutputStream out) throws IOException {
      if (s.record() != null) {
        out.write(0);
        recordCoder.encode(s.record(), out);
      } else {
        out.write(1);
        StringUtf8Coder.of().encode(s.id(), out);
        decisionCoder.encode(s.decision(), out);
      }
    }

    @Override
    public Side<D> decode(InputStream in) throws IOException {
      int tag = in.read();
      if (tag == 0) {
        return Side.record(recordCoder.decode(in));
      }
      if (tag != 1) {
        throw new org.apache.beam.sdk.coders.CoderException("not a JoinById value: tag " + tag);
      }
      String id = StringUtf8Coder.of().decode(in);
      return Side.decision(id, decisionCoder.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(recordCoder, decisionCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      recordCoder.verifyDeterministic();
      decisionCoder.verifyDeterministic();
    }
  }
}
