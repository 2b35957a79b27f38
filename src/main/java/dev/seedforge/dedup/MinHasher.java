package dev.seedforge.dedup;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Word shingles and MinHash signatures. A text is normalised ({@link TextNormalizer}), split into
 * words, and every run of {@code shingle} consecutive words is hashed to 64 bits (murmur3); a text
 * shorter than one shingle is a single shingle. The signature holds, for each of {@code numHashes}
 * hash functions, the smallest hash over the shingles; two signatures agree in a position with
 * probability equal to the Jaccard similarity of the shingle sets. Immutable and serializable.
 */
public final class MinHasher implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final HashFunction MURMUR = Hashing.murmur3_128(0x5eed);

  private final int shingle;
  private final long[] salts;

  public MinHasher(int shingle, int numHashes, long seed) {
    if (shingle < 1 || numHashes < 1) {
      throw new IllegalArgumentException("shingle and numHashes must be positive");
    }
    this.shingle = shingle;
    this.salts = new long[numHashes];
    long s = seed ^ 0x9E3779B97F4A7C15L;
    for (int i = 0; i < numHashes; i++) {
      s = mix(s + 0x9E3779B97F4A7C15L);
      salts[i] = s | 1L;
    }
  }

  public int shingleSize() {
    return shingle;
  }

  public int numHashes() {
    return salts.length;
  }

  /** The sorted, distinct 64-bit hashes of the text's word shingles; empty for a blank text. */
  public long[] shingles(String text) {
    String norm = TextNormalizer.normalize(text);
    if (norm.isEmpty()) {
      return new long[0];
    }
    String[] words = norm.split(" ");
    int n = Math.max(1, words.length - shingle + 1);
    long[] out = new long[n];
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.setLength(0);
      for (int j = i; j < Math.min(words.length, i + shingle); j++) {
        b.append(words[j]).append(' ');
      }
      out[i] = MURMUR.hashString(b, StandardCharsets.UTF_8).asLong();
    }
    Arrays.sort(out);
    return distinct(out);
  }

  /** The MinHash signature of a sorted shingle set (all {@code Long.MAX_VALUE} for an empty set). */
  public long[] signature(long[] shingles) {
    long[] sig = new long[salts.length];
    Arrays.fill(sig, Long.MAX_VALUE);
    for (long x : shingles) {
      for (int i = 0; i < salts.length; i++) {
        long h = mix(x * salts[i] + salts[i]);
        if (h < sig[i]) {
          sig[i] = h;
        }
      }
    }
    return sig;
  }

  /** Exact Jaccard similarity of two sorted distinct hash sets (1 for two empty sets). */
  public static double jaccard(long[] a, long[] b) {
    if (a.length == 0 && b.length == 0) {
      return 1.0;
    }
    int i = 0;
    int j = 0;
    int inter = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        inter++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return (double) inter / (a.length + b.length - inter);
  }

  /** The fraction of positions where two signatures agree: the MinHash estimate of Jaccard. */
  public static double estimate(long[] a, long[] b) {
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b[i]) {
        same++;
      }
    }
    return (double) same / a.length;
  }

  private static long[] distinct(long[] sorted) {
    int k = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        sorted[k++] = sorted[i];
      }
    }
    return k == sorted.length ? sorted : Arrays.copyOf(sorted, k);
  }

  /** The SplitMix64 finaliser: a bijective 64-bit mixer. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
