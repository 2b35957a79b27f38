package dev.seedforge.quality;

import com.google.common.base.Preconditions;
import com.google.common.hash.Hashing;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import opennlp.tools.doccat.DocumentCategorizerME;

/**
 * Label consistency learned from the pool, confident-learning style (Northcutt et al., 2021): a
 * label model trained on the seeds, the labels' descriptions and every candidate that passed the
 * noise filters scores each candidate out of fold (the candidates are dealt into {@code folds} by a
 * hash of their id and the pipeline seed; a candidate is only ever scored by the model of the other
 * folds). Each label's threshold is the mean out-of-fold probability of that label over the
 * candidates that carry it; a candidate is suspect when another label reaches that label's
 * threshold and beats the candidate's own label by more than {@code margin}. Seeds train every
 * model and are never judged.
 *
 * <p>Two feature sets: {@link Features#WORDS}, OpenNLP maxent on stemmed words and word bigrams
 * (as {@link LabelFilter}), and {@link Features#EMBEDDINGS}, a similarity-weighted vote of the
 * nearest MiniLM neighbours among the training texts of the fold.
 */
public final class LabelCheck implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Neighbours that vote with {@link Features#EMBEDDINGS}. */
  static final int NEIGHBOURS = 10;

  /** How a candidate is represented for the label model. */
  public enum Features {
    WORDS("words"),
    EMBEDDINGS("embeddings");

    private final String wireName;

    Features(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public static Features of(String name) {
      for (Features f : values()) {
        if (f.wireName.equals(name)) {
          return f;
        }
      }
      throw new IllegalArgumentException("unknown label features " + name);
    }
  }

  /** A candidate to judge: its id (which decides its fold), its text and its intended label. */
  public record Item(String id, String text, String label) implements Serializable {}

  /** The verdict on one candidate, with its out-of-fold probability of every label. */
  public record Judged(Item item, Verdict verdict, Map<String, Double> probabilities) {}

  /** The verdicts in the order of the items, and each label's threshold. */
  public record Outcome(List<Judged> judged, Map<String, Double> thresholds) {}

  private final int folds;
  private final long seed;
  private final double margin;
  private final double minProbability;
  private final Features features;
  private final int trainPerLabel;
  private final String embeddingModel;
  private final int rounds;

  private LabelCheck(int folds, long seed, double margin, double minProbability, Features features, String embeddingModel) {
    this(folds, seed, margin, minProbability, features, embeddingModel, 2);
  }

  private LabelCheck(int folds, long seed, double margin, double minProbability, Features features, String embeddingModel, int rounds) {
    this(folds, seed, margin, minProbability, features, embeddingModel, rounds, TRAIN_PER_LABEL);
  }

  private LabelCheck(int folds, long seed, double margin, double minProbability, Features features, String embeddingModel, int rounds,
      int trainPerLabel) {
    Preconditions.checkArgument(folds >= 2, "folds must be at least 2, got %s", folds);
    Preconditions.checkArgument(features == Features.WORDS || embeddingModel != null, "embedding features need an embedding model");
    this.folds = folds;
    this.seed = seed;
    this.margin = margin;
    this.minProbability = minProbability;
    this.features = features;
    this.embeddingModel = embeddingModel;
    this.rounds = rounds;
    this.trainPerLabel = trainPerLabel;
  }

  /** The same check learning from at most {@code n} candidates of each label (all are scored). */
  public LabelCheck withTrainingCap(int n) {
    Preconditions.checkArgument(n >= 1, "the training cap must be at least 1, got %s", n);
    return new LabelCheck(folds, seed, margin, minProbability, features, embeddingModel, rounds, n);
  }

  /** Words and bigrams, margin 0, no probability floor. */
  public static LabelCheck words(int folds, long seed) {
    return new LabelCheck(folds, seed, 0.0, 0.0, Features.WORDS, null);
  }

