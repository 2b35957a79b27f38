package dev.seedforge.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.seedforge.config.Fields;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.Problems;
import dev.seedforge.config.SpecLoader;
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
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Variables every template may use. */
  public static final Set<String> LABEL_VARIABLES =
      Set.of("domain", "task_description", "label", "label_description", "labels", "n", "examples");

  /** Per-seed strategies may also name the seed they vary. */
  public static final Set<String> SEED_VARIABLES;

  static {
    Set<String> s = new TreeSet<>(LABEL_VARIABLES);
    s.add("seed");
    SEED_VARIABLES = Set.copyOf(s);
  }

  private PackLoader() {}

  public static Pack load(Path dir) {
    Path file = dir.resolve("pack.yaml");
    String source = SpecLoader.display(file);
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new InvalidInputException(source + ": cannot read the pack: " + e.getMessage().split("\n")[0]);
    }
    Problems problems = new Problems(source);
    Fields top = new Fields(root, "", problems, s -> s);
    String domain = top.string("domain", dir.getFileName().toString());
    String taskName = top.string("task", "classification");
    TaskType task = TaskType.parse(taskName);
    if (task == null) {
      problems.add("task", "expected classification or instruction, got \"" + taskName + "\"");
      task = TaskType.CLASSIFICATION;
    }
    String description = top.string("description", "");
    String systemPrompt = top.requiredString("system_prompt");
    Map<String, String> labels = top.stringMap("labels");
    if (task == TaskType.CLASSIFICATION && labels.isEmpty()) {
      problems.add("labels", "a classification pack needs labels, each with a one-line description");
    }
    String seeds = top.string("seeds", "seeds.jsonl");
    Path seedsFile = dir.resolve(seeds).normalize();
    if (!Files.isRegularFile(seedsFile)) {
      problems.add("seeds", "no such file: " + SpecLoader.display(seedsFile));
    }
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
        Pack.Basis basis = "seed".equals(basisName) ? Pack.Basis.SEED : "label".equals(basisName) ? Pack.Basis.LABEL : null;
        if (basis == null) {
          problems.add("strategies." + e.getKey() + ".basis", "expected label or seed, got \"" + basisName + "\"");
          continue;
        }
        if (templatePath == null) {
          continue;
        }
        Path tp = dir.resolve(templatePath).normalize();
        if (!Files.isRegularFile(tp)) {
          problems.add("strategies." + e.getKey() + ".template", "no such file: " + SpecLoader.display(tp));
          continue;
        }
        try {
          String text = Files.readString(tp, StandardCharsets.UTF_8);
          Template t =
              Template.parse(
                  templatePath, text, SpecLoader.display(tp), basis == Pack.Basis.SEED ? SEED_VARIABLES : LABEL_VARIABLES);
          strategies.add(new Pack.Strategy(e.getKey(), basis, t));
        } catch (InvalidInputException ex) {
          problems.addAll(ex.problems());
        } catch (IOException ex) {
          problems.add("strategies." + e.getKey() + ".template", "cannot read " + tp + ": " + ex.getMessage());
        }
      }
    }
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
        List.copyOf(strategies));
  }
}
