package dev.seedforge.quality;

import dev.seedforge.config.PipelineSpec;
import java.util.List;
import java.util.Locale;

/**
 * The token_count filter's bounds. Written in the pipeline file they are used as they are; left
 * out, each is derived from the seeds (the texts the filter judges, OpenNLP tokens): the shortest
 * seed divided by {@code quality.length_band} (at least 1), the longest multiplied by it. So a
 * pack of one-line support messages gets a band around one-line messages, and a pack of long
 * answers does not have them cut at a generic maximum. Without seeds the old fixed defaults apply.
 *
 * @param seedMin the shortest seed in tokens, -1 without seeds
 * @param seedMax the longest seed in tokens, -1 without seeds
 */
public record TokenBounds(int min, int max, boolean minFromSeeds, boolean maxFromSeeds, int seedMin, int seedMax, double band) {
  public static final int FALLBACK_MIN = 3;
  public static final int FALLBACK_MAX = 256;

  public static TokenBounds of(PipelineSpec.Quality q, List<String> seedTexts) {
    int seedMin = -1;
    int seedMax = -1;
    for (String t : seedTexts) {
      int n = NlpTools.tokenCount(t);
      seedMin = seedMin < 0 ? n : Math.min(seedMin, n);
      seedMax = Math.max(seedMax, n);
    }
    boolean minDerived = q.minTokens() == PipelineSpec.Quality.FROM_SEEDS;
    boolean maxDerived = q.maxTokens() == PipelineSpec.Quality.FROM_SEEDS;
    double band = q.lengthBand();
    int min = !minDerived ? q.minTokens() : seedMin < 0 ? FALLBACK_MIN : Math.max(1, (int) Math.floor(seedMin / band));
    int max = !maxDerived ? q.maxTokens() : seedMax < 0 ? FALLBACK_MAX : Math.max(1, (int) Math.ceil(seedMax * band));
    // an explicit bound on one side and a derived one on the other must still make a range
    if (max < min) {
      if (maxDerived) {
        max = min;
      } else {
        min = max;
      }
    }
    return new TokenBounds(min, max, minDerived && seedMin >= 0, maxDerived && seedMax >= 0, seedMin, seedMax, band);
  }

  /** For the console and the manifest: {@code 3..80 tokens (from the seeds' 7..40, band 2)}. */
  public String describe() {
    String range = min + ".." + max + " tokens";
    if (!minFromSeeds && !maxFromSeeds) {
      return range + " (as configured)";
    }
    String which = minFromSeeds && maxFromSeeds ? "both" : minFromSeeds ? "the minimum" : "the maximum";
    return String.format(Locale.ROOT, "%s (%s from the seeds' %d..%d tokens with quality.length_band %s)",
        range, which, seedMin, seedMax, band == Math.rint(band) ? String.valueOf((long) band) : String.valueOf(band));
  }
}