  /** MiniLM-neighbour votes with {@code embeddingModel} (one of {@link dev.seedforge.config.PipelineSpec.Relevance#EMBEDDING_MODELS}). */
  public static LabelCheck embeddings(int folds, long seed, String embeddingModel) {
    return new LabelCheck(folds, seed, 0.0, 0.0, Features.EMBEDDINGS, embeddingModel);
  }

  public LabelCheck withMargin(double margin) {
    return new LabelCheck(folds, seed, margin, minProbability, features, embeddingModel, rounds, trainPerLabel);
  }

  /** How often the models are trained again without the suspects found so far (default 2 rounds). */
  public LabelCheck withRounds(int rounds) {
    Preconditions.checkArgument(rounds >= 1, "rounds must be at least 1, got %s", rounds);
    return new LabelCheck(folds, seed, margin, minProbability, features, embeddingModel, rounds, trainPerLabel);
  }

  /** Also rejects a candidate whose own label's out-of-fold probability is below {@code p}. */
  public LabelCheck withMinProbability(double p) {
    return new LabelCheck(folds, seed, margin, p, features, embeddingModel, rounds, trainPerLabel);
  }

  public Features features() {
    return features;
  }

  public int folds() {
    return folds;
  }

  /** The fold of a candidate: fixed by its id and the pipeline seed, whatever order it arrives in. */
  int fold(String id) {
    return Math.floorMod(Hashing.murmur3_32_fixed((int) seed).hashString(id, StandardCharsets.UTF_8).asInt(), folds);
  }

  /**
   * {@link #check}, remembered in the machine's vector cache ({@link VectorCache#shared}): see
   * {@link #check(List, Map, List, java.util.Optional)}.
   */
  public Outcome checkRemembered(List<LabelFilter.Example> seeds, Map<String, String> descriptions, List<Item> items) {
    return check(seeds, descriptions, items, VectorCache.shared());
  }

  /**
   * {@link #check}, remembered in {@code store}: the outcome is a function of this check's
   * settings, the seeds, the descriptions, the items and the check's own code (and nothing else:
   * the folds, the training pool and the neighbour votes all follow from them), so a run over the
   * same pool, such as a re-run whose every answer comes from the response cache, reads it
   * instead of training and searching again (the same verdicts and probabilities, bit for bit); a
   * pool that differs in anything is judged afresh. A stored outcome that cannot be read is judged
   * afresh too.
   */
  Outcome check(List<LabelFilter.Example> seeds, Map<String, String> descriptions, List<Item> items, java.util.Optional<VectorCache> store) {
    byte[] code = CODE.get();
    if (store.isEmpty() || code.length == 0) {
      return check(seeds, descriptions, items);
    }
    List<Item> sorted = new ArrayList<>(items);
    sorted.sort(java.util.Comparator.comparing(Item::id));
    byte[] key = key(code, seeds, descriptions, sorted);
    java.util.Optional<Outcome> known = store.get().result(key).flatMap(bytes -> Stored.read(bytes, sorted));
    if (known.isPresent()) {
      return known.get();
    }
    Outcome outcome = check(seeds, descriptions, sorted);
    store.get().putResult(key, Stored.of(outcome).bytes());
    return outcome;
  }

  private static final java.util.concurrent.atomic.AtomicLong POOLS_JUDGED = new java.util.concurrent.atomic.AtomicLong();

  /** Pools this JVM judged (trained and searched for), rather than read from a store. */
  static long poolsJudged() {
    return POOLS_JUDGED.get();
  }

  /** What an outcome is stored as: the verdicts and probabilities in the order of the items sorted by id. */
  private record Stored(List<Verdict> verdicts, List<Map<String, Double>> probabilities, Map<String, Double> thresholds) {
    static Stored of(Outcome o) {
      return new Stored(o.judged().stream().map(Judged::verdict).toList(),
          o.judged().stream().map(Judged::probabilities).collect(java.util.stream.Collectors.toList()), o.thresholds());
    }

