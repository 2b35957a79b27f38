package dev.seedforge.evolve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.cli.ExitCodes;
import dev.seedforge.cli.Main;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Self-Instruct pack with two Evol-Instruct rounds against the loopback server, which rewrites
 * some tasks badly (copying the evolving prompt's markers, or changing nothing) and answers some
 * evolved tasks with refusals or with nothing: each bad one is rejected by its named filter, the
 * kept records name their depth, operation and parent, and the calls counted are the server's.
 */
@Timeout(600)
class EvolutionEndToEndTest {
  @TempDir Path dir;

  private static final List<String> TOPICS = List.of("beekeeping", "railways", "origami", "volcanoes", "glaciers", "chess", "orchards",
      "lighthouses", "typography", "astronomy", "pottery", "sailing", "vaccines", "bridges", "tides", "mosses");

  /** What the scripted server did, by kind. */
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

  private void count(String kind) {
    served.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
  }

  private int served(String kind) {
    AtomicInteger n = served.get(kind);
    return n == null ? 0 : n.get();
  }

  private static JsonNode task(String user) throws IOException {
    int start = user.indexOf("<task>\n") + "<task>\n".length();
    return Json.mapper().readTree(user.substring(start, user.indexOf("\n</task>", start)).strip());
  }

  private static String examples(String instruction, String input, String output) {
    ObjectNode item = Json.mapper().createObjectNode();
    item.put("instruction", instruction);
    item.put("input", input);
    item.put("output", output);
    ObjectNode root = Json.mapper().createObjectNode();
    root.putArray("examples").add(item);
    return Json.write(root);
  }

  private String respond(String system, String user) {
    try {
      if (system.contains("rewritten task as one JSON object")) {
        JsonNode t = task(user);
        String instruction = t.path("instruction").asText();
        String input = t.path("input").asText();
        count("rewrite");
        switch (Math.floorMod(instruction.hashCode(), 6)) {
          case 0 -> {
            count("copies_prompt");
            return examples("#Rewritten Prompt#: " + instruction + " Keep the answer brief.", input, "");
          }
          case 1 -> {
            count("no_new_information");
            return examples(instruction, input, "");
          }
          default -> {
            String topic = TOPICS.stream().filter(w -> !instruction.toLowerCase().contains(w))
                .skip(Math.floorMod(instruction.hashCode() / 7, 4)).findFirst().orElseThrow();
            return examples(instruction + " Relate your answer to " + topic + " in one concrete sentence.", input, "");
          }
        }
      }
      if (user.contains("Return this one task with its instruction and input copied unchanged")) {
        JsonNode t = task(user);
        String instruction = t.path("instruction").asText();
        count("answer");
        switch (Math.floorMod(instruction.hashCode(), 5)) {
          case 0 -> {
            count("refusal");
            return examples(instruction, t.path("input").asText(), "I'm sorry, but I cannot help with that request.");
          }
          case 1 -> {
            count("too_short");
            return examples(instruction, t.path("input").asText(), "It is.");
          }
          default -> {
            // answers differ in most words, so that no two of them are near duplicates of each other
            StringBuilder answer = new StringBuilder();
            java.util.Random r = new java.util.Random(instruction.hashCode());
            for (int i = 0; i < 4; i++) {
              answer.append("Step ").append(i + 1).append(" compares ").append(TOPICS.get(r.nextInt(TOPICS.size()))).append(" with ")
                  .append(TOPICS.get(r.nextInt(TOPICS.size()))).append(" and notes ").append(r.nextInt(900) + 100).append(" details. ");
            }
            return examples(instruction, t.path("input").asText(), answer.toString().strip());
          }
        }
      }
      if (user.contains("<examples>")) {
        return newTasks(user);
      }
      return null;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final List<String> VOCABULARY = List.of("harbour", "kettle", "meadow", "lantern", "saddle", "violin", "compass", "quarry",
      "falcon", "ledger", "tundra", "oyster", "pepper", "scarf", "tulip", "walnut", "anchor", "basil", "cedar", "dune", "ember", "fjord",
      "garnet", "hazel", "iris", "jasmine", "kiln", "lagoon", "marble", "nectar", "orchid", "prairie", "quill", "raven", "sorrel", "thistle",
      "umber", "velvet", "willow", "yarrow", "zinnia", "acorn", "bramble", "canyon", "delta", "estuary", "fennel", "glacier", "heron");
  /** The novel tasks served, to recognise them among later rounds' few-shot examples; and the near copies of an example served. */
  private final Set<String> novelServed = ConcurrentHashMap.newKeySet();
  private final Set<String> nearCopiesServed = ConcurrentHashMap.newKeySet();

  /** A new-task call: a near copy of its first example (not novel) and a task of fresh words; counts prompts showing a generated task. */
  private String newTasks(String user) throws IOException {
    String block = user.substring(user.lastIndexOf("<examples>\n") + "<examples>\n".length(), user.lastIndexOf("\n</examples>"));
    List<String> shown = new ArrayList<>();
    for (String line : block.split("\n")) {
      shown.add(Json.mapper().readTree(line).path("instruction").asText());
    }
    if (shown.stream().anyMatch(novelServed::contains)) {
      count("few_shot_with_generated");
    }
    java.util.Random r = new java.util.Random(user.hashCode());
    List<String> words = new ArrayList<>(VOCABULARY);
    java.util.Collections.shuffle(words, r);
    // eight words drawn from 49 and no fixed frame: two such tasks share a word or two, far under ROUGE-L 0.7
    String novel = "Explain " + String.join(" ", words.subList(0, 8)) + ".";
    String copy = shown.get(0) + " Answer briefly.";
    novelServed.add(novel);
    nearCopiesServed.add(copy);
    ObjectNode root = Json.mapper().createObjectNode();
    var list = root.putArray("examples");
    list.addObject().put("instruction", copy).put("input", "").put("output", "The answer follows from the " + words.get(9) + " and the " + words.get(10) + ".");
    list.addObject().put("instruction", novel).put("input", "").put("output", "Each of them links to the " + words.get(11) + " through the " + words.get(12) + ".");
    return Json.write(root);
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(file)) {
      for (String l : Files.readAllLines(file)) {
        out.add(Json.mapper().readTree(l));
      }
    }
    return out;
  }

  @Test
  void should_evolve_two_rounds_rejecting_each_bad_evolution_by_its_named_filter() throws IOException {
    try (LoopbackLlmServer server = new LoopbackLlmServer(3)) {
      server.responder(this::respond);
      Path pipeline = dir.resolve("evol.yaml");
      Files.writeString(pipeline, String.join("\n",
          "pack: " + Path.of("prompts/self-instruct").toAbsolutePath(),
          "seed: 42",
          "llm: {provider: openai, model: gpt-4o-mini, base_url: \"" + server.baseUrl() + "\", cache: \"" + dir.resolve("cache.sqlite") + "\"}",
          "generation: {calls_per_label: 1, examples_per_call: 2, few_shot: 2, max_rounds: 2}",
          "evolution: {rounds: 2, tasks_per_round: 12}",
          "self_instruct: {novelty_rouge_l: 0.7, few_shot_generated_share: 0.5}",
          "quality: {domain_check: false}",
          "targets: {per_label: 1000}",
          "output: {dir: out}",
          ""));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();

      int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "run", pipeline.toString());

      Path runDir = dir.resolve("out");
      assertThat(code).as(err + "\n" + (Files.exists(runDir.resolve("failed.jsonl")) ? Files.readString(runDir.resolve("failed.jsonl")) : "")).isEqualTo(ExitCodes.OK);
      JsonNode m = Json.mapper().readTree(runDir.resolve("manifest.json").toFile());
      // then: every bad evolution the server served is rejected by its own filter, naming its parent
      List<JsonNode> rejected = lines(runDir.resolve("rejected.jsonl"));
      for (String filter : List.of("copies_prompt", "no_new_information", "refusal", "too_short")) {
        List<JsonNode> of = rejected.stream().filter(r -> r.path("filter").asText().equals("evol_" + filter)).toList();
        assertThat(served(filter)).as(filter + " served").isPositive();
        assertThat(of).as(filter).hasSize(served(filter));
        of.forEach(r -> {
          assertThat(r.path("stage").asText()).isEqualTo("evolve");
          assertThat(r.path("reason").asText()).contains("depth ").contains("parent " + r.path("relatedId").asText());
          assertThat(r.has("score")).isTrue();
        });
      }
      // and Self-Instruct's rule rejects the near copies of an example, naming the task they copy
      List<JsonNode> notNovel = rejected.stream().filter(r -> r.path("filter").asText().equals("not_novel")).toList();
      assertThat(notNovel).isNotEmpty().allSatisfy(r -> {
        assertThat(nearCopiesServed).contains(r.path("fields").path("instruction").asText());
        assertThat(r.path("score").asDouble()).isGreaterThanOrEqualTo(0.7);
        assertThat(r.path("relatedId").asText()).isNotBlank();
      });
      assertThat(m.path("self_instruct").path("not_novel").asLong()).isEqualTo(notNovel.size());
      // and the later round's prompts show accepted generated tasks among their examples
      assertThat(served("few_shot_with_generated")).isPositive();
      // and the kept records say where they came from: depth 1 from seeds, depth 2 from a depth-1 task
      Set<String> seedIds = new HashSet<>();
      dev.seedforge.seed.SeedReader.read(Path.of("prompts/self-instruct/seeds.jsonl"), dev.seedforge.seed.TaskType.INSTRUCTION)
          .forEach(s -> seedIds.add(s.id()));
      List<JsonNode> provenance = new ArrayList<>(lines(runDir.resolve("train.provenance.jsonl")));
      provenance.addAll(lines(runDir.resolve("validation.provenance.jsonl")));
      Set<String> depthOne = new HashSet<>();
      List<JsonNode> depthTwo = new ArrayList<>();
      for (JsonNode p : provenance) {
        JsonNode e = p.path("evolution");
        if (e.isMissingNode()) {
          continue;
        }
        assertThat(e.path("operation").asText()).isIn("add_constraints", "deepen", "concretize", "increase_reasoning", "breadth");
        if (e.path("depth").asInt() == 1) {
          assertThat(seedIds).contains(e.path("parent_id").asText());
          depthOne.add(p.path("id").asText());
        } else {
          assertThat(e.path("depth").asInt()).isEqualTo(2);
          depthTwo.add(p);
        }
      }
      assertThat(depthOne).isNotEmpty();
      assertThat(depthTwo).isNotEmpty().allSatisfy(p -> assertThat(depthOne).contains(p.path("evolution").path("parent_id").asText()));
      JsonNode perDepth = m.path("evolution").path("per_depth");
      assertThat(perDepth.path("1").path("planned").asInt()).isEqualTo(12);
      assertThat(perDepth.path("2").path("planned").asInt()).isEqualTo(Math.min(12, depthOne.size()));
      assertThat(perDepth.path("1").path("kept").asInt()).isEqualTo(depthOne.size());
      assertThat(perDepth.path("2").path("kept").asInt()).isEqualTo(depthTwo.size());
      // and the calls counted are the server's: each rewrite, each answer and every other call once
      assertThat(served("rewrite")).isEqualTo(perDepth.path("1").path("planned").asInt() + perDepth.path("2").path("planned").asInt());
      assertThat(served("answer")).isEqualTo(perDepth.path("1").path("rewritten").asInt() + perDepth.path("2").path("rewritten").asInt());
      assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());
      assertThat(m.path("calls").path("planned").path("total").asLong()).isEqualTo(server.requestCount());
      // and the files pass validate
      assertThat(Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "validate", runDir.resolve("train.jsonl").toString()))
          .as(out.toString()).isEqualTo(ExitCodes.OK);
    }
  }
}
