package dev.seedforge.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.Fields;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.Problems;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.config.YamlFiles;
import dev.seedforge.seed.TaskType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Loads and checks a prompt pack, templates included, before anything is sent anywhere. */
public final class PackLoader {
  /** Variables every template may use. */
  public static final Set<String> LABEL_VARIABLES =
      Set.of("domain", "task_description", "label", "label_description", "labels", "n", "examples");

  /** Per-seed strategies may also name the seed they vary. */
  public static final Set<String> SEED_VARIABLES;

  /**
   * Chunk strategies see one document passage: its text, where it is from (document, page or
   * section), its section heading, and its neighbouring chunks (documents.neighbours), besides the
   * pack's domain and task, the number of examples and few-shot seeds.
   */
  public static final Set<String> CHUNK_VARIABLES =
      Set.of("domain", "task_description", "n", "examples", "chunk", "source", "heading", "neighbours");

  static {
    Set<String> s = new TreeSet<>(LABEL_VARIABLES);
    s.add("seed");
    SEED_VARIABLES = Set.copyOf(s);
  }

  private PackLoader() {}

  /** Loads the pack in {@code dir}; every file it names must be inside that folder. */
  public static Pack load(Path dir) {
    return load(dir, false);
  }

  /**
   * Loads the pack in {@code dir}. Unless {@code allowOutsidePaths} (the pipeline's
   * {@code pack_allow_outside_paths}), a seeds file or template that resolves outside the pack
   * folder, symbolic links followed, is an error: a pack from elsewhere must not be able to send
   * any file of the machine to the model.
   */
  public static Pack load(Path dir, boolean allowOutsidePaths) {
    Path file = dir.resolve("pack.yaml");
    String source = SpecLoader.display(file);
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException(source + ": cannot read the pack: " + e.getMessage().split("\n")[0]);
    }
    JsonNode root = YamlFiles.read(yaml, source);
    Problems problems = new Problems(source);
    PackFiles files = new PackFiles(dir, allowOutsidePaths, problems);
    Fields top = new Fields(root, "", problems, s -> s);
    String domain = top.string("domain", dir.getFileName().toString());
    String taskName = top.string("task", "classification");
    TaskType task = TaskType.parse(taskName);
    if (task == null) {
      problems.add("task", "expected classification, instruction, conversation or preference, got \"" + taskName + "\"");
      task = TaskType.CLASSIFICATION;
    }
    String description = top.string("description", "");
    String systemPrompt = top.requiredString("system_prompt");
    // Prompt distillation: the long system prompt teaches the generating model; the records carry this short one.
    String student = top.string("student_system_message", null);
    if (student != null && student.isBlank()) {
      problems.add("student_system_message", "is empty; write the short system message the fine-tuned model will get, or remove the key");
    }
    Map<String, String> labels = top.stringMap("labels");
    if (task == TaskType.CLASSIFICATION && labels.isEmpty()) {
      problems.add("labels", "a classification pack needs labels, each with a one-line description");
    }
    String seeds = top.string("seeds", "seeds.jsonl");
    Path seedsFile = files.resolve("seeds", seeds);
    List<Pack.Strategy> strategies = new ArrayList<>();
    JsonNode strategiesNode = top.raw("strategies");
    if (strategiesNode == null || !strategiesNode.isObject() || strategiesNode.isEmpty()) {
      problems.add("strategies", "a pack needs at least one strategy (name: {template: templates/x.txt})");
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = strategiesNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        Fields sf = new Fields(e.getValue(), "strategies." + e.getKey(), problems, s -> s);
        String templatePath = sf.requiredString("template");
        String basisName = sf.string("basis", "label");
        sf.string("description", "");
        sf.finish();
        Pack.Basis basis = switch (basisName == null ? "" : basisName) {
          case "seed" -> Pack.Basis.SEED;
          case "label" -> Pack.Basis.LABEL;
          case "chunk" -> Pack.Basis.CHUNK;
          default -> null;
        };
        if (basis == null) {
          problems.add("strategies." + e.getKey() + ".basis", "expected label, seed or chunk, got \"" + basisName + "\"");
          continue;
        }
        if (basis == Pack.Basis.CHUNK && task != TaskType.INSTRUCTION) {
          problems.add("strategies." + e.getKey() + ".basis", "basis chunk asks for question/answer examples: it needs task: instruction");
          continue;
        }
        if (templatePath == null) {
          continue;
        }
        Path tp = files.resolve("strategies." + e.getKey() + ".template", templatePath);
        if (tp == null) {
          continue;
        }
        try {
          String text = Files.readString(tp, StandardCharsets.UTF_8);
          Template t =
              Template.parse(
                  templatePath, text, SpecLoader.display(tp), task == TaskType.CONVERSATION ? ConversationPacks.variables(variables(basis)) : variables(basis));
          strategies.add(new Pack.Strategy(e.getKey(), basis, t));
        } catch (InvalidInputException ex) {
          problems.addAll(ex.problems());
        } catch (IOException ex) {
          problems.add("strategies." + e.getKey() + ".template", "cannot read " + tp + ": " + ex.getMessage());
        }
      }
    }
    Pack.Rubric rubric = rubric(top, task, problems);
    ConversationSettings conversation = ConversationPacks.settings(top, task, problems);
    dev.seedforge.pairs.PairSettings pairs = dev.seedforge.pairs.PairSettings.read(top, task, problems);
    EvolutionPrompts evolution = EvolutionPrompts.read(top, task, files, problems);
    top.finish();
    problems.throwIfAny();
    return new Pack(
        dir.toAbsolutePath().normalize().toString(),
        domain,
        task,
        description,
        systemPrompt.strip(),
        com.google.common.collect.ImmutableMap.copyOf(labels),
        seedsFile.toString(),
        List.copyOf(strategies),
        student == null ? null : student.strip(), rubric, conversation, pairs, evolution);
  }

  private static Set<String> variables(Pack.Basis basis) {
    return switch (basis) {
      case SEED -> SEED_VARIABLES;
      case LABEL -> LABEL_VARIABLES;
      case CHUNK -> CHUNK_VARIABLES;
    };
  }

  /** The optional {@code judge:} rubric: criteria (one line each) and scale {min, max}; left out, the task's default. */
  private static Pack.Rubric rubric(Fields top, TaskType task, Problems problems) {
    Pack.Rubric d = Pack.Rubric.defaultFor(task);
    if (!top.has("judge")) {
      top.raw("judge");
      return d;
    }
    Fields j = top.object("judge");
    List<String> criteria = j.stringList("criteria", d.criteria());
    if (criteria.isEmpty()) {
      problems.add("judge.criteria", "name at least one criterion, one line each");
    }
    Fields sc = j.object("scale");
    int min = sc.integer("min", d.min(), 0, 100);
    int max = sc.integer("max", d.max(), 1, 100);
    sc.finish();
    if (min >= max) {
      problems.add("judge.scale", "min must be below max, got " + min + " and " + max);
    }
    j.finish();
    return new Pack.Rubric(criteria, min, max);
  }

  /** Resolves the paths a pack names, relative to its folder, and keeps them inside it. */
  static final class PackFiles {
    private final Path dir;
    private final boolean allowOutside;
    private final Problems problems;
    private Path realDir;

    PackFiles(Path dir, boolean allowOutside, Problems problems) {
      this.dir = dir;
      this.allowOutside = allowOutside;
      this.problems = problems;
    }

    /** The file {@code value} of key {@code key} names, or null (and a problem) when it is missing or outside. */
    Path resolve(String key, String value) {
      Path file = dir.resolve(value).normalize();
      if (!Files.isRegularFile(file)) {
        problems.add(key, "no such file: " + SpecLoader.display(file));
        return null;
      }
      if (allowOutside) {
        return file;
      }
      try {
        if (realDir == null) {
          realDir = dir.toRealPath();
        }
        Path real = file.toRealPath();
        if (!real.startsWith(realDir)) {
          problems.add(key, value + " resolves outside the pack folder (to " + real + "); a pack may only name files inside "
              + SpecLoader.display(dir) + ": move the file into the pack, or set pack_allow_outside_paths: true in the pipeline file");
          return null;
        }
      } catch (IOException e) {
        problems.add(key, "cannot read " + SpecLoader.display(file) + ": " + e.getMessage());
        return null;
      }
      return file;
    }
  }
}
