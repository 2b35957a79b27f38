package dev.seedforge.dedup;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.pipeline.BundledGroupByKey;
import dev.seedforge.pipeline.JoinById;
import dev.seedforge.pipeline.JsonCoder;
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
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Exact duplicates after normalisation. One record per group is kept: a seed when the group has
 * one (a generated copy of a seed is rejected as copy_of_seed), otherwise the smallest id, so the
 * choice is the same on every run and runner. Each dropped record names the one kept.
 *
 * <p>As a Beam stage, the records themselves go through one shuffle only, to meet the decisions:
 *
 * <ol>
 *   <li>every record sends a compact entry (normalised-text key, id, seed or not) to one of
 *       {@link #SHARDS} groups (or {@link #withShards}), where the duplicate groups are found in memory;
 *   <li>the decisions (only the records to drop, and the ids that occur more than once) meet the
 *       records by id ({@link JoinById}), where every record is kept or rejected; the copies of an
 *       id (the same input line twice) are in one shard, where one stays.
 * </ol>
 *
 * The records wait in that grouping, not in a side input's pushback: on the DirectRunner a ParDo
 * over the records with the decisions as a side input evaluated its bundles again and again until
 * the decisions were ready. The records' shuffle is bundled ({@link BundledGroupByKey}): every
 * later GroupByKey copies each key's bag once per incoming bundle, so few keys and one value per
 * bundle keep it linear.
 */
public final class ExactDedup extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<Candidate> KEPT = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};
  public static final String SEED_GENERATOR = "seed";

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
    // an id can have a duplicate decision and a conflict decision: its shard holds both
    PCollection<KV<String, String>> decisions =
        PCollectionList.of(duplicates).and(conflicts).apply("AllDecisions", Flatten.pCollections());
    PCollectionTuple applied =
        JoinById.group("Join", input, decisions, StringUtf8Coder.of(), shards)
            .apply("KeepOrDrop", ParDo.of(new ApplyFn()).withOutputTags(KEPT, TupleTagList.of(REJECTIONS).and(LEDGER)));
    applied.get(KEPT).setCoder(JsonCoder.of(Candidate.class));
    applied.get(REJECTIONS).setCoder(JsonCoder.of(Rejection.class));
    applied.get(LEDGER).setCoder(ledgerCoder);
    return applied;
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

  /**
   * The decision that counts among an id's decisions (null: none, the record stays): a conflict
   * outranks a duplicate decision (the record goes whatever its copies do), then {@link #outranks}.
   */
  static String effective(Iterable<String> decisions) {
    String d = null;
    for (String x : decisions) {
      if (d == null || x.startsWith(CONFLICT_PREFIX) || outranks(x, d)) {
        d = x;
      }
    }
    return d;
  }

  /**
   * Keeps or drops every record of a shard by its decisions. All copies of an id are in the same
   * shard: of those with {@link #ONE_COPY}, the first stays and the others are duplicates of it.
   */
  static final class ApplyFn extends DoFn<KV<Integer, Iterable<JoinById.Side<String>>>, Candidate> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<JoinById.Side<String>>> shard, MultiOutputReceiver out) {
      java.util.Set<String> copyKept = new java.util.HashSet<>();
      for (JoinById.Decided<String> r : JoinById.match(shard.getValue())) {
        Candidate c = r.record();
        String d = effective(r.decisions());
        if (d == null || (d.equals(ONE_COPY) && copyKept.add(c.id()))) {
          out.get(KEPT).output(c);
          continue;
        }
        String filter;
        String kept;
        if (d.equals(ONE_COPY)) {
          filter = isSeed(c) ? "duplicate_seed" : "exact_duplicate";
          kept = c.id();
        } else {
          int tab = d.indexOf('\t');
          filter = d.substring(0, tab);
          kept = d.substring(tab + 1);
        }
        out.get(LEDGER).output(Ledger.count(Counter.REJECTED, "dedup/" + filter, c.label(), 1));
        out.get(REJECTIONS).output(reject(c, filter, kept));
      }
    }
  }
}