    byte[] bytes() {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
        dev.seedforge.util.Json.mapper().writeValue(z, this);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    static java.util.Optional<Outcome> read(byte[] bytes, List<Item> sorted) {
      Stored s;
      try (java.util.zip.GZIPInputStream z = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
        s = dev.seedforge.util.Json.mapper().readValue(z, Stored.class);
      } catch (java.io.IOException | RuntimeException e) {
        return java.util.Optional.empty();
      }
      if (s.verdicts() == null || s.probabilities() == null || s.verdicts().size() != sorted.size() || s.probabilities().size() != sorted.size()) {
        return java.util.Optional.empty();
      }
      List<Judged> judged = new ArrayList<>(sorted.size());
      for (int i = 0; i < sorted.size(); i++) {
        judged.add(new Judged(sorted.get(i), s.verdicts().get(i), s.probabilities().get(i)));
      }
      return java.util.Optional.of(new Outcome(judged, s.thresholds() == null ? Map.of() : s.thresholds()));
    }
  }

  /** The hash of everything an outcome depends on (the items sorted by id). */
  private byte[] key(byte[] code, List<LabelFilter.Example> seeds, Map<String, String> descriptions, List<Item> sorted) {
    com.google.common.hash.Hasher h = Hashing.sha256().newHasher().putString("label check", StandardCharsets.UTF_8).putBytes(code);
    h.putInt(folds).putLong(seed).putDouble(margin).putDouble(minProbability).putInt(trainPerLabel).putInt(rounds);
    text(h, features.wireName());
    text(h, embeddingModel);
    h.putInt(seeds.size());
    for (LabelFilter.Example e : seeds) {
      text(h, e.text());
      text(h, e.label());
    }
    h.putInt(descriptions.size());
    new TreeMap<>(descriptions).forEach((label, description) -> {
      text(h, label);
      text(h, description);
    });
    h.putInt(sorted.size());
    for (Item i : sorted) {
      text(h, i.id());
      text(h, i.text());
      text(h, i.label());
    }
    return h.hash().asBytes();
  }

  private static void text(com.google.common.hash.Hasher h, String s) {
    if (s == null) {
      h.putInt(-1);
    } else {
      h.putInt(s.length()).putString(s, StandardCharsets.UTF_8);
    }
  }

  /**
   * The code an outcome comes from: the class files of the check, the label model and the
   * normaliser its words come from, and the OpenNLP version that trains it; an outcome stored by
   * other code is not used. Empty (nothing is remembered) when a class file cannot be read.
   */
  private static final com.google.common.base.Supplier<byte[]> CODE = com.google.common.base.Suppliers.memoize(() -> {
    com.google.common.hash.Hasher h = Hashing.sha256().newHasher();
    List<Class<?>> classes = new ArrayList<>();
    for (Class<?> c : List.of(LabelCheck.class, LabelFilter.class, dev.seedforge.dedup.TextNormalizer.class)) {
      classes.add(c);
      classes.addAll(List.of(c.getDeclaredClasses()));
    }
    for (Class<?> c : classes) {
      try (java.io.InputStream in = c.getResourceAsStream("/" + c.getName().replace('.', '/') + ".class")) {
        if (in == null) {
          return new byte[0];
        }
        h.putBytes(in.readAllBytes());
      } catch (java.io.IOException e) {
        return new byte[0];
      }
    }
    h.putString(opennlp.tools.util.Version.currentVersion().toString(), StandardCharsets.UTF_8);
    return h.hash().asBytes();
  });

