package dev.seedforge.dedup;

import dev.seedforge.util.Hashes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain-Java logic of near-duplicate removal, used by {@link NearDedup} and testable without
 * Beam: (1) every record is sketched (word shingles + MinHash); (2) records that agree on all rows
 * of some LSH band meet in one bucket, where every candidate pair is verified with the exact
 * Jaccard similarity of its shingle sets, so only pairs at or above the threshold become edges;
 * (3) the edges' connected components are the clusters. Each cluster keeps its preferred member
 * (seeds first, then the smallest id) and every seed; the other members are dropped naming the
 * kept one.
 */
public final class NearDuplicates {
  private NearDuplicates() {}

  /** What dedup needs of a record: its id, whether it is a seed, and its sorted shingle hashes. */
  public record Sketch(String id, boolean seed, long[] shingles) implements Serializable {}

  /** A verified near-duplicate pair; {@code a} precedes {@code b} in preference order. */
  public record Edge(String a, boolean aSeed, String b, boolean bSeed, double jaccard) implements Serializable {}

  /**
   * The verdict on one record that has at least one near duplicate. {@code keep} for the cluster's
   * representative and for seeds; {@code neighbor} is the most similar verified neighbour and
   * {@code jaccard} the exact similarity to it.
   */
  public record Assignment(String id, String keptId, boolean keptIsSeed, String neighbor, double jaccard, boolean keep, int clusterSize)
      implements Serializable {}

  public static final Comparator<Sketch> PREFERENCE =
      Comparator.comparing((Sketch s) -> !s.seed()).thenComparing(Sketch::id);

  /** The LSH bucket keys of a signature, one per band (band index included). */
  public static long[] bandKeys(long[] signature, LshBands bands) {
    long[] keys = new long[bands.bands()];
    for (int b = 0; b < bands.bands(); b++) {
      long h = MinHasher.mix(b + 0x632BE59BD9B4E019L);
      for (int r = 0; r < bands.rows(); r++) {
        h = MinHasher.mix(h ^ signature[b * bands.rows() + r]);
      }
      keys[b] = h;
    }
    return keys;
  }

  /**
   * The verified edges within one bucket: pairs are compared in preference order and a pair
   * already connected through earlier edges is not compared again, so a bucket of k copies costs
   * about k exact comparisons and yields at most k - 1 edges.
   */
  public static List<Edge> verify(List<Sketch> bucket, double threshold) {
    List<Edge> edges = new ArrayList<>();
    if (bucket.size() < 2) {
      return edges;
    }
    List<Sketch> sorted = new ArrayList<>(bucket);
    sorted.sort(PREFERENCE);
    int[] parent = new int[sorted.size()];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (int i = 0; i < sorted.size(); i++) {
      for (int j = i + 1; j < sorted.size(); j++) {
        int ri = root(parent, i);
        int rj = root(parent, j);
        if (ri == rj) {
          continue;
        }
        Sketch a = sorted.get(i);
        Sketch b = sorted.get(j);
        if (a.id().equals(b.id())) {
          parent[rj] = ri;
          continue;
        }
        double jac = MinHasher.jaccard(a.shingles(), b.shingles());
        if (jac >= threshold) {
          parent[Math.max(ri, rj)] = Math.min(ri, rj);
          edges.add(new Edge(a.id(), a.seed(), b.id(), b.seed(), jac));
        }
      }
    }
    return edges;
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /** Clusters the edges into connected components and assigns every node met in an edge. */
  public static List<Assignment> cluster(Iterable<Edge> edges) {
    Map<String, String> parent = new HashMap<>();
    Map<String, Boolean> seed = new HashMap<>();
    Map<String, String> bestNeighbor = new HashMap<>();
    Map<String, Double> bestJaccard = new HashMap<>();
    for (Edge e : edges) {
      seed.put(e.a(), e.aSeed());
      seed.put(e.b(), e.bSeed());
      parent.putIfAbsent(e.a(), e.a());
      parent.putIfAbsent(e.b(), e.b());
      String ra = find(parent, e.a());
      String rb = find(parent, e.b());
      if (!ra.equals(rb)) {
        parent.put(ra, rb);
      }
      note(bestNeighbor, bestJaccard, e.a(), e.b(), e.jaccard());
      note(bestNeighbor, bestJaccard, e.b(), e.a(), e.jaccard());
    }
    Map<String, List<String>> members = new HashMap<>();
    for (String id : parent.keySet()) {
      members.computeIfAbsent(find(parent, id), k -> new ArrayList<>()).add(id);
    }
    List<Assignment> out = new ArrayList<>();
    for (List<String> comp : members.values()) {
      String kept = comp.stream()
          .min(Comparator.comparing((String id) -> !seed.get(id)).thenComparing(id -> id))
          .orElseThrow();
      boolean keptIsSeed = seed.get(kept);
      for (String id : comp) {
        boolean keep = id.equals(kept) || seed.get(id);
        out.add(new Assignment(id, kept, keptIsSeed, bestNeighbor.get(id), bestJaccard.get(id), keep, comp.size()));
      }
    }
    out.sort(Comparator.comparing(Assignment::id));
    return out;
  }

  private static void note(Map<String, String> n, Map<String, Double> j, String id, String other, double jac) {
    Double cur = j.get(id);
    if (cur == null || jac > cur || (jac == cur && other.compareTo(n.get(id)) < 0)) {
      j.put(id, jac);
      n.put(id, other);
    }
  }

  private static String find(Map<String, String> parent, String id) {
    String root = id;
    while (!parent.get(root).equals(root)) {
      root = parent.get(root);
    }
    String cur = id;
    while (!cur.equals(root)) {
      String next = parent.get(cur);
      parent.put(cur, root);
      cur = next;
    }
    return root;
  }

  /**
   * The whole method in memory, for tests and small inputs: the assignments of every record that
   * has a verified near duplicate.
   */
  public static List<Assignment> findAll(List<Sketch> sketches, MinHasher hasher, LshBands bands, double threshold) {
    Map<Long, List<Sketch>> buckets = new HashMap<>();
    for (Sketch s : sketches) {
      for (long k : bandKeys(hasher.signature(s.shingles()), bands)) {
        buckets.computeIfAbsent(k, x -> new ArrayList<>()).add(s);
      }
    }
    List<Edge> edges = new ArrayList<>();
    for (List<Sketch> b : buckets.values()) {
      edges.addAll(verify(b, threshold));
    }
    return cluster(edges);
  }

  /** The cluster id written to kept candidates: a 52-bit number derived from the kept record's id. */
  public static double clusterNumber(String keptId) {
    return (double) (Hashes.draw(0, "cluster|" + keptId) & ((1L << 52) - 1));
  }
}
