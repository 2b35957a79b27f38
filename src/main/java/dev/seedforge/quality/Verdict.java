package dev.seedforge.quality;

/** A filter's decision on one candidate: keep, or reject with the reason, measured score and threshold. */
public record Verdict(boolean keep, String reason, Double score, Double threshold, String relatedId) {
  public static final Verdict KEEP = new Verdict(true, null, null, null, null);

  public static Verdict reject(String reason, Double score, Double threshold) {
    return new Verdict(false, reason, score, threshold, null);
  }

  public static Verdict reject(String reason, Double score, Double threshold, String relatedId) {
    return new Verdict(false, reason, score, threshold, relatedId);
  }
}