  /**
   * Judges {@code items} (sorted by id first, so the outcome does not depend on arrival order).
   * Items without a label, or with a label no seed has, are kept unjudged.
   */
  public Outcome check(List<LabelFilter.Example> seeds, Map<String, String> descriptions, List<Item> items) {
    POOLS_JUDGED.incrementAndGet();
    List<Item> sorted = new ArrayList<>(items);
    sorted.sort(java.util.Comparator.comparing(Item::id));
    TreeSet<String> labels = new TreeSet<>();
    seeds.forEach(s -> labels.add(s.label()));
    if (labels.size() < 2) {
      List<Judged> kept = sorted.stream().map(i -> new Judged(i, Verdict.KEEP, null)).toList();
      return new Outcome(kept, Map.of());
    }
    List<float[]> vectors = features == Features.EMBEDDINGS ? embed(seeds, sorted) : null;
    boolean[] pool = trainingPool(sorted);
    boolean[] alive = new boolean[sorted.size()];
    java.util.Arrays.fill(alive, true);
    boolean[] trains = new boolean[sorted.size()];
    Verdict[] verdicts = new Verdict[sorted.size()];
    List<Map<String, Double>> probs = null;
    Map<String, Double> thresholds = Map.of();
    int[] fold = new int[sorted.size()];
    for (int i = 0; i < sorted.size(); i++) {
      fold[i] = fold(sorted.get(i).id());
    }
    Neighbours[] near = features == Features.EMBEDDINGS ? new Neighbours[sorted.size()] : null;
    // a second round retrains without the first round's suspects (they no longer vote for the wrong
    // label) and judges the candidates still kept again
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < sorted.size(); i++) {
        trains[i] = pool[i] && alive[i];
      }
      probs = features == Features.WORDS
          ? byWords(seeds, descriptions, sorted, fold, trains)
          : byNeighbours(seeds, sorted, fold, labels, trains, vectors, near);
      thresholds = thresholds(sorted, probs, alive);
      boolean changed = false;
      for (int i = 0; i < sorted.size(); i++) {
        if (alive[i]) {
          verdicts[i] = verdict(sorted.get(i).label(), probs.get(i), thresholds);
          if (!verdicts[i].keep()) {
            alive[i] = false;
            changed = true;
          }
        }
      }
      if (!changed) {
        break;
      }
    }
    List<Judged> out = new ArrayList<>(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      out.add(new Judged(sorted.get(i), verdicts[i], probs.get(i)));
    }
    return new Outcome(out, thresholds);
  }

  /**
   * Candidates a fold model may learn from: per label at most {@code trainPerLabel} (default
   * {@value #TRAIN_PER_LABEL}), the same
   * ones whatever the arrival order (lowest hash of id and seed). Every candidate is still scored;
   * the cap keeps training (maxent) and the neighbour search linear in the pool instead of
   * quadratic, and a few hundred examples a label already show what the label reads like.
   */
  private boolean[] trainingPool(List<Item> items) {
    boolean[] pool = new boolean[items.size()];
    Map<String, List<Integer>> byLabel = new TreeMap<>();
    for (int i = 0; i < items.size(); i++) {
      byLabel.computeIfAbsent(String.valueOf(items.get(i).label()), k -> new ArrayList<>()).add(i);
    }
    for (List<Integer> idx : byLabel.values()) {
      if (idx.size() <= trainPerLabel) {
        idx.forEach(i -> pool[i] = true);
        continue;
      }
      idx.sort(java.util.Comparator.comparingLong((Integer i) -> poolRank(items.get(i).id())).thenComparing(i -> items.get(i).id()));
      idx.subList(0, trainPerLabel).forEach(i -> pool[i] = true);
    }
    return pool;
  }

  private long poolRank(String id) {
    return Hashing.murmur3_128((int) (seed ^ 0x5eedL)).hashString(id, StandardCharsets.UTF_8).asLong();
  }

  /** Most candidates of one label the fold models learn from (all are scored). */
  public static final int TRAIN_PER_LABEL = 400;

  private static Map<String, Double> thresholds(List<Item> items, List<Map<String, Double>> probs, boolean[] counted) {
    Map<String, double[]> sums = new TreeMap<>();
    for (int i = 0; i < items.size(); i++) {
      Map<String, Double> p = probs.get(i);
      String label = items.get(i).label();
      if (counted[i] && p != null && label != null && p.containsKey(label)) {
        double[] s = sums.computeIfAbsent(label, l -> new double[2]);
        s[0] += p.get(label);
        s[1]++;
      }
    }
    Map<String, Double> out = new TreeMap<>();
    sums.forEach((label, s) -> out.put(label, s[0] / s[1]));
    return out;
  }

