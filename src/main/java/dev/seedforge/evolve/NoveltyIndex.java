package dev.seedforge.evolve;

import dev.seedforge.dedup.LshBands;
import dev.seedforge.dedup.MinHasher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pool of tasks a new task must differ from, for Self-Instruct's novelty rule. Exact ROUGE-L
 * is computed only against the tasks that share an LSH bucket with the new one (MinHash over word
 * unigrams), so checking n tasks costs about n look-ups instead of n² comparisons.
 *
 * <p>ROUGE-L's F-measure bounds the unigram Jaccard from below: with an LCS of F·(|a|+|b|)/2
 * tokens, the two share at least that many words, so J ≥ F / (2 − F), 0.54 at F = 0.7 (exactly
 * so for texts without repeated words). The bands are set for {@link #CANDIDATE_JACCARD}, a little
 * below, so nearly every pair over the bound is compared: NoveltyBenchmark finds every one of
 * them on 10,000 tasks made from the Self-Instruct seeds (0.4 found no more, and compared twice
 * as many pairs).
 */
public final class NoveltyIndex {
  /** The unigram Jaccard the LSH bands catch with probability 0.97. */
  public static final double CANDIDATE_JACCARD = 0.5;
  static final int NUM_HASHES = 128;

  /** The closest task in the pool and its ROUGE-L; null id when no candidate was compared. */
  public record Closest(String id, double score) {
    static final Closest NONE = new Closest(null, 0);
  }

  private final MinHasher hasher;
  private final LshBands bands;
  private final RougeL.Vocabulary vocabulary = new RougeL.Vocabulary();
  private final List<String> ids = new ArrayList<>();
  private final List<int[]> encoded = new ArrayList<>();
  private final List<Map<Long, List<Integer>>> buckets = new ArrayList<>();

  public NoveltyIndex(long seed) {
    this(LshBands.forThreshold(CANDIDATE_JACCARD, NUM_HASHES), seed);
  }

  NoveltyIndex(LshBands bands, long seed) {
    this.hasher = new MinHasher(1, bands.bands() * bands.rows(), seed);
    this.bands = bands;
    for (int b = 0; b < bands.bands(); b++) {
      buckets.add(new HashMap<>());
    }
  }

  public int size() {
    return ids.size();
  }

  /** The task of the pool with the highest ROUGE-L to {@code text} among the LSH candidates. */
  public Closest closest(String text) {
    return closest(vocabulary.encode(text), keys(text));
  }

  /** Adds a task to the pool. */
  public void add(String id, String text) {
    add(id, vocabulary.encode(text), keys(text));
  }

  /** Checks {@code text} against the pool and, when it is novel (under {@code bound}), adds it; returns the closest task either way. */
  public Closest checkAndAdd(String id, String text, double bound) {
    int[] tokens = vocabulary.encode(text);
    long[] keys = keys(text);
    Closest c = closest(tokens, keys);
    if (c.score() < bound) {
      add(id, tokens, keys);
    }
    return c;
  }

  private Closest closest(int[] tokens, long[] keys) {
    Set<Integer> seen = new HashSet<>();
    Closest best = Closest.NONE;
    for (int b = 0; b < keys.length; b++) {
      for (int i : buckets.get(b).getOrDefault(keys[b], List.of())) {
        if (seen.add(i)) {
          int[] other = encoded.get(i);
          // the LCS is at most the shorter text, so F <= 2·min / (m + n): skip what cannot beat the best so far
          if (2.0 * Math.min(tokens.length, other.length) / (tokens.length + other.length) < best.score()) {
            continue;
          }
          double s = RougeL.score(tokens, other);
          if (s > best.score() || (s == best.score() && best.id() != null && ids.get(i).compareTo(best.id()) < 0)) {
            best = new Closest(ids.get(i), s);
          }
        }
      }
    }
    return best;
  }

  private void add(String id, int[] tokens, long[] keys) {
    int i = ids.size();
    ids.add(id);
    encoded.add(tokens);
    for (int b = 0; b < keys.length; b++) {
      buckets.get(b).computeIfAbsent(keys[b], k -> new ArrayList<>(2)).add(i);
    }
  }

  /** One bucket key per band: a hash of that band's rows of the MinHash signature. */
  private long[] keys(String text) {
    long[] sig = hasher.signature(hasher.shingles(String.join(" ", RougeL.tokens(text))));
    long[] out = new long[bands.bands()];
    for (int b = 0; b < out.length; b++) {
      long h = 0x9E3779B97F4A7C15L * (b + 1);
      for (int r = 0; r < bands.rows(); r++) {
        h = Long.rotateLeft(h ^ sig[b * bands.rows() + r], 27) * 0x94D049BB133111EBL;
      }
      out[b] = h;
    }
    return out;
  }
}
