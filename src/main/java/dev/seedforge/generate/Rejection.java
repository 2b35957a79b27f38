package dev.seedforge.generate;

import java.io.Serializable;
import java.util.Map;

/**
 * Why a candidate (or a response) did not make it: the stage and filter that rejected it, the
 * measured score against its threshold, and the related record (the kept duplicate, the copied
 * seed). {@code raw} keeps an unparseable response so nothing paid for is lost.
 */
public record Rejection(
    String id,
    String label,
    String stage,
    String filter,
    String reason,
    Double score,
    Double threshold,
    String relatedId,
    Map<String, String> fields,
    String raw,
    String requestId,
    String strategy,
    String templateId,
    String generator)
    implements Serializable {

  public static Rejection of(Candidate c, String stage, String filter, String reason, Double score, Double threshold, String relatedId) {
    Candidate.Provenance p = c.provenance();
    return new Rejection(
        c.id(), c.label(), stage, filter, reason, score, threshold, relatedId, c.fields(), null,
        p.requestId(), p.strategy(), p.templateId(), p.generator());
  }
}
