package dev.seedforge.judge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.generate.ResponseParser;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a judge's reply: {@code {"verdicts": [{"id", "score", "label", "rationale"}]}}, also
 * inside code fences or prose, and what was complete of a reply cut short. A verdict is kept only
 * when it names a candidate of the batch and carries what the mode asks for (a score within the
 * scale, a label of the pack); the rest of the batch has no verdict.
 *
 * @param verdicts by candidate number (1-based)
 * @param problem why the reply, or part of it, was not usable; null when every candidate has a verdict
 */
public record JudgeReply(Map<Integer, Verdict> verdicts, String problem) {

  public static JudgeReply parse(String text, int batchSize, boolean rubric, double min, double max, boolean relabel, Set<String> labels) {
    if (text == null || text.isBlank()) {
      return new JudgeReply(Map.of(), "empty reply");
    }
    JsonNode root = ResponseParser.firstJsonValue(text);
    JsonNode items = root == null ? null : root.isArray() ? root : root.get("verdicts");
    if (items == null || !items.isArray()) {
      items = ResponseParser.salvage(text);
    }
    if (items == null || !items.isArray()) {
      return new JudgeReply(Map.of(), "no verdicts in the reply: " + start(text));
    }
    Map<Integer, Verdict> out = new LinkedHashMap<>();
    String problem = null;
    for (JsonNode v : items) {
      int id = v.path("id").asInt(-1);
      String why = invalid(v, id, batchSize, rubric, min, max, relabel, labels);
      if (why != null) {
        problem = problem == null ? why : problem;
        continue;
      }
      Double score = rubric ? v.get("score").asDouble() : null;
      String label = relabel ? v.get("label").asText() : null;
      out.putIfAbsent(id, new Verdict(score, label, v.path("rationale").asText("")));
    }
    if (out.size() < batchSize && problem == null) {
      problem = (batchSize - out.size()) + " of " + batchSize + " candidates have no verdict";
    }
    return new JudgeReply(Collections.unmodifiableMap(out), problem);
  }

  private static String invalid(JsonNode v, int id, int batchSize, boolean rubric, double min, double max, boolean relabel, Set<String> labels) {
    if (id < 1 || id > batchSize) {
      return "a verdict names no candidate of the batch (id " + v.path("id") + ")";
    }
    if (rubric) {
      JsonNode s = v.get("score");
      if (s == null || !s.isNumber() || s.asDouble() < min || s.asDouble() > max) {
        return "candidate " + id + ": score " + (s == null ? "missing" : s.toString()) + " is not a number from " + fmt(min) + " to " + fmt(max);
      }
    }
    if (relabel) {
      JsonNode l = v.get("label");
      if (l == null || !l.isTextual() || !labels.contains(l.asText())) {
        return "candidate " + id + ": label " + (l == null ? "missing" : l.toString()) + " is not one of the pack's labels";
      }
    }
    return null;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static String start(String text) {
    String t = text.strip().replace('\n', ' ');
    return t.length() > 120 ? t.substring(0, 120) + "…" : t;
  }
}
