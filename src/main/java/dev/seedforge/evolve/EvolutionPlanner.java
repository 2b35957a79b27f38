package dev.seedforge.evolve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.ChatTurn;
import dev.seedforge.generate.Endpoint;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.OutputContract;
import dev.seedforge.prompt.EvolutionPrompts;
import dev.seedforge.prompt.Pack;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans the calls of Evol-Instruct: for each parent task of a depth, one rewrite call with an
 * operation drawn from the pipeline seed, and, once the rewrite is back and has passed the
 * elimination rules, one call that answers the rewritten task. Both calls go through the same
 * cache, ledger and budget as any other.
 */
public final class EvolutionPlanner implements Serializable {
  /** The strategy name evolved candidates carry in provenance, rejections and acceptance. */
  public static final String STRATEGY = "evolve";

  /**
   * A task to evolve: a seed (depth 1) or a task the previous depth accepted; {@code root} is the
   * seed it descends from, which its evolved tasks name as their seed (their lineage in the split).
   */
  public record Parent(String id, String label, Map<String, String> fields, String root) implements Serializable {
    public Parent {
      fields = Map.copyOf(fields);
    }
  }

  private final Pack pack;
  private final EvolutionPrompts prompts;
  private final PipelineSpec spec;
  private final String provider;

  public EvolutionPlanner(Pack pack, PipelineSpec spec, String provider) {
    this.pack = pack;
    this.prompts = pack.evolution();
    this.spec = spec;
    this.provider = provider;
  }

  /** Whether this run evolves: the pipeline asks for rounds and the pack says how. */
  public static boolean on(PipelineSpec spec, Pack pack) {
    return spec.evolution().on() && pack.evolution() != null;
  }

  /** The operation drawn for the step of {@code depth} from parent {@code parentId}. */
  public EvolutionPrompts.Operation operation(int depth, String parentId) {
    List<EvolutionPrompts.Operation> ops = prompts.operations();
    return ops.get((int) Math.floorMod(Hashes.draw(spec.seed(), "evolve|" + depth + "|" + parentId), (long) ops.size()));
  }

  /**
   * The rewrite requests of one depth: at most {@code evolution.tasks_per_round} parents (0: all),
   * chosen by a draw from the pipeline seed, in id order for the same plan every time.
   */
  public List<GenerationRequest> plan(int depth, int round, List<Parent> parents) {
    List<Parent> chosen = new ArrayList<>(parents);
    chosen.sort(Comparator.comparingLong((Parent p) -> Hashes.draw(spec.seed(), "evolve-parent|" + depth + "|" + p.id())).thenComparing(Parent::id));
    int max = spec.evolution().tasksPerRound();
    if (max > 0 && chosen.size() > max) {
      chosen = chosen.subList(0, max);
    }
    List<GenerationRequest> out = new ArrayList<>();
    for (Parent p : chosen) {
      out.add(rewrite(depth, round, p));
    }
    out.sort(Comparator.comparing(GenerationRequest::id));
    return out;
  }

  GenerationRequest rewrite(int depth, int round, Parent parent) {
    EvolutionPrompts.Operation op = operation(depth, parent.id());
    Map<String, String> vars = new TreeMap<>();
    vars.put("domain", pack.domain());
    vars.put("task_description", pack.description());
    vars.put("method", op.method());
    vars.put("task", taskLine(parent.fields().getOrDefault("instruction", ""), parent.fields().getOrDefault("input", "")));
    List<ChatTurn> messages = List.of(
        new ChatTurn("system", pack.systemPrompt() + "\n\n" + REWRITE_CONTRACT),
        new ChatTurn("user", prompts.rewrite().render(vars)));
    GenerationRequest r = GenerationRequest.of(parent.label(), STRATEGY, prompts.rewrite().id(), List.of(parent.root()), messages,
        params("rewrite|" + depth + "|" + parent.id()), depth, round);
    return r.withEvolving(new GenerationRequest.Evolving(new Candidate.Evolution(depth, op.wireName(), parent.id()), parent.fields()));
  }

  /** The call that answers an evolved task; the rewrite request it follows names the step. */
  public GenerationRequest answer(GenerationRequest rewrite, String instruction, String input) {
    Map<String, String> vars = new TreeMap<>();
    vars.put("domain", pack.domain());
    vars.put("task_description", pack.description());
    vars.put("task", taskLine(instruction, input));
    List<ChatTurn> messages = List.of(
        new ChatTurn("system", pack.systemPrompt() + "\n\n" + OutputContract.instructions(TaskType.INSTRUCTION, 1)),
        new ChatTurn("user", prompts.answer().render(vars)));
    Candidate.Evolution step = rewrite.evolving().step();
    return GenerationRequest.of(rewrite.label(), STRATEGY, prompts.answer().id(), rewrite.seedIds(), messages,
        params("answer|" + step.depth() + "|" + step.parentId()), rewrite.sampleIndex(), rewrite.round());
  }

  /**
   * The contract of a rewrite call: the same JSON shape as every other call (so the same response
   * schema applies), with the output left empty, since the answer is a call of its own.
   */
  static final String REWRITE_CONTRACT = "Return exactly 1 rewritten task as one JSON object of this shape and nothing else: "
      + "{\"examples\": [{\"instruction\": \"...\", \"input\": \"...\", \"output\": \"\"}]} Use an empty string for input when the"
      + " instruction needs none, and leave output empty: the task is answered separately. Write only the new task itself, never a"
      + " heading or a reference to the prompt you were given.";

  private GenerationRequest.Params params(String drawKey) {
    PipelineSpec.Llm llm = spec.llm();
    return new GenerationRequest.Params(provider, Endpoint.normalized(provider, llm.baseUrl()), llm.model(), llm.temperature(), llm.topP(),
        llm.maxTokens(), 1, llm.responseFormat(), Hashes.draw(spec.seed(), drawKey) & 0x7fffffffL);
  }

  private static String taskLine(String instruction, String input) {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("instruction", instruction);
    m.put("input", input);
    return Json.write(m);
  }

  /** The texts a rewrite must not copy from: the rewrite template and every operation's method. */
  public List<String> promptTexts() {
    List<String> out = new ArrayList<>(List.of(prompts.rewrite().text(), REWRITE_CONTRACT));
    prompts.operations().forEach(o -> out.add(o.method()));
    return out;
  }
}
