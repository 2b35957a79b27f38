package dev.seedforge.dedup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Near-duplicate test data from real text: the Self-Instruct seed tasks (instructions, inputs,
 * outputs, and instruction + output of other tasks for more distinct bases), each perturbed by a
 * few word edits (replace, delete, insert, swap), so pairs fall on both sides of any threshold.
 */
public final class NearDupData {
  public static final Path SELF_INSTRUCT = Path.of("../shared/data/self-instruct/seed_tasks.jsonl");

  private NearDupData() {}

  public static boolean available() {
    return Files.isRegularFile(SELF_INSTRUCT);
  }

  /** The distinct real texts of the seed tasks with at least 5 words. */
  public static List<String> baseTexts() throws IOException {
    Set<String> out = new LinkedHashSet<>();
    for (String line : Files.readAllLines(SELF_INSTRUCT)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = Json.mapper().readTree(line);
      out.add(n.path("instruction").asText());
      for (JsonNode inst : n.path("instances")) {
        out.add(inst.path("input").asText());
        out.add(inst.path("output").asText());
      }
    }
    out.removeIf(t -> t.strip().split("\\s+").length < 5);
    return new ArrayList<>(out);
  }

  /** {@code n} texts: distinct bases (some combined from two texts) and perturbed copies of them. */
  public static List<String> records(int n, long seed) throws IOException {
    List<String> real = baseTexts();
    Random rnd = new Random(seed);
    List<String> vocab = new ArrayList<>();
    for (String t : real) {
      for (String w : t.split("\\s+")) {
        vocab.add(w);
      }
    }
    List<String> bases = new ArrayList<>(real);
    int wantBases = Math.max(real.size(), n / 3);
    while (bases.size() < wantBases) {
      bases.add(real.get(rnd.nextInt(real.size())) + " " + real.get(rnd.nextInt(real.size())));
    }
    List<String> out = new ArrayList<>(bases.subList(0, Math.min(bases.size(), n)));
    while (out.size() < n) {
      String base = bases.get(rnd.nextInt(bases.size()));
      out.add(perturb(base, rnd.nextInt(4), rnd, vocab));
    }
    return out;
  }

  public static String perturb(String text, int edits, Random rnd, List<String> vocab) {
    List<String> w = new ArrayList<>(List.of(text.strip().split("\\s+")));
    for (int e = 0; e < edits && w.size() > 2; e++) {
      int i = rnd.nextInt(w.size());
      switch (rnd.nextInt(4)) {
        case 0 -> w.set(i, vocab.get(rnd.nextInt(vocab.size())));
        case 1 -> w.remove(i);
        case 2 -> w.add(i, vocab.get(rnd.nextInt(vocab.size())));
        default -> {
          int j = Math.min(w.size() - 1, i + 1);
          String t = w.get(i);
          w.set(i, w.get(j));
          w.set(j, t);
        }
      }
    }
    return String.join(" ", w);
  }

  /** Recall and precision of the LSH method against brute-force Jaccard over all pairs. */
  public record Quality(long truePairs, long foundPairs, double pairRecall, long trueRecords, long flaggedRecords, double recordRecall, double recordPrecision) {}

  public static Quality measure(List<String> texts, MinHasher hasher, double threshold) {
    List<NearDuplicates.Sketch> sketches = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      sketches.add(new NearDuplicates.Sketch(String.format("r%06d", i), false, hasher.shingles(texts.get(i))));
    }
    LshBands bands = LshBands.forThreshold(threshold, hasher.numHashes());
    List<NearDuplicates.Assignment> found = NearDuplicates.findAll(sketches, hasher, bands, threshold);
    java.util.Map<String, String> clusterOf = new java.util.HashMap<>();
    for (NearDuplicates.Assignment a : found) {
      clusterOf.put(a.id(), a.keptId());
    }
    long truePairs = 0;
    long foundPairs = 0;
    boolean[] hasTwin = new boolean[texts.size()];
    for (int i = 0; i < sketches.size(); i++) {
      for (int j = i + 1; j < sketches.size(); j++) {
        if (MinHasher.jaccard(sketches.get(i).shingles(), sketches.get(j).shingles()) >= threshold) {
          truePairs++;
          hasTwin[i] = true;
          hasTwin[j] = true;
          String ci = clusterOf.get(sketches.get(i).id());
          if (ci != null && ci.equals(clusterOf.get(sketches.get(j).id()))) {
            foundPairs++;
          }
        }
      }
    }
    long trueRecords = 0;
    long flaggedTrue = 0;
    for (int i = 0; i < hasTwin.length; i++) {
      if (hasTwin[i]) {
        trueRecords++;
        if (clusterOf.containsKey(sketches.get(i).id())) {
          flaggedTrue++;
        }
      }
    }
    long flagged = clusterOf.size();
    return new Quality(
        truePairs, foundPairs, truePairs == 0 ? 1 : (double) foundPairs / truePairs,
        trueRecords, flagged, trueRecords == 0 ? 1 : (double) flaggedTrue / trueRecords,
        flagged == 0 ? 1 : (double) flaggedTrue / flagged);
  }
}
