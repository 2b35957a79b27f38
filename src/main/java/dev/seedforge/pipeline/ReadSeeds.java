package dev.seedforge.pipeline;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.lexical.LexicalAugmenter;
import dev.seedforge.seed.Seed;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The run's seeds, read in one pass: each seed's count for the ledger ({@link #LEDGER}), the seed
 * as a candidate when the output includes the seeds ({@link #SEEDS}), and offline its lexical
 * variants with their counts ({@link #VARIANTS}).
 *
 * <p>The seeds travel as a few groups ({@link #withGroups}), one element each, not one element per
 * seed: the DirectRunner hands on at least one bundle per element group it splits a Create into,
 * and every later step runs (and, waiting for a side input, re-runs) once per bundle; a group per
 * worker thread keeps the work parallel with no more bundles than threads.
 */
public final class ReadSeeds extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<KV<Ledger.Key, Long>> LEDGER = new TupleTag<>() {};
  public static final TupleTag<Candidate> SEEDS = new TupleTag<>() {};
  public static final TupleTag<Candidate> VARIANTS = new TupleTag<>() {};

  private final List<Seed> seeds;
  private final boolean asCandidates;
  private final LexicalAugmenter augmenter;
  private final int groups;
  private final String prefetchModel;

  private ReadSeeds(List<Seed> seeds, boolean asCandidates, LexicalAugmenter augmenter, int groups, String prefetchModel) {
    this.seeds = List.copyOf(seeds);
    this.asCandidates = asCandidates;
    this.augmenter = augmenter;
    this.groups = groups;
    this.prefetchModel = prefetchModel;
  }

  /** The seeds, counted; {@code asCandidates}: also output each seed as a candidate. */
  public static ReadSeeds of(List<Seed> seeds, boolean asCandidates) {
    return new ReadSeeds(seeds, asCandidates, null, 0, null);
  }

  /** The same, also generating each seed's lexical variants (the offline generator). */
  public ReadSeeds withLexical(LexicalAugmenter lexical) {
    return new ReadSeeds(seeds, asCandidates, lexical, groups, prefetchModel);
  }

  /**
   * Embeds the lexical variants with {@code model} as they are made, for a gate that judges them by
   * embeddings ({@link dev.seedforge.quality.EmbeddingPrefetch}); null: no prefetch.
   */
  public ReadSeeds withPrefetch(String model) {
    return new ReadSeeds(seeds, asCandidates, augmenter, groups, model);
  }

  /** The seeds in {@code n} groups of consecutive seeds; 0 (the default): one group per seed. */
  public ReadSeeds withGroups(int n) {
    return new ReadSeeds(seeds, asCandidates, augmenter, n, prefetchModel);
  }

  /** {@code items} in {@code n} groups of consecutive items whose sizes differ by at most one; one item each for {@code n <= 0}. */
  static <T> List<List<T>> groups(List<T> items, int n) {
    int count = n <= 0 ? items.size() : Math.min(n, items.size());
    List<List<T>> out = new ArrayList<>();
    int from = 0;
    for (int g = 0; g < count; g++) {
      int to = from + (items.size() - from) / (count - g);
      out.add(List.copyOf(items.subList(from, to)));
      from = to;
    }
    return out;
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple out =
        begin
            .apply("Seeds", Create.of(groups(seeds, groups)).withCoder(ListCoder.of(JsonCoder.of(Seed.class))))
            .apply("Read", ParDo.of(new ReadFn(asCandidates, augmenter, augmenter == null ? null : prefetchModel, task())).withOutputTags(LEDGER, TupleTagList.of(SEEDS).and(VARIANTS)));
    out.get(LEDGER).setCoder(Ledger.coder());
    out.get(SEEDS).setCoder(JsonCoder.of(Candidate.class));
    out.get(VARIANTS).setCoder(JsonCoder.of(Candidate.class));
    return out;
  }

  /** The task the variants are judged as (the augmenter's); classification without one. */
  private dev.seedforge.seed.TaskType task() {
    return augmenter == null ? dev.seedforge.seed.TaskType.CLASSIFICATION : augmenter.task();
  }

  static final class ReadFn extends DoFn<List<Seed>, KV<Ledger.Key, Long>> {
    private final boolean asCandidates;
    private final LexicalAugmenter augmenter;
    private final String prefetchModel;
    private final dev.seedforge.seed.TaskType task;
    private transient dev.seedforge.quality.EmbeddingPrefetch prefetch;

    ReadFn(boolean asCandidates, LexicalAugmenter augmenter, String prefetchModel, dev.seedforge.seed.TaskType task) {
      this.asCandidates = asCandidates;
      this.augmenter = augmenter;
      this.prefetchModel = prefetchModel;
      this.task = task;
    }

    @Setup
    public void setup() {
      if (prefetchModel != null && dev.seedforge.quality.EmbeddingPrefetch.enabled()) {
        prefetch = dev.seedforge.quality.EmbeddingPrefetch.of(prefetchModel);
      }
    }

    @ProcessElement
    public void process(@Element List<Seed> group, MultiOutputReceiver out) throws Exception {
      try (AutoCloseable making = prefetch == null ? () -> {} : prefetch.open()) {
        for (Seed s : group) {
          out.get(LEDGER).output(Ledger.count(Counter.SEEDS_READ, s.label(), 1));
          if (asCandidates) {
            out.get(SEEDS).output(SeedforgePipeline.asCandidate(s));
          }
          if (augmenter != null) {
            List<Candidate> variants = augmenter.variants(s);
            if (prefetch != null) {
              prefetch.offer(variants.stream().map(Candidate::fields).toList(), task);
            }
            for (Candidate c : variants) {
              out.get(VARIANTS).output(c);
              out.get(LEDGER).output(Ledger.count(Counter.GENERATED, c.label(), 1));
            }
          }
        }
      }
    }
  }
}
