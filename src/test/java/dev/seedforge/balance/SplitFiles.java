package dev.seedforge.balance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.dedup.MinHasher;
import dev.seedforge.quality.SentenceVectors;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How close a written validation file comes to its train file, read back from an openai-chat run
 * folder and measured on every pair of the same label, independently of what the manifest says.
 */
public final class SplitFiles {
  private SplitFiles() {}

  /** One measure's largest validation/train similarity, and the validation records at or above two bounds. */
  public record Measure(double largest, int atLeastHigh, int atLeastLow) {}

  public record Figures(int train, int validation, Measure shingles, Measure words, Measure cosine) {}

  private record Line(String label, String text) {}

  /** Word triples (the dedup default) and single words at 0.8 / 0.5; MiniLM cosine at 0.9 / 0.8 when asked for. */
  public static Figures measure(Path runDir, boolean cosine) throws IOException {
    Map<String, List<Line>> train = byLabel(read(runDir.resolve("train.jsonl")));
    Map<String, List<Line>> validation = byLabel(read(runDir.resolve("validation.jsonl")));
    Measure shingles = measure(train, validation, new MinHasher(3, 1, 0), false, 0.8, 0.5);
    Measure words = measure(train, validation, new MinHasher(1, 1, 0), false, 0.8, 0.5);
    Measure cos = cosine ? measure(train, validation, new MinHasher(3, 1, 0), true, 0.9, 0.8) : null;
    return new Figures(count(train), count(validation), shingles, words, cos);
  }

  private static Measure measure(Map<String, List<Line>> train, Map<String, List<Line>> validation, MinHasher hasher, boolean cosine,
      double high, double low) {
    double largest = 0;
    int atHigh = 0;
    int atLow = 0;
    for (Map.Entry<String, List<Line>> e : validation.entrySet()) {
      List<SplitGroups.Member> v = members(e.getValue(), hasher, cosine);
      List<SplitGroups.Member> t = members(train.getOrDefault(e.getKey(), List.of()), hasher, cosine);
      SplitGroups.Closeness h = cosine ? SplitGroups.closeness(v, t, 0, high) : SplitGroups.closeness(v, t, high, 0);
      SplitGroups.Closeness l = cosine ? SplitGroups.closeness(v, t, 0, low) : SplitGroups.closeness(v, t, low, 0);
      largest = Math.max(largest, cosine ? h.cosine() : h.jaccard());
      atHigh += cosine ? h.overCosine() : h.overJaccard();
      atLow += cosine ? l.overCosine() : l.overJaccard();
    }
    return new Measure(largest, atHigh, atLow);
  }

  private static List<SplitGroups.Member> members(List<Line> lines, MinHasher hasher, boolean cosine) {
    List<float[]> vectors = cosine ? SentenceVectors.embedAll(PipelineSpec.Relevance.MINILM, lines.stream().map(Line::text).toList()) : null;
    List<SplitGroups.Member> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      out.add(new SplitGroups.Member("r" + i, "r" + i, null, hasher.shingles(lines.get(i).text()), vectors == null ? null : vectors.get(i)));
    }
    return out;
  }

  private static List<Line> read(Path file) throws IOException {
    List<Line> out = new ArrayList<>();
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      JsonNode messages = Json.mapper().readTree(l).path("messages");
      String text = null;
      String label = null;
      for (JsonNode m : messages) {
        switch (m.path("role").asText()) {
          case "user" -> text = m.path("content").asText();
          case "assistant" -> label = m.path("content").asText();
          default -> { }
        }
      }
      out.add(new Line(label, text));
    }
    return out;
  }

  private static Map<String, List<Line>> byLabel(List<Line> lines) {
    Map<String, List<Line>> out = new TreeMap<>();
    lines.forEach(l -> out.computeIfAbsent(l.label(), k -> new ArrayList<>()).add(l));
    return out;
  }

  private static int count(Map<String, List<Line>> m) {
    return m.values().stream().mapToInt(List::size).sum();
  }
}
