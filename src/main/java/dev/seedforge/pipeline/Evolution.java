package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.dedup.ExactDedup;
import dev.seedforge.evolve.EvolutionPlanner;
import dev.seedforge.evolve.EvolveTasks;
import dev.seedforge.evolve.Novelty;
import dev.seedforge.evolve.NoveltyStage;
import dev.seedforge.accounting.RunContext;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The run's side of Evol-Instruct and of Self-Instruct's feedback: which requests are rewrites, the
 * accepted pool each round leaves for the next one (evolution parents, generated few-shot
 * examples), the kept counts per depth and operation, and the novelty stage.
 */
final class Evolution {
  /** The round's accepted generated records (id, label, fields, depth), read back by the driver; deleted after the run. */
  static final String ACCEPTED = ".accepted.jsonl";

  private Evolution() {}

  /** An accepted generated record as the next round sees it; depth 0 for a record that was not evolved. */
  record Accepted(String id, String label, Map<String, String> fields, int depth, int round, String root) {
    EvolutionPlanner.Parent asParent() {
      return new EvolutionPlanner.Parent(id, label, fields, root);
    }
  }

  /** The rewrite requests of depth 1: every seed (or evolution.tasks_per_round of them) is a parent. */
  static List<GenerationRequest> firstDepth(RunPlan plan) {
    List<EvolutionPlanner.Parent> parents = plan.seeds().stream()
        .map(s -> new EvolutionPlanner.Parent(s.id(), s.label(), s.fields(), s.id())).toList();
    return new EvolutionPlanner(plan.pack(), plan.spec(), plan.generator()).plan(1, 0, parents);
  }

  /**
   * The rewrite requests of the round after {@code rounds} rounds: depth {@code rounds + 1}, whose
   * parents are the tasks of depth {@code rounds} that the last round accepted; none once
   * evolution.rounds depths are planned.
   */
  static List<GenerationRequest> nextDepth(RunPlan plan, int rounds, Path outDir) throws IOException {
    int depth = rounds + 1;
    if (!evolving(plan) || depth > plan.spec().evolution().rounds()) {
      return List.of();
    }
    List<EvolutionPlanner.Parent> parents = readAccepted(outDir).stream().filter(a -> a.depth() == rounds).map(Accepted::asParent).toList();
    return new EvolutionPlanner(plan.pack(), plan.spec(), plan.generator()).plan(depth, rounds, parents);
  }

  /**
   * Refuses evolution the pack cannot do or the rounds cannot hold (exit 2), and returns the
   * warning of an offline run, which skips it: the lexical generator cannot rewrite a task.
   */
  static List<String> check(dev.seedforge.config.PipelineSpec spec, dev.seedforge.prompt.Pack pack, String generator) {
    String specFile = dev.seedforge.config.SpecLoader.display(Path.of(spec.sourceFile()));
    List<String> warnings = new ArrayList<>();
    if (spec.selfInstruct().noveltyOn() && RunPlan.LEXICAL.equals(generator)) {
      warnings.add(specFile + ": self_instruct.novelty_rouge_l: not applied offline: the lexical generator's variants are edits of a seed by design;"
          + " it applies to tasks a model writes");
    }
    if (!spec.evolution().on()) {
      return warnings;
    }
    List<String> problems = new ArrayList<>();
    if (pack.evolution() == null) {
      problems.add(specFile + ": evolution.rounds: the pack " + dev.seedforge.config.SpecLoader.display(Path.of(pack.dir()).resolve("pack.yaml"))
          + " has no evolution block; add one (template, answer_template) or set evolution.rounds: 0");
    }
    if (spec.generation().maxRounds() < spec.evolution().rounds()) {
      problems.add(specFile + ": evolution.rounds: " + spec.evolution().rounds() + " depths need as many rounds, but generation.max_rounds is "
          + spec.generation().maxRounds() + "; raise generation.max_rounds or lower evolution.rounds");
    }
    if (!problems.isEmpty()) {
      throw new dev.seedforge.config.InvalidInputException(problems);
    }
    if (RunPlan.LEXICAL.equals(generator)) {
      warnings.add(specFile + ": evolution: the lexical generator cannot rewrite tasks, so the " + spec.evolution().rounds()
          + " evolution rounds are skipped offline; set llm.base_url or " + spec.llm().apiKeyEnv() + " to evolve");
    } else if (spec.llm().cache() == null && spec.evolution().rounds() > 1) {
      warnings.add(specFile + ": evolution.rounds: depths after the first need the response cache (llm.cache); only depth 1 runs");
    }
    return warnings;
  }

  /**
   * The few-shot mix of the next round (self_instruct.few_shot_generated_share): the tasks the run
   * accepted so far, read from the last round's accepted pool; empty when the share is 0.
   */
  static java.util.Optional<dev.seedforge.generate.FewShotMix> fewShotMix(RunPlan plan) throws IOException {
    double share = plan.spec().selfInstruct().fewShotGeneratedShare();
    if (share <= 0) {
      return java.util.Optional.empty();
    }
    List<dev.seedforge.seed.Seed> pool = readAccepted(Path.of(plan.spec().output().dir())).stream()
        .map(a -> new dev.seedforge.seed.Seed(a.id(), a.label(), a.fields(), "generated", 0)).toList();
    return java.util.Optional.of(new dev.seedforge.generate.FewShotMix(pool, share, plan.spec().seed()));
  }

