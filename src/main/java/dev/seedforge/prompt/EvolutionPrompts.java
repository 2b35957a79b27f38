package dev.seedforge.prompt;

import dev.seedforge.config.Fields;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.Problems;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.seed.TaskType;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A pack's {@code evolution:} block (Evol-Instruct): the prompt that rewrites a task, the prompt
 * that answers the rewritten task, and the operations a rewrite may be asked to make. Only
 * instruction packs evolve.
 */
public record EvolutionPrompts(Template rewrite, Template answer, List<Operation> operations) implements Serializable {
  /** Variables of the rewrite template: {@code method} says what to change, {@code task} is the parent task as a JSON line. */
  public static final Set<String> REWRITE_VARIABLES = Set.of("domain", "task_description", "method", "task");
  /** Variables of the answer template: {@code task} is the evolved task as a JSON line. */
  public static final Set<String> ANSWER_VARIABLES = Set.of("domain", "task_description", "task");

  public EvolutionPrompts {
    operations = List.copyOf(operations);
  }

  /**
   * What a rewrite is asked to do, after WizardLM: four ways to make a task deeper (in-depth
   * evolving) and one to make a new task in the same domain (in-breadth evolving). The method text
   * is what the rewrite template's {@code {{method}}} says.
   */
  public enum Operation {
    ADD_CONSTRAINTS("add_constraints", "Add exactly one more constraint or requirement to the task, such as a limit on length, a format, an audience or a condition the answer must meet."),
    DEEPEN("deepen", "Where the task asks about a particular matter, ask about it in more depth: make it ask for the reasons, the consequences or the trade-offs involved."),
    CONCRETIZE("concretize", "Replace general concepts in the task with more specific ones: a named situation, concrete quantities, a particular kind of user or setting."),
    INCREASE_REASONING("increase_reasoning", "If the task can be solved in one or two obvious steps, rewrite it so that solving it takes several explicit steps of reasoning."),
    BREADTH("breadth", "Write a brand-new task in the same domain as the given one, on a rarer, more specialised topic, of about the same length and difficulty.");

    private final String wireName;
    private final String method;

    Operation(String wireName, String method) {
      this.wireName = wireName;
      this.method = method;
    }

    public String wireName() {
      return wireName;
    }

    public String method() {
      return method;
    }

    /** In-breadth evolving writes a new task; its parent's words need not carry over. */
    public boolean breadth() {
      return this == BREADTH;
    }

    public static Operation parse(String s) {
      for (Operation o : values()) {
        if (o.wireName.equals(s)) {
          return o;
        }
      }
      return null;
    }

    static String names() {
      return String.join(", ", java.util.Arrays.stream(values()).map(Operation::wireName).toList());
    }
  }

  /** Reads the block, or returns null when the pack has none; problems go to {@code problems}. */
  static EvolutionPrompts read(Fields top, TaskType task, PackLoader.PackFiles files, Problems problems) {
    if (!top.has("evolution")) {
      top.raw("evolution");
      return null;
    }
    Fields e = top.object("evolution");
    if (task != TaskType.INSTRUCTION) {
      problems.add("evolution", "Evol-Instruct rewrites instructions: it needs task: instruction");
    }
    Template rewrite = template(e, "template", REWRITE_VARIABLES, files, problems);
    Template answer = template(e, "answer_template", ANSWER_VARIABLES, files, problems);
    List<String> names = e.stringList("operations", java.util.Arrays.stream(Operation.values()).map(Operation::wireName).toList());
    List<Operation> ops = new ArrayList<>();
    for (String n : names) {
      Operation o = Operation.parse(n.toLowerCase(Locale.ROOT));
      if (o == null) {
        problems.add("evolution.operations", "unknown operation \"" + n + "\"; expected some of " + Operation.names());
      } else if (!ops.contains(o)) {
        ops.add(o);
      }
    }
    if (names.isEmpty()) {
      problems.add("evolution.operations", "name at least one of " + Operation.names());
    }
    e.finish();
    return rewrite == null || answer == null || ops.isEmpty() ? null : new EvolutionPrompts(rewrite, answer, ops);
  }

  private static Template template(Fields e, String key, Set<String> variables, PackLoader.PackFiles files, Problems problems) {
    String path = e.requiredString(key);
    if (path == null) {
      return null;
    }
    Path file = files.resolve("evolution." + key, path);
    if (file == null) {
      return null;
    }
    try {
      return Template.parse(path, Files.readString(file, StandardCharsets.UTF_8), SpecLoader.display(file), variables);
    } catch (InvalidInputException ex) {
      problems.addAll(ex.problems());
    } catch (IOException ex) {
      problems.add("evolution." + key, "cannot read " + file + ": " + ex.getMessage());
    }
    return null;
  }
}
