package dev.seedforge.quality;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Domain relevance: a candidate's highest cosine similarity to any seed of the pack (whether the
 * label fits is the label filter's question; on ~7 short seeds a label, same-label similarity
 * alone turned out too sparse to separate on-topic from off-topic text). Too low is off-topic; too high is a near-copy of a seed (named in
 * relatedId). Similarity comes from in-process sentence embeddings (all-MiniLM-L6-v2, the ONNX
 * model inside LangChain4j's jar) or, with {@code quality.embeddings: false}, from TF-IDF vectors
 * over the seeds' vocabulary.
 */
public final class DomainRelevanceFilter implements Filter {
  public static final String NAME = "domain_relevance";
  private static final long serialVersionUID = 1L;
  private static final Map<String, EmbeddingModel> MODELS = new java.util.concurrent.ConcurrentHashMap<>();

  /** A seed as the filter sees it. */
  public record SeedText(String id, String label, String text) implements java.io.Serializable {}

  private final List<SeedText> seeds;
  private final String embeddingModel;
  private final double minSimilarity;
  private final double maxSimilarity;
  private final TaskType task;
  private transient volatile SeedVectors seedVectors;
  private transient volatile Map<String, Double> idf;

  public DomainRelevanceFilter(List<SeedText> seeds, boolean embeddings, double minSimilarity, double maxSimilarity, TaskType task) {
    this(seeds, embeddings ? PipelineSpec.Relevance.MINILM : null, minSimilarity, maxSimilarity, task);
  }

  /** {@code embeddingModel}: one of {@link PipelineSpec.Relevance#EMBEDDING_MODELS}, or null for TF-IDF. */
  public DomainRelevanceFilter(List<SeedText> seeds, String embeddingModel, double minSimilarity, double maxSimilarity, TaskType task) {
    this.seeds = List.copyOf(seeds);
    this.embeddingModel = embeddingModel;
    this.minSimilarity = minSimilarity;
    this.maxSimilarity = maxSimilarity;
    this.task = task;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Verdict check(Candidate c) {
    return judge(Texts.of(c, task));
  }

  @Override
  public Verdict check(CandidateText text) {
    return judge(text.text());
  }

  /** With embeddings, one model call per batch of texts of the same length (see {@link SentenceEncoder}). */
  @Override
  public List<Verdict> checkAll(List<CandidateText> texts) {
    if (embeddingModel == null) {
      return Filter.super.checkAll(texts);
    }
    SeedVectors sv = seedVectors();
    List<float[]> vectors = SentenceEncoder.of(embeddingModel).embedAll(texts.stream().map(CandidateText::text).toList());
    List<Verdict> out = new ArrayList<>(texts.size());
    for (float[] v : vectors) {
      out.add(verdict(sv, Sparse.of(v)));
    }
    return out;
  }

  @Override
  public boolean batches() {
    return embeddingModel != null;
  }

  @Override
  public void warmUp() {
    seedVectors();
  }

  private Verdict judge(String text) {
    SeedVectors sv = seedVectors();
    return verdict(sv, embeddingModel != null ? Sparse.of(vector(text)) : sparseTfidf(text));
  }

  /**
   * A vector's non-zero dimensions in ascending order and their values: a TF-IDF vector of a short
   * text has a dozen of its 4096, so the dot products with every seed cost a dozen
   * multiplications each.
   */
  private record Sparse(int[] dims, float[] values) {
    static Sparse of(float[] v) {
      int[] nz = nonZero(v);
      float[] values = new float[nz.length];
      for (int j = 0; j < nz.length; j++) {
        values[j] = v[nz[j]];
      }
      return new Sparse(nz, values);
    }
  }

  private Verdict verdict(SeedVectors sv, Sparse v) {
    int[] nz = v.dims();
    float[] x = v.values();
    double norm = 0;
    for (int j = 0; j < nz.length; j++) {
      norm += x[j] * x[j];
    }
    double[] dots = sv.byDimension() == null ? denseDots(sv, v) : sparseDots(sv, v);
    double best = -1;
    String bestId = null;
    for (int k = 0; k < seeds.size(); k++) {
      double dot = dots[k];
      double sim = norm == 0 || sv.norms()[k] == 0 ? 0 : dot / Math.sqrt(norm * sv.norms()[k]);
      if (sim > best) {
        best = sim;
        bestId = seeds.get(k).id();
      }
    }
    if (bestId == null) {
      return Verdict.KEEP;
    }
    double score = Math.round(best * 10000) / 10000.0;
    if (best < minSimilarity) {
      return Verdict.reject(
          String.format(Locale.ROOT, "off-topic: similarity %.2f to the closest seed, under %.2f", best, minSimilarity),
          score, minSimilarity, bestId);
    }
    if (best > maxSimilarity) {
      return Verdict.reject(
          String.format(Locale.ROOT, "too close to seed %s: similarity %.2f, over %.2f", bestId, best, maxSimilarity),
          score, maxSimilarity, bestId);
    }
    return Verdict.KEEP;
  }

  /** Each seed's dot product with {@code v}, its terms added in the order of {@code v}'s dimensions. */
  private double[] denseDots(SeedVectors sv, Sparse v) {
    int[] nz = v.dims();
    float[] x = v.values();
    double[] dots = new double[seeds.size()];
    for (int k = 0; k < seeds.size(); k++) {
      float[] sVec = sv.vectors()[k];
      double dot = 0;
      for (int j = 0; j < nz.length; j++) {
        dot += x[j] * sVec[nz[j]];
      }
      dots[k] = dot;
    }
    return dots;
  }

  /**
   * The same dot products from the seeds that share a dimension with {@code v} (a short text shares
   * words with few seeds): the terms left out are exact zeros, the others are added in the same order.
   */
  private double[] sparseDots(SeedVectors sv, Sparse v) {
    int[] nz = v.dims();
    float[] x = v.values();
    double[] dots = new double[seeds.size()];
    for (int j = 0; j < nz.length; j++) {
      SeedsOfDimension d = sv.byDimension()[nz[j]];
      if (d == null) {
        continue;
      }
      for (int i = 0; i < d.seeds().length; i++) {
        dots[d.seeds()[i]] += x[j] * d.values()[i];
      }
    }
    return dots;
  }

  /** The seeds whose TF-IDF vector is not zero in one dimension, in seed order, and their values there. */
  private record SeedsOfDimension(int[] seeds, float[] values) {}

  private static SeedsOfDimension[] byDimension(float[][] vectors) {
    SeedsOfDimension[] out = new SeedsOfDimension[DIMS];
    for (int d = 0; d < DIMS; d++) {
      int n = 0;
      for (float[] vector : vectors) {
        n += vector[d] != 0 ? 1 : 0;
      }
      if (n == 0) {
        continue;
      }
      int[] ks = new int[n];
      float[] values = new float[n];
      int i = 0;
      for (int k = 0; k < vectors.length; k++) {
        if (vectors[k][d] != 0) {
          ks[i] = k;
          values[i++] = vectors[k][d];
        }
      }
      out[d] = new SeedsOfDimension(ks, values);
    }
    return out;
  }

  /** An off-topic bound and where it came from, in words for the run's start line and the manifest. */
  public record Bound(double value, String source) implements java.io.Serializable {}

  /** The share of the seeds' leave-one-out similarities under the calibrated bound. */
  public static final double PERCENTILE = 0.05;
  /** The calibrated bound is never lower: under it, text is unrelated to any seed of any pack. */
  public static final double FLOOR = 0.15;

  /**
   * The off-topic bound learned from the seeds: each seed's similarity to its closest other seed
   * (leave one out) says how far a real example of the pack may sit from the rest; the bound is the
   * {@link #PERCENTILE} of those, and at least {@link #FLOOR}. With fewer than two seeds, the floor.
   */
  public static Bound calibrate(List<SeedText> seeds, String embeddingModel) {
    return calibrate(seeds, embeddingModel, PERCENTILE, FLOOR);
  }

  static Bound calibrate(List<SeedText> seeds, String embeddingModel, double percentile, double floor) {
    if (seeds.size() < 2) {
      return new Bound(floor, String.format(Locale.ROOT, "the floor %.2f (fewer than two seeds to calibrate on)", floor));
    }
    double[] loo = leaveOneOut(seeds, embeddingModel);
    double[] sorted = loo.clone();
    java.util.Arrays.sort(sorted);
    double p = sorted[(int) Math.floor(percentile * (sorted.length - 1))];
    double value = Math.round(Math.max(floor, p) * 1000) / 1000.0;
    String source = p >= floor
        ? String.format(Locale.ROOT, "the seeds: %.0fth percentile of %d seeds' leave-one-out similarities (floor %.2f)", 100 * percentile, seeds.size(), floor)
        : String.format(Locale.ROOT, "the floor %.2f (the seeds' %.0fth percentile leave-one-out similarity, %.2f, is lower)", floor, 100 * percentile, p);
    return new Bound(value, source);
  }

  /** Each seed's similarity to its closest other seed. */
  static double[] leaveOneOut(List<SeedText> seeds, String embeddingModel) {
    DomainRelevanceFilter f = new DomainRelevanceFilter(seeds, embeddingModel, 0, NO_MAX_SIMILARITY, TaskType.CLASSIFICATION);
    SeedVectors sv = f.seedVectors();
    double[] out = new double[seeds.size()];
    for (int i = 0; i < seeds.size(); i++) {
      double best = -1;
      for (int j = 0; j < seeds.size(); j++) {
        if (j != i && !seeds.get(j).text().equals(seeds.get(i).text())) {
          best = Math.max(best, cosine(sv.vectors()[i], sv.vectors()[j]));
        }
      }
      out[i] = best;
    }
    return out;
  }

  private static final double NO_MAX_SIMILARITY = 1.01;

  /** The similarity of two texts as this filter measures it (for calibration and tests). */
  public double similarity(String a, String b) {
    seedVectors();
    return cosine(vector(a), vector(b));
  }

  /**
   * The seeds' vectors, in the order of {@code seeds}, their squared norms and, for TF-IDF, the
   * seeds of each dimension (null with embeddings, whose vectors are dense).
   */
  private record SeedVectors(float[][] vectors, double[] norms, SeedsOfDimension[] byDimension) {}

  private SeedVectors seedVectors() {
    SeedVectors v = seedVectors;
    if (v == null) {
      synchronized (this) {
        if (seedVectors == null) {
          if (embeddingModel == null) {
            idf = idf(seeds);
          }
          float[][] vectors = embeddingModel != null ? seedEmbeddings() : new float[seeds.size()][];
          double[] norms = new double[seeds.size()];
          for (int k = 0; k < seeds.size(); k++) {
            if (embeddingModel == null) {
              vectors[k] = vector(seeds.get(k).text());
            }
            for (float x : vectors[k]) {
              norms[k] += x * x;
            }
          }
          seedVectors = new SeedVectors(vectors, norms, embeddingModel == null ? byDimension(vectors) : null);
        }
        v = seedVectors;
      }
    }
    return v;
  }

  private static int[] nonZero(float[] v) {
    int n = 0;
    for (float x : v) {
      if (x != 0) {
        n++;
      }
    }
    int[] out = new int[n];
    int j = 0;
    for (int i = 0; i < v.length; i++) {
      if (v[i] != 0) {
        out[j++] = i;
      }
    }
    return out;
  }

  private float[] vector(String text) {
    return embeddingModel != null ? SentenceEncoder.of(embeddingModel).embed(text) : tfidf(text);
  }

  /**
   * Seed embeddings per model and JVM: every copy of the filter (one per held-out fold in
   * calibration, one per gate) embeds the same seeds. Bounded: a pack has at most a few thousand
   * seeds.
   */
  private static final Map<String, float[]> SEED_EMBEDDINGS = new java.util.concurrent.ConcurrentHashMap<>();

  private float[][] seedEmbeddings() {
    List<String> missing = new ArrayList<>();
    for (SeedText s : seeds) {
      if (!SEED_EMBEDDINGS.containsKey(key(s.text()))) {
        missing.add(s.text());
      }
    }
    List<float[]> fresh = SentenceEncoder.of(embeddingModel).embedAll(missing);
    float[][] out = new float[seeds.size()][];
    Map<String, float[]> found = new HashMap<>();
    for (int i = 0; i < missing.size(); i++) {
      found.put(missing.get(i), fresh.get(i));
      if (SEED_EMBEDDINGS.size() < 100_000) {
        SEED_EMBEDDINGS.put(key(missing.get(i)), fresh.get(i));
      }
    }
    for (int k = 0; k < seeds.size(); k++) {
      String t = seeds.get(k).text();
      out[k] = found.containsKey(t) ? found.get(t) : SEED_EMBEDDINGS.get(key(t));
    }
    return out;
  }

  private String key(String text) {
    return embeddingModel + "\u0000" + text;
  }

  /** LangChain4j's model, for the texts {@link SentenceEncoder} leaves to it; one per model and JVM. */
  static EmbeddingModel embeddingModel(String name) {
    return MODELS.computeIfAbsent(name, n -> switch (n) {
      case PipelineSpec.Relevance.MINILM -> new AllMiniLmL6V2EmbeddingModel();
      case PipelineSpec.Relevance.MINILM_Q -> new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel();
      default -> throw new IllegalArgumentException("unknown embedding model " + n);
    });
  }

  // ---- TF-IDF fallback: hashed into a fixed number of dimensions so vectors are plain arrays.
  private static final int DIMS = 4096;

  /** Function words carry no topic; left in, they make every English text look related. */
  private static final java.util.Set<String> STOPWORDS = java.util.Set.of(
      "the", "and", "to", "of", "a", "an", "in", "is", "it", "for", "on", "my", "me", "i", "you", "your",
      "this", "that", "with", "was", "be", "are", "at", "as", "but", "or", "if", "so", "have", "has",
      "can", "not", "no", "do", "did", "from", "by", "we", "our", "they", "them", "there", "what",
      "when", "will", "would", "could", "just", "about", "its", "im", "been", "how", "please", "hi");

  private static final java.util.regex.Pattern NON_WORD = java.util.regex.Pattern.compile("[^\\p{L}\\p{N}]+");

  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
      if (w.length() > 1 && !STOPWORDS.contains(w)) {
        out.add(w);
      }
    }
    return out;
  }

  private static Map<String, Double> idf(List<SeedText> seeds) {
    Map<String, Integer> df = new HashMap<>();
    for (SeedText s : seeds) {
      words(s.text()).stream().distinct().forEach(w -> df.merge(w, 1, Integer::sum));
    }
    Map<String, Double> out = new HashMap<>();
    df.forEach((w, n) -> out.put(w, Math.log((1.0 + seeds.size()) / (1.0 + n)) + 1.0));
    return out;
  }

  /**
   * {@link #tfidf} without the 4096-wide array: each dimension sums its words' weights in the same
   * order, so the values are the same floats.
   */
  private Sparse sparseTfidf(String text) {
    double unseen = Math.log(1.0 + seeds.size()) + 1.0;
    java.util.TreeMap<Integer, float[]> sums = new java.util.TreeMap<>();
    for (String w : words(text)) {
      sums.computeIfAbsent(Math.floorMod(w.hashCode(), DIMS), d -> new float[1])[0] += (float) (double) idf.getOrDefault(w, unseen);
    }
    int[] dims = new int[sums.size()];
    float[] values = new float[sums.size()];
    int j = 0;
    for (var e : sums.entrySet()) {
      dims[j] = e.getKey();
      values[j++] = e.getValue()[0];
    }
    return new Sparse(dims, values);
  }

  private float[] tfidf(String text) {
    float[] v = new float[DIMS];
    double unseen = Math.log(1.0 + seeds.size()) + 1.0;
    for (String w : words(text)) {
      v[Math.floorMod(w.hashCode(), DIMS)] += (float) (double) idf.getOrDefault(w, unseen);
    }
    return v;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}
