package dev.seedforge.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.quality.DomainRelevanceFilter;
import dev.seedforge.quality.Filter;
import dev.seedforge.quality.QualityGate;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The noise filters on real instruction data, with the settings a user's instruction pack gets
 * (token bounds from the seeds, English, default noise bounds; relevance off, it is measured
 * elsewhere). Good outputs: the 175 Self-Instruct seed tasks' own outputs, each judged by a gate
 * built from the other half of the seed tasks (2 folds, so the length band and the seed share of
 * final punctuation never come from the output judged), plus real outputs with tables, code,
 * links, translations, grids, formulas and plots ({@code quality/instruction-good.jsonl}, judged by
 * a gate built from all the seed tasks). Degenerate outputs of a weak base model, built
 * mechanically from the same seed tasks: echoing the prompt, running on into the next prompt
 * block, loops, empty or near-empty answers, answers cut off mid-sentence.
 *
 * <p>Run with {@code mvn -B test -Pbench -Dtest=InstructionNoiseBenchmark}; prints BENCH lines: the
 * share of good outputs rejected by the gate and by each filter alone (target ≤ 5 %), and the share
 * of degenerate outputs the gate rejects, per kind (target ≥ 80 %).
 */
@Tag("benchmark")
class InstructionNoiseBenchmark {
  static final Path SELF_INSTRUCT = Path.of("../shared/data/self-instruct/seed_tasks.jsonl");
  static final Path TEMPLATE = Path.of("prompts/self-instruct/templates/new_task.txt");
  static final Pattern SENTENCE = Pattern.compile("[^.!?\\n]+[.!?]+");

  record Task(String instruction, String input, String output) {
    Candidate candidate() {
      return withOutput(output);
    }

    Candidate withOutput(String out) {
      return Candidate.of("generation", Map.of("instruction", instruction, "input", input, "output", out),
          new Candidate.Provenance(List.of("seed"), "new_task", "new_task", "bench", null, "req", 0), 0);
    }
  }

  static List<Task> seedTasks() throws IOException {
    List<Task> out = new ArrayList<>();
    for (String line : Files.readAllLines(SELF_INSTRUCT)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode t = Json.mapper().readTree(line);
      for (JsonNode i : t.path("instances")) {
        out.add(new Task(t.path("instruction").asText(), i.path("input").asText(), i.path("output").asText()));
      }
    }
    return out;
  }

