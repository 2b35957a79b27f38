package dev.seedforge.dedup;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.BundledGroupByKey;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.pipeline.PerWindow;
import dev.seedforge.pipeline.Counter;
import dev.seedforge.pipeline.Ledger;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Hashes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Exact duplicates after normalisation. One record per group is kept: a seed when the group has
 * one (a generated copy of a seed is rejected as copy_of_seed), otherwise the smallest id, so the
 * choice is the same on every run and runner. Each dropped record names the one kept.
 *
 * <p>As a Beam stage it is a broadcast join, so the records themselves never go through a shuffle:
 *
 * <ol>
 *   <li>every record sends a compact entry (normalised-text key, id, seed or not) to one of
 *       {@link #SHARDS} groups (or {@link #withShards}), where the duplicate groups are found in memory;
 *   <li>the decisions (only the records to drop, and the ids that occur more than once) become a
 *       side input;
 *   <li>every record is kept or rejected by a plain ParDo with that side input; several copies of
 *       the same id (the same input line twice) meet in a small GroupByKey that keeps one.
 * </ol>
 *
 * Keeping the records out of a GroupByKey matters on the DirectRunner: a GroupByKey hands its
 * output on in one bundle per key, and every later GroupByKey copies each key's growing bag once
 * per incoming bundle, so a many-key shuffle early in the job made every later one quadratic.
 */
public final class ExactDedup extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};
  public static final String SEED_GENERATOR = "seed";

  private static final TupleTag<KV<Integer, Candidate>> COPIES = new TupleTag<>() {};

  /** A decision for an id that occurs several times and is kept: one copy stays. */
  static final String ONE_COPY = "one_copy";

  /** Groups of the compact entries: few, because their count is the next stage's bundle count on the DirectRunner. */
  public static final int SHARDS = 16;

  private final TaskType task;
  private final int shards;

  public ExactDedup(TaskType task) {
    this(task, SHARDS);
  }

  private ExactDedup(TaskType task, int shards) {
    this.task = task;
    this.shards = shards;
  }

  /**
   * The same stage with the compact entries in {@code shards} groups: the result does not depend on
   * it, only how many bundles and keys the runner tracks (on the DirectRunner, a few per worker
   * thread are cheapest).
   */
  public ExactDedup withShards(int shards) {
    return new ExactDedup(task, shards);
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> input) {
    KvCoder<Ledger.Key, Long> ledgerCoder = Ledger.coder();
    KvCoder<Integer, KV<String, String>> entryCoder = KvCoder.of(VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    KvCoder<String, String> decisionCoder = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    PCollection<KV<String, String>> duplicates =
        input
            .apply("Entries", ParDo.of(new EntryFn(task, shards)))
            .setCoder(entryCoder)
            .apply("GroupShards", BundledGroupByKey.create())
            .apply("FindDuplicates", ParDo.of(new DecideFn()))
            .setCoder(decisionCoder);
    PCollection<KV<String, String>> conflicts =
        input
            .apply("InputEntries", ParDo.of(new InputEntryFn(task, shards)))
            .setCoder(entryCoder)
            .apply("GroupInputShards", BundledGroupByKey.create())
            .apply("FindConflicts", ParDo.of(new ConflictFn(task)))
            .setCoder(decisionCoder);
    // an id can have a duplicate decision and a conflict decision: the side input holds both
    PCollectionView<Map<String, Iterable<String>>> decisions =
        PCollectionList.of(duplicates).and(conflicts).apply("AllDecisions", Flatten.pCollections())
            .apply("DecisionsView", View.asMultimap());
    PCollectionTuple applied =
        input.apply("KeepOrDrop", ParDo.of(new ApplyFn(decisions, shards)).withSideInputs(decisions)
            .withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(LEDGER).and(COPIES)));
    applied.get(KEPT).setCoder(JsonCoder.of(Candidate.class));
    applied.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    applied.get(LEDGER).setCoder(ledgerCoder);
    PCollectionTuple copies =
        applied.get(COPIES).setCoder(KvCoder.of(VarIntCoder.of(), JsonCoder.of(Candidate.class)))
            .apply("GroupCopies", BundledGroupByKey.create())
            .apply("KeepOneCopy", ParDo.of(new OneCopyFn()).withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(LEDGER)));
    copies.get(KEPT).setCoder(JsonCoder.of(Candidate.class));
    copies.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    copies.get(LEDGER).setCoder(ledgerCoder);
    return PCollectionTuple.of(KEPT, PCollectionList.of(applied.get(KEPT)).and(copies.get(KEPT)).apply("AllKept", Flatten.pCollections()))
        .and(REJECTIONS, PCollectionList.of(applied.get(REJECTIONS)).and(copies.get(REJECTIONS)).apply("AllRejections", Flatten.pCollections()))
        .and(LEDGER, PCollectionList.of(applied.get(LEDGER)).and(copies.get(LEDGER)).apply("AllLedger", Flatten.pCollections()));
  }

  public static boolean isSeed(Candidate c) {
    return SEED_GENERATOR.equals(c.provenance().generator());
  }

  /** One record in a duplicate group: its id and whether it is a seed. */
  record Entry(String id, boolean seed) {
    static Entry parse(String s) {
      return new Entry(s.substring(1), s.charAt(0) == 'S');
    }

    String encode() {
      return (seed ? "S" : "G") + id;
    }
  }

  /**
   * The decisions for one group of records whose texts normalise alike, as id → decision: every
   * id but the preferred one is dropped ({@code filter \t kept id}), and an id that occurs several
   * times gets {@link #ONE_COPY} when it is the one kept. Groups of one distinct id with one copy
   * need no decision.
   */
  static Map<String, String> decide(List<Entry> group) {
    Map<String, Integer> copies = new TreeMap<>();
    Map<String, Boolean> seed = new HashMap<>();
    for (Entry e : group) {
      copies.merge(e.id(), 1, Integer::sum);
      seed.merge(e.id(), e.seed(), Boolean::logicalOr);
    }
    List<String> ids = new ArrayList<>(copies.keySet());
    ids.sort(Comparator.comparing((String id) -> !seed.get(id)).thenComparing(id -> id));
    String kept = ids.get(0);
    boolean seedKept = seed.get(kept);
    Map<String, String> out = new HashMap<>();
    if (copies.get(kept) > 1) {
      out.put(kept, ONE_COPY);
    }
    for (String id : ids.subList(1, ids.size())) {
      String filter = seed.get(id) ? "duplicate_seed" : seedKept ? "copy_of_seed" : "exact_duplicate";
      out.put(id, filter + "\t" + kept);
    }
    return out;
  }

  /** Conversations are deduplicated on their first user turn too: of those that open alike one stays, a seed when there is one. */
  static final String SAME_FIRST_TURN = "same_first_turn";

  static Map<String, String> sameFirstTurn(List<String[]> group) {
    List<Entry> entries = group.stream().map(e -> Entry.parse(e[0])).toList();
    Map<String, String> out = new HashMap<>();
    String kept = entries.stream().sorted(Comparator.comparing((Entry e) -> !e.seed()).thenComparing(Entry::id)).findFirst().orElseThrow().id();
    for (Entry e : entries) {
      if (!e.id().equals(kept) && !e.seed()) {
        out.put(e.id(), SAME_FIRST_TURN + "\t" + kept);
      }
    }
    return out;
  }

  /**
   * Between a conversation's two dedup decisions: dropping it outranks keeping one copy, and an
   * exact duplicate (naming the copy or the seed) outranks an alike opening.
   */
  static boolean outranks(String x, String d) {
    return (d.equals(ONE_COPY) && x.startsWith(SAME_FIRST_TURN)) || (d.startsWith(SAME_FIRST_TURN) && !x.equals(ONE_COPY));
  }

  static Rejection reject(Candidate c, String filter, String kept) {
    String reason = switch (filter) {
      case SAME_FIRST_TURN -> "opens with the same user turn as " + kept + " after normalisation";
      case "conflicting_label", "conflicting_output" -> (filter.equals("conflicting_label") ? "the same text has another label in " : "the same instruction and input have another output in ") + kept + " and no seed says which is right";
      case "conflicts_with_seed" -> "seed " + kept + " has the same " + (c.fields().containsKey("instruction") ? "instruction and input with another output" : "text with another label");
      case "duplicate_seed" -> "the same text as seed " + kept + " after normalisation";
      case "copy_of_seed" -> "copies seed " + kept + " (same text after normalisation)";
      default -> kept.equals(c.id()) ? "another copy of the same record (" + kept + ") is kept" : "the same text as " + kept + " after normalisation";
    };
    return Rejection.of(c, "dedup", filter, reason, 1.0, 1.0, kept);
  }

  static final String CONFLICT_PREFIX = "conflict";

  /**
   * The input part of a record (classification: the text; instructions: instruction and input)
   * and its answer (the label; the output), normalised.
   */
  static String inputKey(Candidate c, TaskType task) {
    return switch (task) {
      case CLASSIFICATION -> TextNormalizer.normalize(c.field("text"));
      case INSTRUCTION -> TextNormalizer.normalize(c.field("instruction")) + "\u0001" + TextNormalizer.normalize(c.field("input"));
      case CONVERSATION -> TextNormalizer.normalize(dev.seedforge.seed.Conversation.firstUserTurn(dev.seedforge.seed.Conversation.turns(c.fields())));
      case PREFERENCE -> TextNormalizer.normalize(c.field("prompt"));
    };
  }

  static String answer(Candidate c, TaskType task) {
    return switch (task) {
      case CLASSIFICATION -> c.label() == null ? "" : c.label();
      case INSTRUCTION -> TextNormalizer.normalize(c.field("output"));
      // conversations that open alike are duplicates whatever follows (see sameFirstTurn)
      case CONVERSATION -> "";
      // prompts are deduplicated before their answers exist: one prompt, one pair
      case PREFERENCE -> "";
    };
  }

  /** One record in an input group: seed flag, id, and its answer after a tab. */
  static final class InputEntryFn extends DoFn<Candidate, KV<Integer, KV<String, String>>> {
    private final TaskType task;
    private final int shards;

    InputEntryFn(TaskType task, int shards) {
      this.task = task;
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element Candidate c, OutputReceiver<KV<Integer, KV<String, String>>> out) {
      String key = Hashes.id("input", inputKey(c, task));
      out.output(KV.of(Math.floorMod(key.hashCode(), shards), KV.of(key, new Entry(c.id(), isSeed(c)).encode() + "\t" + answer(c, task))));
    }
  }

  /**
   * Self-Instruct's rule, "the same input with different outputs": when records share their input
   * but not their answer, a seed decides (generated records that disagree with every seed are
   * rejected as {@code conflicts_with_seed}); without a seed no answer can be trusted and every
   * record of the group is rejected ({@code conflicting_label} / {@code conflicting_output}).
   * Seeds are never rejected here.
   */
  static Map<String, String> conflicts(List<String[]> group, TaskType task) {
    if (task == TaskType.CONVERSATION) {
      return sameFirstTurn(group);
    }
    java.util.Set<String> answers = new java.util.TreeSet<>();
    java.util.Map<String, String> seedAnswer = new TreeMap<>();
    for (String[] e : group) {
      answers.add(e[1]);
      Entry entry = Entry.parse(e[0]);
      if (entry.seed()) {
        seedAnswer.putIfAbsent(e[1], entry.id());
      }
    }
    Map<String, String> out = new HashMap<>();
    if (answers.size() < 2) {
      return out;
    }
    String filter = task == TaskType.CLASSIFICATION ? "conflicting_label" : "conflicting_output";
    for (String[] e : group) {
      Entry entry = Entry.parse(e[0]);
      if (entry.seed() || seedAnswer.containsKey(e[1])) {
        continue;
      }
      if (!seedAnswer.isEmpty()) {
        out.put(entry.id(), "conflicts_with_seed\t" + seedAnswer.values().iterator().next());
      } else {
        // the related record: the smallest id with another answer
        String other = group.stream().filter(o -> !o[1].equals(e[1])).map(o -> Entry.parse(o[0]).id()).sorted().findFirst().orElseThrow();
        out.put(entry.id(), filter + "\t" + other);
      }
    }
    return out;
  }

  static final class ConflictFn extends DoFn<KV<Integer, Iterable<KV<String, String>>>, KV<String, String>> {
    private final TaskType task;

    ConflictFn(TaskType task) {
      this.task = task;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<String, String>>> shard, OutputReceiver<KV<String, String>> out) {
      decideGroups(shard.getValue(), v -> v.split("\t", 2), group -> conflicts(group, task), out);
    }
  }

  /**
   * Regroups a shard's (group key, entry) pairs in memory and outputs the decisions of every group
   * of two or more entries.
   */
  static <E> void decideGroups(
      Iterable<KV<String, String>> shard,
      java.util.function.Function<String, E> parse,
      java.util.function.Function<List<E>, Map<String, String>> decide,
      DoFn.OutputReceiver<KV<String, String>> out) {
    Map<String, List<E>> groups = new HashMap<>();
    for (KV<String, String> kv : shard) {
      groups.computeIfAbsent(kv.getKey(), k -> new ArrayList<>(1)).add(parse.apply(kv.getValue()));
    }
    for (List<E> group : groups.values()) {
      if (group.size() > 1) {
        decide.apply(group).forEach((id, d) -> out.output(KV.of(id, d)));
      }
    }
  }

  static final class EntryFn extends DoFn<Candidate, KV<Integer, KV<String, String>>> {
    private final TaskType task;
    private final int shards;

    EntryFn(TaskType task, int shards) {
      this.task = task;
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element Candidate c, OutputReceiver<KV<Integer, KV<String, String>>> out) {
      // a conversation is the same conversation whatever persona or scenario it was drawn with
      String key = TextNormalizer.key(task == TaskType.CONVERSATION
          ? Map.of(dev.seedforge.seed.Conversation.MESSAGES, c.field(dev.seedforge.seed.Conversation.MESSAGES)) : c.fields());
      out.output(KV.of(Math.floorMod(key.hashCode(), shards), KV.of(key, new Entry(c.id(), isSeed(c)).encode())));
    }
  }

  static final class DecideFn extends DoFn<KV<Integer, Iterable<KV<String, String>>>, KV<String, String>> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<String, String>>> shard, OutputReceiver<KV<String, String>> out) {
      decideGroups(shard.getValue(), Entry::parse, ExactDedup::decide, out);
    }
  }

  static final class ApplyFn extends DoFn<Candidate, Candidate> {
    private final PCollectionView<Map<String, Iterable<String>>> decisions;
    private transient PerWindow<Map<String, Iterable<String>>> decided;

    private final int shards;

    ApplyFn(PCollectionView<Map<String, Iterable<String>>> decisions, int shards) {
      this.decisions = decisions;
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element Candidate c, ProcessContext ctx, BoundedWindow window, MultiOutputReceiver out) {
      if (decided == null) {
        decided = new PerWindow<>();
      }
      String d = null;
      Iterable<String> all = decided.get(window, () -> ctx.sideInput(decisions)).get(c.id());
      if (all != null) {
        for (String x : all) {
          // a conflict outranks a duplicate decision: the record goes whatever its copies do
          if (d == null || x.startsWith(CONFLICT_PREFIX) || outranks(x, d)) {
            d = x;
          }
        }
      }
      if (d == null) {
        out.get(KEPT).output(c);
      } else if (d.equals(ONE_COPY)) {
        // sharded, not keyed by id: a GroupByKey's output travels on in one bundle per key
        out.get(COPIES).output(KV.of(Math.floorMod(c.id().hashCode(), shards), c));
      } else {
        int tab = d.indexOf('\t');
        String filter = d.substring(0, tab);
        out.get(LEDGER).output(Ledger.count(Counter.REJECTED, "dedup/" + filter, c.label(), 1));
        out.get(REJECTIONS).output(reject(c, filter, d.substring(tab + 1)));
      }
    }
  }

  /** Several copies of one kept id: the first stays, the others are duplicates of it. */
  static final class OneCopyFn extends DoFn<KV<Integer, Iterable<Candidate>>, Candidate> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Candidate>> shard, MultiOutputReceiver out) {
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (Candidate c : shard.getValue()) {
        if (seen.add(c.id())) {
          out.get(KEPT).output(c);
          continue;
        }
        String filter = isSeed(c) ? "duplicate_seed" : "exact_duplicate";
        out.get(LEDGER).output(Ledger.count(Counter.REJECTED, "dedup/" + filter, c.label(), 1));
        out.get(REJECTIONS).output(reject(c, filter, c.id()));
      }
    }
  }
}