  private List<float[]> embed(List<LabelFilter.Example> seeds, List<Item> items) {
    List<String> texts = new ArrayList<>(seeds.size() + items.size());
    seeds.forEach(s -> texts.add(s.text()));
    items.forEach(i -> texts.add(i.text()));
    return SentenceEncoder.of(embeddingModel).embedAll(texts);
  }

  private Verdict verdict(String label, Map<String, Double> p, Map<String, Double> thresholds) {
    if (p == null || label == null || !p.containsKey(label)) {
      return Verdict.KEEP;
    }
    double own = p.get(label);
    boolean ownConfident = own >= thresholds.getOrDefault(label, 0.0);
    String rival = null;
    double rivalP = -1;
    for (Map.Entry<String, Double> e : p.entrySet()) {
      String other = e.getKey();
      double t = thresholds.getOrDefault(other, 1.0);
      // confident learning: the most likely of the labels that reach their thresholds is not the own
      boolean beats = e.getValue() > own + margin || (!ownConfident && e.getValue() > own);
      if (!other.equals(label) && e.getValue() >= t && beats && e.getValue() > rivalP) {
        rival = other;
        rivalP = e.getValue();
      }
    }
    if (rival != null) {
      return Verdict.reject(
          String.format(Locale.ROOT, "reads like %s (p=%.2f, over that label's threshold %.2f; %s p=%.2f)",
              rival, rivalP, thresholds.get(rival), label, own),
          round(own), round(rivalP));
    }
    if (own < minProbability) {
      return Verdict.reject(String.format(Locale.ROOT, "p(%s)=%.2f under %.2f", label, own, minProbability), round(own), minProbability);
    }
    return Verdict.KEEP;
  }

  private static double round(double x) {
    return Math.round(x * 10000) / 10000.0;
  }

  /** Each candidate's probabilities by the maxent model of the other folds; the folds' models train on every core (each on its own examples). */
  private List<Map<String, Double>> byWords(List<LabelFilter.Example> seeds, Map<String, String> descriptions, List<Item> items, int[] fold, boolean[] trains) {
    // the folds' models train on every core, then every candidate is scored by its fold's model in
    // chunks on every core (a fold's candidates are as many as the others', its training is not:
    // scoring fold by fold left a core idle while the last folds ran)
    boolean[] scored = new boolean[folds];
    for (int i = 0; i < items.size(); i++) {
      scored[fold[i]] = true;
    }
    opennlp.tools.doccat.DoccatModel[] models = new opennlp.tools.doccat.DoccatModel[folds];
    java.util.stream.IntStream.range(0, folds).parallel().filter(f -> scored[f]).forEach(f -> {
      List<LabelFilter.Example> train = new ArrayList<>(seeds);
      for (int i = 0; i < items.size(); i++) {
        if (fold[i] != f && items.get(i).label() != null && trains[i]) {
          train.add(new LabelFilter.Example(items.get(i).text(), items.get(i).label()));
        }
      }
      models[f] = LabelFilter.trainModel(train, descriptions);
    });
    List<Integer> order = java.util.stream.IntStream.range(0, items.size()).boxed().toList();
    return new ArrayList<>(dev.seedforge.util.Parallel.inChunks(order, SCORE_CHUNK, chunk -> {
      // a categorizer per fold and chunk: OpenNLP's categorizers are not meant to be shared by threads
      DocumentCategorizerME[] cats = new DocumentCategorizerME[folds];
      List<Map<String, Double>> probabilities = new ArrayList<>(chunk.size());
      for (int i : chunk) {
        DocumentCategorizerME cat = cats[fold[i]] == null ? cats[fold[i]] = new DocumentCategorizerME(models[fold[i]]) : cats[fold[i]];
        double[] p = cat.categorize(LabelFilter.words(items.get(i).text()));
        Map<String, Double> m = new LinkedHashMap<>();
        for (int c = 0; c < cat.getNumberOfCategories(); c++) {
          m.put(cat.getCategory(c), p[c]);
        }
        probabilities.add(m);
      }
      return probabilities;
    }));
  }

  /** Candidates per scoring task of {@link Features#WORDS}. */
  static final int SCORE_CHUNK = 512;