  static List<Task> goodFixtures() throws IOException {
    List<Task> out = new ArrayList<>();
    try (InputStream in = InstructionNoiseBenchmark.class.getResourceAsStream("/quality/instruction-good.jsonl")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          JsonNode j = Json.mapper().readTree(line);
          out.add(new Task(j.path("instruction").asText(), j.path("input").asText(), j.path("output").asText()));
        }
      }
    }
    return out;
  }

  /** The quality settings of a pipeline file that sets only {@code language: en}, relevance off. */
  static PipelineSpec.Quality quality() {
    return new PipelineSpec.Quality(PipelineSpec.Quality.FROM_SEEDS, PipelineSpec.Quality.FROM_SEEDS, "en", 0.5, 6, List.of(),
        PipelineSpec.Noise.defaults(), new PipelineSpec.Relevance(false, 0, 0.1, 5, 0.7, false, false, 0, 1),
        PipelineSpec.Quality.DEFAULT_LENGTH_BAND);
  }

  static QualityGate gate(List<Task> seeds) throws IOException {
    List<String> outputs = seeds.stream().map(Task::output).toList();
    List<DomainRelevanceFilter.SeedText> texts = new ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      Task s = seeds.get(i);
      texts.add(new DomainRelevanceFilter.SeedText("s" + i, "generation", String.join("\n", s.instruction(), s.input(), s.output()).strip()));
    }
    return QualityGate.fromSpec(quality(), TaskType.INSTRUCTION,
        new QualityGate.Context(outputs, List.of(), Map.of(), List.of(Files.readString(TEMPLATE)), texts));
  }

  /** One judged candidate with the gate that judges it. */
  record Judged(String kind, Candidate candidate, QualityGate gate) {}

  @Test
  void good_outputs_are_kept_and_degenerate_ones_rejected() throws IOException {
    assumeTrue(Files.isRegularFile(SELF_INSTRUCT), "no Self-Instruct data in ../shared/data");
    List<Task> tasks = seedTasks();
    List<QualityGate> folds = List.of(gate(fold(tasks, 1)), gate(fold(tasks, 0)));
    QualityGate all = gate(tasks);

    List<Judged> good = new ArrayList<>();
    List<Judged> degenerate = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      Task t = tasks.get(i);
      QualityGate g = folds.get(i % 2);
      good.add(new Judged("self_instruct_seed", t.candidate(), g));
      Task next = tasks.get((i + 1) % tasks.size());
      degenerate.add(new Judged("echo", t.withOutput(echo(t, i)), g));
      degenerate.add(new Judged("run_on", t.withOutput(runOn(t, next, i)), g));
      degenerate.add(new Judged("loop", t.withOutput(loop(t, i)), g));
      degenerate.add(new Judged("empty", t.withOutput(List.of("", " ", ".", "Output:", "...", "-").get(i % 6)), g));
      cutOff(t).ifPresent(o -> degenerate.add(new Judged("truncated", t.withOutput(o), g)));
    }
    for (Task t : goodFixtures()) {
      good.add(new Judged("real_structured", t.candidate(), all));
    }

    System.out.println("BENCH instruction-noise gate " + all);
    Map<String, int[]> goodByKind = new TreeMap<>();
    Map<String, Integer> goodByFilter = new TreeMap<>();
    Map<String, Integer> alone = new TreeMap<>();
    int goodRejected = 0;
    for (Judged j : good) {
      Optional<QualityGate.Rejected> r = j.gate().firstRejection(j.candidate());
      int[] k = goodByKind.computeIfAbsent(j.kind(), x -> new int[2]);
      k[0]++;
      if (r.isPresent()) {
        k[1]++;
        goodRejected++;
        goodByFilter.merge(r.get().filter(), 1, Integer::sum);
        System.out.println("  rejected good (" + j.kind() + ") by " + r.get().filter() + ": " + r.get().verdict().reason()
            + " | " + clip(j.candidate().field("instruction")));
      }
      for (Filter f : j.gate().filters()) {
        if (!f.check(j.candidate()).keep()) {
          alone.merge(f.name(), 1, Integer::sum);
        }
      }
    }
    System.out.printf(Locale.ROOT, "BENCH instruction-noise good rejected %d/%d = %.1f%% (target <= 5%%)%n",
        goodRejected, good.size(), pct(goodRejected, good.size()));
    goodByKind.forEach((kind, k) -> System.out.printf(Locale.ROOT, "BENCH instruction-noise good kind=%s rejected %d/%d = %.1f%%%n",
        kind, k[1], k[0], pct(k[1], k[0])));
    for (Filter f : all.filters()) {
      System.out.printf(Locale.ROOT, "BENCH instruction-noise good filter=%s rejects alone %d/%d = %.1f%%, first %d%n",
          f.name(), alone.getOrDefault(f.name(), 0), good.size(), pct(alone.getOrDefault(f.name(), 0), good.size()),
          goodByFilter.getOrDefault(f.name(), 0));
    }

    Map<String, int[]> byKind = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> byKindFilter = new TreeMap<>();
    int degRejected = 0;
    for (Judged j : degenerate) {
      Optional<QualityGate.Rejected> r = j.gate().firstRejection(j.candidate());
      int[] k = byKind.computeIfAbsent(j.kind(), x -> new int[2]);
      k[0]++;
      if (r.isPresent()) {
        k[1]++;
        degRejected++;
        byKindFilter.computeIfAbsent(j.kind(), x -> new TreeMap<>()).merge(r.get().filter(), 1, Integer::sum);
      } else if (Boolean.getBoolean("bench.verbose")) {
        System.out.println("  kept degenerate (" + j.kind() + "): " + clip(j.candidate().field("output"))
            + " | " + clip(j.candidate().field("instruction")));
      }
    }
    System.out.printf(Locale.ROOT, "BENCH instruction-noise degenerate rejected %d/%d = %.1f%% (target >= 80%% per kind)%n",
        degRejected, degenerate.size(), pct(degRejected, degenerate.size()));
    byKind.forEach((kind, k) -> System.out.printf(Locale.ROOT, "BENCH instruction-noise degenerate kind=%s rejected %d/%d = %.1f%% by %s%n",
        kind, k[1], k[0], pct(k[1], k[0]), byKindFilter.getOrDefault(kind, Map.of())));

    speed(good, degenerate);

    assertThat(pct(goodRejected, good.size())).isLessThanOrEqualTo(5.0);
    byKind.forEach((kind, k) -> assertThat(pct(k[1], k[0])).as(kind).isGreaterThanOrEqualTo(80.0));
  }

  /**
   * The gate's cost per candidate on these texts, and the share of it spent reading what the
   * instruction asks for (once per candidate); best of 5 rounds after a warm-up.
   */
  static void speed(List<Judged> good, List<Judged> degenerate) {
    List<Judged> all = new ArrayList<>(good);
    all.addAll(degenerate);
    long bestGate = Long.MAX_VALUE;
    long bestAsks = Long.MAX_VALUE;
    int sink = 0;
    for (int round = 0; round < 8; round++) {
      long t0 = System.nanoTime();
      for (Judged j : all) {
        sink += j.gate().decide(j.candidate()).rejected().isPresent() ? 1 : 0;
      }
      long t1 = System.nanoTime();
      for (Judged j : all) {
        sink += dev.seedforge.quality.InstructionAsks.of(j.candidate().field("instruction")).asks().size();
      }
      long t2 = System.nanoTime();
      if (round >= 3) {
        bestGate = Math.min(bestGate, t1 - t0);
        bestAsks = Math.min(bestAsks, t2 - t1);
      }
    }
    System.out.printf(Locale.ROOT, "BENCH instruction-noise speed gate %.1f us/candidate, of which reading the asks %.2f us (%d candidates, best of 5, sink %d)%n",
        bestGate / 1e3 / all.size(), bestAsks / 1e3 / all.size(), all.size(), sink % 7);
  }

  static List<Task> fold(List<Task> tasks, int parity) {
    List<Task> out = new ArrayList<>();
    for (int i = parity; i < tasks.size(); i += 2) {
      out.add(tasks.get(i));
    }
    return out;
  }

  /** The prompt given back: the instruction, the instruction and input, or the input alone. */
  static String echo(Task t, int i) {
    return switch (t.input().isBlank() ? i % 2 : i % 3) {
      case 0 -> t.instruction();
      case 1 -> String.join("\n", t.instruction(), t.input()).strip();
      default -> t.input();
    };
  }

  /** The answer, then the next task's prompt block in one of the usual prompt formats. */
  static String runOn(Task t, Task next, int i) {
    String in = next.input().isBlank() ? "" : next.input();
    return switch (i % 3) {
      case 0 -> t.output() + "\n\nInstruction: " + next.instruction() + (in.isEmpty() ? "" : "\nInput: " + in) + "\nOutput: " + next.output();
      case 1 -> t.output() + "\n\n### Instruction:\n" + next.instruction() + "\n\n### Response:\n" + next.output();
      default -> t.output() + "\nTask 2: " + next.instruction() + "\nOutput: " + next.output();
    };
  }

  /** The first sentence (or line) said over and over, or the first five words looping. */
  static String loop(Task t, int i) {
    String out = t.output().strip();
    Matcher m = SENTENCE.matcher(out);
    String first = m.find() ? m.group().strip() : out.lines().findFirst().orElse(out).strip();
    return switch (i % 3) {
      case 0 -> String.join(" ", java.util.Collections.nCopies(8, first));
      case 1 -> String.join("\n", java.util.Collections.nCopies(8, first));
      default -> {
        String[] w = (t.instruction() + " " + out).split("\\s+");
        String five = String.join(" ", java.util.Arrays.copyOf(w, Math.min(5, w.length)));
        yield String.join(" ", java.util.Collections.nCopies(12, five));
      }
    };
  }

  /**
   * The answer cut inside its longest line, at 60 % of that line's words (a word that ends a
   * sentence moves the cut one word on), and nothing after: max_tokens reached mid-sentence. Only for
   * answers whose longest line has 12 words or more.
   */
  static Optional<String> cutOff(Task t) {
    String[] lines = t.output().strip().split("\\R");
    int longest = 0;
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].split("\\s+").length > lines[longest].split("\\s+").length) {
        longest = i;
      }
    }
    String[] w = lines[longest].strip().split("\\s+");
    if (w.length < 12) {
      return Optional.empty();
    }
    int cut = (int) Math.round(w.length * 0.6);
    while (cut < w.length - 1 && w[cut - 1].matches(".*[.!?:;]$")) {
      cut++;
    }
    List<String> kept = new ArrayList<>(List.of(lines).subList(0, longest));
    kept.add(String.join(" ", java.util.Arrays.copyOf(w, cut)));
    return Optional.of(String.join("\n", kept));
  }

  static double pct(int part, int whole) {
    return whole == 0 ? 0 : 100.0 * part / whole;
  }

  static String clip(String s) {
    String t = s.replace('\n', ' ');
    return t.length() > 90 ? t.substring(0, 90) + "…" : t;
  }
}
