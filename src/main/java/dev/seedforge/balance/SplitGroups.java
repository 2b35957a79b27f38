package dev.seedforge.balance;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.generate.Candidate;
import dev.seedforge.dedup.LshBands;
import dev.seedforge.dedup.MinHasher;
import dev.seedforge.dedup.NearDuplicates;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The groups that the split keeps whole, so that no validation or test record has a close variant
 * in train. Two records of a label share a group when they share lineage (made from the same seed,
 * or one is that seed), when the Jaccard similarity of their word shingles is at least the bound
 * (found with the dedup stage's MinHash/LSH, banded for this lower bound, then checked exactly),
 * or when the cosine of their MiniLM embeddings is at least its bound; groups are the connected
 * components of these links and of dedup's near-duplicate clusters (union-find), so chains of
 * variants join.
 */
public final class SplitGroups {
  private SplitGroups() {}

  /**
   * What grouping reads of a record: {@code cluster} is its near-duplicate cluster from dedup
   * (always kept whole); {@code lineage} and {@code vector} are null when absent.
   */
  public record Member(String id, String cluster, String lineage, long[] shingles, float[] vector) {}

  /**
   * The bounds, with the shingles and hashes of dedup; a bound of 0 is off. {@code embeddingModel}
   * is null when embeddings are off, and then no cosine is computed.
   */
  public record Settings(boolean lineage, double jaccard, double cosine, int shingle, int numHashes, long seed, String embeddingModel)
      implements Serializable {
    public static Settings of(PipelineSpec.Split.Groups groups, PipelineSpec.Dedup dedup, long seed, String embeddingModel) {
      int shingle = groups.shingle() > 0 ? groups.shingle() : dedup.shingle();
      return new Settings(groups.lineage(), groups.jaccard(), groups.cosine(), shingle, dedup.numHashes(), seed, embeddingModel);
    }

    /** Whether cosine links and figures are computed: a bound and a model. */
    public boolean usesCosine() {
      return cosine > 0 && embeddingModel != null;
    }

    public MinHasher hasher() {
      return new MinHasher(shingle, numHashes, seed);
    }
  }

  /** Every member's group key (the smallest id in its group), and how many links of each kind joined them. */
  public record Result(Map<String, String> groupOf, int groups, int largest, int lineageLinks, int jaccardLinks, int cosineLinks) {}

  /**
   * The seed a record was made from, when it was made from one: a seed is its own lineage; a
   * lexical variant's, or a record of a seed-based strategy (its focus seed comes first in
   * {@code provenance.seedIds}), is that seed. Records of label-based strategies only saw seeds as
   * style examples, so they have none.
   */
  public static String lineageOf(Candidate c, Set<String> seedBasedStrategies) {
    if (ExactDedup.isSeed(c)) {
      return c.id();
    }
    List<String> seeds = c.provenance().seedIds();
    boolean fromOneSeed = "lexical".equals(c.provenance().generator()) || seedBasedStrategies.contains(c.provenance().strategy());
    return fromOneSeed && !seeds.isEmpty() ? seeds.get(0) : null;
  }

  /** Groups {@code members}; {@code cosine} links need every member's vector. */
  public static Result of(List<Member> members, Settings settings, MinHasher hasher) {
    int n = members.size();
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    Map<String, Integer> clusters = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Integer j = clusters.putIfAbsent(members.get(i).cluster(), i);
      if (j != null) {
        union(parent, i, j);
      }
    }
    int lineageLinks = 0;
    if (settings.lineage()) {
      Map<String, Integer> first = new HashMap<>();
      for (int i = 0; i < n; i++) {
        String l = members.get(i).lineage();
        if (l != null) {
          Integer j = first.putIfAbsent(l, i);
          if (j != null && union(parent, i, j)) {
            lineageLinks++;
          }
        }
      }
    }
    int jaccardLinks = settings.jaccard() > 0 ? jaccardLinks(members, settings.jaccard(), hasher, parent) : 0;
    int cosineLinks = settings.usesCosine() ? cosineLinks(members, settings.cosine(), parent) : 0;

    Map<Integer, String> key = new HashMap<>();
    Map<Integer, Integer> size = new HashMap<>();
    for (int i = 0; i < n; i++) {
      int r = root(parent, i);
      key.merge(r, members.get(i).id(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
      size.merge(r, 1, Integer::sum);
    }
    Map<String, String> groupOf = new HashMap<>();
    for (int i = 0; i < n; i++) {
      groupOf.put(members.get(i).id(), key.get(root(parent, i)));
    }
    int largest = size.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    return new Result(Map.copyOf(groupOf), key.size(), largest, lineageLinks, jaccardLinks, cosineLinks);
  }

  /** LSH buckets as in dedup, banded for {@code bound}; each bucket's pairs are checked exactly. */
  private static int jaccardLinks(List<Member> members, double bound, MinHasher hasher, int[] parent) {
    LshBands bands = LshBands.forThreshold(bound, hasher.numHashes());
    Map<String, Integer> index = new HashMap<>();
    Map<Long, List<NearDuplicates.Sketch>> buckets = new HashMap<>();
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      index.put(m.id(), i);
      NearDuplicates.Sketch s = new NearDuplicates.Sketch(m.id(), false, m.shingles());
      for (long k : NearDuplicates.bandKeys(hasher.signature(m.shingles()), bands)) {
        buckets.computeIfAbsent(k, x -> new ArrayList<>(2)).add(s);
      }
    }
    int links = 0;
    for (List<NearDuplicates.Sketch> bucket : buckets.values()) {
      if (bucket.size() < 2) {
        continue;
      }
      for (NearDuplicates.Edge e : NearDuplicates.verify(bucket, bound)) {
        if (union(parent, index.get(e.a()), index.get(e.b()))) {
          links++;
        }
      }
    }
    return links;
  }

  /** Every pair not yet joined is compared: the label's kept records, after its quota. */
  private static int cosineLinks(List<Member> members, double bound, int[] parent) {
    int links = 0;
    for (int i = 0; i < members.size(); i++) {
      float[] a = members.get(i).vector();
      if (a == null) {
        continue;
      }
      for (int j = i + 1; j < members.size(); j++) {
        float[] b = members.get(j).vector();
        if (b == null || root(parent, i) == root(parent, j)) {
          continue;
        }
        if (cosine(a, b) >= bound && union(parent, i, j)) {
          links++;
        }
      }
    }
    return links;
  }

  /** The cosine of two L2-normalised vectors. */
  static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int k = 0; k < a.length; k++) {
      dot += a[k] * b[k];
    }
    return dot;
  }

  private static boolean union(int[] parent, int a, int b) {
    int ra = root(parent, a);
    int rb = root(parent, b);
    if (ra == rb) {
      return false;
    }
    parent[Math.max(ra, rb)] = Math.min(ra, rb);
    return true;
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /**
   * How close an evaluation split comes to train: the largest Jaccard and cosine between any of its
   * records and any train record (cosine NaN without vectors), and how many of its records have a
   * train record at or above each bound (bounds of 0 count nothing). Exact: every pair is compared.
   */
  public record Closeness(double jaccard, double cosine, int overJaccard, int overCosine) {
    public static final Closeness NONE = new Closeness(0, Double.NaN, 0, 0);
  }

  public static Closeness closeness(List<Member> evaluation, List<Member> train, double jaccardBound, double cosineBound) {
    double maxJ = 0;
    double maxC = Double.NaN;
    int overJ = 0;
    int overC = 0;
    for (Member e : evaluation) {
      double bestJ = 0;
      double bestC = Double.NaN;
      for (Member t : train) {
        bestJ = Math.max(bestJ, MinHasher.jaccard(e.shingles(), t.shingles()));
        if (e.vector() != null && t.vector() != null) {
          double c = cosine(e.vector(), t.vector());
          bestC = Double.isNaN(bestC) ? c : Math.max(bestC, c);
        }
      }
      maxJ = Math.max(maxJ, bestJ);
      if (!Double.isNaN(bestC)) {
        maxC = Double.isNaN(maxC) ? bestC : Math.max(maxC, bestC);
      }
      if (jaccardBound > 0 && bestJ >= jaccardBound) {
        overJ++;
      }
      if (cosineBound > 0 && !Double.isNaN(bestC) && bestC >= cosineBound) {
        overC++;
      }
    }
    return new Closeness(maxJ, maxC, overJ, overC);
  }
}