  /**
   * Each candidate's similarity-weighted vote of its {@link #NEIGHBOURS} nearest training texts:
   * the seeds, and the training pool's candidates of the other folds. The candidates of a fold are
   * scored {@link #BLOCK} at a time against each voter (one pass over the voter's vector for as
   * many dot products), and groups of them on every core; each dot
   * product still adds its terms in the same order, and every candidate meets the voters in the
   * same order, so the votes are the same numbers as one candidate and one voter at a time.
   *
   * <p>{@code near} keeps each candidate's {@link #KEPT} nearest voters from one round to the next:
   * a later round's voters are the earlier round's less its suspects, so a candidate's nearest
   * voters are the first of its kept ones that still train, and only a candidate with fewer than
   * {@link #NEIGHBOURS} of those left is searched again.
   */
  private List<Map<String, Double>> byNeighbours(List<LabelFilter.Example> seeds, List<Item> items, int[] fold, TreeSet<String> labels,
      boolean[] trains, List<float[]> v, Neighbours[] near) {
    int s = seeds.size();
    java.util.function.IntPredicate votes = j -> j < s || trains[j - s];
    List<int[]> blocks = new ArrayList<>();
    Map<Integer, int[]> votersOfFold = new HashMap<>();
    for (int f = 0; f < folds; f++) {
      List<Integer> members = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (fold[i] == f && (near[i] == null || !near[i].covers(votes))) {
          members.add(i);
        }
      }
      for (int from = 0; from < members.size(); from += BLOCK) {
        blocks.add(members.subList(from, Math.min(members.size(), from + BLOCK)).stream().mapToInt(Integer::intValue).toArray());
      }
      if (!members.isEmpty()) {
        votersOfFold.put(f, voters(seeds, items, fold, labels, trains, f));
      }
    }
    blocks.parallelStream().forEach(block -> {
      int[] voters = votersOfFold.get(fold[block[0]]);
      Neighbours[] found = new Neighbours[block.length];
      float[][] x = new float[BLOCK][];
      for (int q = 0; q < BLOCK; q++) {
        x[q] = v.get(s + block[Math.min(q, block.length - 1)]);
        if (q < block.length) {
          found[q] = new Neighbours();
        }
      }
      double[] sims = new double[BLOCK];
      for (int j : voters) {
        dots(x, v.get(j), sims);
        String label = j < s ? seeds.get(j).label() : items.get(j - s).label();
        for (int q = 0; q < block.length; q++) {
          found[q].offer(sims[q], j, label);
        }
      }
      for (int q = 0; q < block.length; q++) {
        near[block[q]] = found[q];
      }
    });
    List<Map<String, Double>> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(near[i].votes(labels, votes));
    }
    return out;
  }

  /**
   * Nearest voters kept per candidate: {@link #NEIGHBOURS} vote, the rest stand in for the ones a
   * later round drops as suspects (a few in a hundred candidates are).
   */
  static final int KEPT = 3 * NEIGHBOURS;

  /** Candidates scored together against each voter. */
  private static final int BLOCK = 8;

  /** The texts that may be a neighbour of a candidate of fold {@code f}, in ascending order. */
  private static int[] voters(List<LabelFilter.Example> seeds, List<Item> items, int[] fold, TreeSet<String> labels, boolean[] trains, int f) {
    int s = seeds.size();
    List<Integer> out = new ArrayList<>();
    for (int j = 0; j < s + items.size(); j++) {
      boolean seed = j < s;
      String label = seed ? seeds.get(j).label() : items.get(j - s).label();
      if (label != null && labels.contains(label) && (seed || (trains[j - s] && fold[j - s] != f))) {
        out.add(j);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The {@link #KEPT} most similar voters offered so far, most similar first (earlier wins a tie):
   * the order of similarity and then of offer, so the first {@link #NEIGHBOURS} of them that still
   * vote are the nearest of the voters that still vote.
   */
  static final class Neighbours {
    final double[] best = new double[KEPT];
    final int[] bestVoter = new int[KEPT];
    final String[] bestLabel = new String[KEPT];

    Neighbours() {
      java.util.Arrays.fill(best, -2);
    }

    void offer(double sim, int voter, String label) {
      int k = KEPT - 1;
      if (sim <= best[k]) {
        return;
      }
      while (k > 0 && best[k - 1] < sim) {
        best[k] = best[k - 1];
        bestVoter[k] = bestVoter[k - 1];
        bestLabel[k] = bestLabel[k - 1];
        k--;
      }
      best[k] = sim;
      bestVoter[k] = voter;
      bestLabel[k] = label;
    }

    /**
     * Whether the nearest {@link #NEIGHBOURS} of the voters that pass {@code votes} (a subset of
     * those offered) are among the kept ones: enough of them are, or every voter offered was kept.
     */
    boolean covers(java.util.function.IntPredicate votes) {
      if (bestLabel[KEPT - 1] == null) {
        return true;
      }
      int n = 0;
      for (int k = 0; k < KEPT && n < NEIGHBOURS; k++) {
        if (votes.test(bestVoter[k])) {
          n++;
        }
      }
      return n == NEIGHBOURS;
    }

    /**
     * Each label's share of the similarity of the {@link #NEIGHBOURS} nearest voters that pass
     * {@code votes}; null when none of them is similar at all.
     */
    Map<String, Double> votes(TreeSet<String> labels, java.util.function.IntPredicate votes) {
      Map<String, Double> out = new LinkedHashMap<>();
      labels.forEach(l -> out.put(l, 0.0));
      double total = 0;
      int n = 0;
      for (int k = 0; k < KEPT && n < NEIGHBOURS && bestLabel[k] != null; k++) {
        if (!votes.test(bestVoter[k])) {
          continue;
        }
        double w = Math.max(0, best[k]);
        out.merge(bestLabel[k], w, Double::sum);
        total += w;
        n++;
      }
      if (total <= 0) {
        return null;
      }
      double t = total;
      out.replaceAll((l, w) -> w / t);
      return out;
    }
  }

  /**
   * The dot products of {@link #BLOCK} vectors with {@code b} (MiniLM vectors are L2-normalised:
   * the dot product is the cosine), each summed in double in the order of its terms; eight sums
   * that do not wait on each other keep the floating-point units busy.
   */
  private static void dots(float[][] x, float[] b, double[] out) {
    float[] x0 = x[0];
    float[] x1 = x[1];
    float[] x2 = x[2];
    float[] x3 = x[3];
    float[] x4 = x[4];
    float[] x5 = x[5];
    float[] x6 = x[6];
    float[] x7 = x[7];
    double d0 = 0;
    double d1 = 0;
    double d2 = 0;
    double d3 = 0;
    double d4 = 0;
    double d5 = 0;
    double d6 = 0;
    double d7 = 0;
    for (int k = 0; k < b.length; k++) {
      float y = b[k];
      d0 += x0[k] * y;
      d1 += x1[k] * y;
      d2 += x2[k] * y;
      d3 += x3[k] * y;
      d4 += x4[k] * y;
      d5 += x5[k] * y;
      d6 += x6[k] * y;
      d7 += x7[k] * y;
    }
    out[0] = d0;
    out[1] = d1;
    out[2] = d2;
    out[3] = d3;
    out[4] = d4;
    out[5] = d5;
    out[6] = d6;
    out[7] = d7;
  }

  /** Each label's share of judged candidates found suspect: the estimated share of wrong labels. */
  public static Map<String, Double> suspectShare(Outcome outcome) {
    Map<String, long[]> n = new HashMap<>();
    for (Judged j : outcome.judged()) {
      if (j.probabilities() != null && j.item().label() != null) {
        long[] c = n.computeIfAbsent(j.item().label(), l -> new long[2]);
        c[0]++;
        if (!j.verdict().keep()) {
          c[1]++;
        }
      }
    }
    Map<String, Double> out = new TreeMap<>();
    n.forEach((l, c) -> out.put(l, (double) c[1] / c[0]));
    return out;
  }
}