  /**
   * Whether the run applies not_novel: to generated instructions only; offline the lexical
   * variants are edits of one seed by design, and the rule would reject most of them.
   */
  static boolean checksNovelty(RunPlan plan) {
    return plan.spec().selfInstruct().noveltyOn() && plan.usesLlm() && plan.pack().task() == dev.seedforge.seed.TaskType.INSTRUCTION;
  }

  static boolean evolving(RunPlan plan) {
    return plan.usesLlm() && EvolutionPlanner.on(plan.spec(), plan.pack());
  }

  /** Whether later rounds read back the accepted pool. */
  static boolean feedsBack(RunPlan plan) {
    return evolving(plan) || plan.spec().selfInstruct().fewShotGeneratedShare() > 0;
  }

  static List<GenerationRequest> plain(List<GenerationRequest> requests) {
    return requests.stream().filter(r -> r.evolving() == null).toList();
  }

  static List<GenerationRequest> rewrites(List<GenerationRequest> requests) {
    return requests.stream().filter(r -> r.evolving() != null).toList();
  }

  /** The rewrite-and-answer step over the plan's rewrite requests. */
  static PCollectionTuple evolve(Pipeline p, RunPlan plan, RunContext run) {
    List<GenerationRequest> rewrites = rewrites(plan.requests());
    return p.apply("PlanRewrites", Create.of(rewrites).withCoder(JsonCoder.of(GenerationRequest.class)))
        .apply("Evolve", new EvolveTasks(plan.modelSettings(), run, new EvolutionPlanner(plan.pack(), plan.spec(), plan.generator()), rewrites.size()));
  }

  /** Self-Instruct's not_novel rule, against the seeds too when they do not join the dataset. */
  static NoveltyStage novelty(RunPlan plan) {
    return new NoveltyStage(plan.spec().selfInstruct().novelty(), plan.spec().seed());
  }

  /** Kept evolved records, per depth and operation. */
  static PCollection<KV<Ledger.Key, Long>> countKept(PCollection<Candidate> kept) {
    return kept.apply("CountEvolvedKept", FlatMapElements.into(new TypeDescriptor<KV<Ledger.Key, Long>>() {})
            .via((Candidate c) -> c.evolution() == null ? List.<KV<Ledger.Key, Long>>of()
                : List.of(Ledger.count(Counter.EVOLUTION, "depth/" + c.evolution().depth() + "/kept", c.label(), 1),
                    Ledger.count(Counter.EVOLUTION, "operation/" + c.evolution().operation() + "/kept", c.label(), 1))))
        .setCoder(Ledger.coder());
  }

  /** The accepted-pool lines of the work file: every generated record kept after the gate, dedup and novelty. */
  static PCollection<KV<String, KV<String, String>>> acceptedLines(PCollection<Candidate> kept) {
    return kept.apply("AcceptedLines", FlatMapElements.into(
            TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings())))
        .via((Candidate c) -> ExactDedup.isSeed(c) ? List.<KV<String, KV<String, String>>>of()
            : List.of(KV.of(ACCEPTED, KV.of(c.id(), Json.write(new Accepted(c.id(), c.label(), c.fields(),
                c.evolution() == null ? 0 : c.evolution().depth(), c.provenance().round(),
                c.evolution() == null || c.provenance().seedIds().isEmpty() ? c.id() : c.provenance().seedIds().get(0))))))));
  }

  static List<Accepted> readAccepted(Path outDir) throws IOException {
    Path file = outDir.resolve(ACCEPTED);
    List<Accepted> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!l.isBlank()) {
        out.add(Json.mapper().readValue(l, Accepted.class));
      }
    }
    return out;
  }

  /** The manifest's evolution section: the rounds asked for, and per depth and per operation the steps planned, rewritten, answered and kept. */
  static ObjectNode report(RunPlan plan, Counts counts) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("rounds", plan.spec().evolution().rounds());
    n.put("tasks_per_round", plan.spec().evolution().tasksPerRound());
    ObjectNode depth = n.putObject("per_depth");
    ObjectNode op = n.putObject("per_operation");
    for (String name : counts.names(Counter.EVOLUTION)) {
      String[] parts = name.split("/");
      if (parts.length != 3) {
        continue;
      }
      ObjectNode target = (parts[0].equals("depth") ? depth : op).with(parts[1]);
      target.put(parts[2], counts.tally(Counter.EVOLUTION, name).total());
    }
    return n;
  }

  /** The manifest's self_instruct section: the bounds in force and how many tasks the novelty rule checked and rejected. */
  static ObjectNode selfInstructReport(RunPlan plan, Counts counts) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("few_shot_generated_share", plan.spec().selfInstruct().fewShotGeneratedShare());
    n.put("novelty_rouge_l", plan.spec().selfInstruct().novelty());
    n.put("checked", counts.tally(Counter.NOVELTY, "checked").total());
    n.put(Novelty.FILTER, counts.tally(Counter.NOVELTY, Novelty.FILTER).total());
    return n;
  }
}
