package dev.seedforge.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.seed.Seed;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A run directory written by hand, as a run would leave it: a tiny pack and pipeline file, a
 * manifest, rejected.jsonl and the data files, with markup in every text a user controls.
 */
final class RunDirFixture {
  static final String SEED_TEXT = "<script>alert('seed')</script> hello there";
  static final String KEPT_TEXT = "<img src=x onerror=alert(1)> good morning to you";
  static final String ODD_LABEL = "<i>odd</i>";
  static final String WARNING = "</script><script>alert('warning')</script>";

  final Path run;
  final Path pipeline;
  final String seedId;
  final ObjectNode manifest;

  RunDirFixture(Path dir) throws IOException {
    Path pack = Files.createDirectories(dir.resolve("prompts/p"));
    Files.writeString(pack.resolve("t.txt"), "Write {{n}} examples of {{label}}.\n");
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: x\nlabels: {greet: Greets., bye: Says goodbye.}\nstrategies:\n  new: {template: t.txt}\n");
    Files.writeString(pack.resolve("seeds.jsonl"), Json.write(Map.of("text", SEED_TEXT, "label", "greet")) + "\n"
        + Json.write(Map.of("text", "bye for now, see you", "label", "bye")) + "\n");
    pipeline = Files.createDirectories(dir.resolve("pipelines")).resolve("tiny.yaml");
    Files.writeString(pipeline, "# <script>in the pipeline file</script>\npack: ../prompts/p\n");
    seedId = Seed.of("greet", Map.of("text", SEED_TEXT), "", 0).id();
    run = Files.createDirectories(dir.resolve("output/tiny"));

    manifest = (ObjectNode) Json.mapper().readTree("""
        {"seedforge_version": "test",
         "pipeline": {"name": "tiny", "task": "classification", "seed": 7},
         "status": "complete",
         "seeds": {"total": 2, "per_label": {"bye": 1, "greet": 1}},
         "calls": {"planned": {"total": 4, "per_label": {"bye": 2, "greet": 2}},
                   "made": {"total": 3, "per_label": {"bye": 2, "greet": 1}},
                   "cached": {"total": 0}, "failed": {"total": 1, "per_label": {"greet": 1}}},
         "tokens": {"input": {"total": 1200}, "output": {"total": 300}},
         "cost": {"total": 0.00123, "per_label": {"bye": 0.0008, "greet": 0.00043}},
         "stages": {"generated": {"total": 9, "per_label": {"bye": 4, "greet": 5}},
                    "passed_quality": {"total": 7, "per_label": {"bye": 3, "greet": 4}},
                    "train": {"total": 3, "per_label": {"bye": 1, "greet": 2}},
                    "validation": {"total": 1, "per_label": {"bye": 1}}},
         "rejections": {"by_filter": {"dedup/near_copy_of_seed": {"total": 4, "per_label": {"greet": 4}},
                                      "quality/token_count": {"total": 2, "per_label": {"bye": 1, "<i>odd</i>": 1}}},
                        "all": {"total": 6},
                        "per_label": {"greet": {"dedup/near_copy_of_seed": 4}, "bye": {"quality/token_count": 1}, "<i>odd</i>": {"quality/token_count": 1}}},
         "acceptance": {"by_strategy": {"new": {"generated": 9, "kept": 3, "rate": 0.3333}},
                        "by_template": {"t.txt": {"generated": 9, "kept": 3, "rate": 0.3333}}},
         "balance": {"bye": {"available": 2, "quota": 2, "kept": 2}, "greet": {"available": 2, "quota": 2, "kept": 2}},
         "bias": {"near_duplicate_rate": 0.25,
                  "diversity": {"generated": {"records": 2, "distinct_1": 0.5, "distinct_2": 0.75},
                                "seeds": {"records": 2, "distinct_1": 0.9, "distinct_2": 1.0}}},
         "formats": {"openai-chat": {"kind": "openai-chat", "files": ["train.jsonl", "validation.jsonl"]}},
         "rounds": [{"round": 0, "new_requests": 4, "calls": {"sent": 4, "made": 4}, "available_per_label": {"bye": 2, "greet": 1}},
                    {"round": 1, "new_requests": 1, "calls": {"sent": 1, "made": 1}, "available_per_label": {"bye": 2, "greet": 2}}]}
        """);
    manifest.with("pipeline").put("file", pipeline.toString());
    manifest.putObject("warnings").put("label_model", WARNING);
    writeManifest();

    rejected(
        rejection("r1", "greet", "dedup", "near_copy_of_seed", "<b>copy</b> of the seed", seedId),
        rejection("r2", "greet", "dedup", "near_copy_of_seed", "second copy", seedId),
        rejection("r3", "greet", "dedup", "near_copy_of_seed", "third copy", seedId),
        rejection("r4", "greet", "dedup", "near_copy_of_seed", "fourth copy", seedId),
        rejection("r5", "bye", "quality", "token_count", "bye", null),
        rejection("r6", ODD_LABEL, "quality", "token_count", "x", null),
        rejection("r7", "bye", "dedup", "near_duplicate", "bye bye for now", "b9"),
        rejection("b9", "bye", "balance", "label_quota", "bye for now, friend", null));
    data("train.jsonl", chat(KEPT_TEXT, "greet"), chat("hi hi hi", "greet"), chat("so long and thanks", "bye"));
    data("validation.jsonl", chat("farewell then", "bye"));
  }

  void writeManifest() throws IOException {
    Files.writeString(run.resolve("manifest.json"), Json.pretty(manifest) + "\n");
  }

  static String rejection(String id, String label, String stage, String filter, String text, String relatedId) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", id).put("label", label).put("stage", stage).put("filter", filter)
        .put("reason", "<u>because</u> " + filter).put("score", 0.85).put("threshold", 0.8);
    if (relatedId != null) {
      n.put("relatedId", relatedId);
    }
    n.putObject("fields").put("text", text);
    n.put("strategy", "new");
    return Json.write(n);
  }

  void rejected(String... lines) throws IOException {
    Files.writeString(run.resolve("rejected.jsonl"), String.join("\n", lines) + "\n");
  }

  static String chat(String user, String label) {
    return Json.write(Map.of("messages", List.of(
        Map.of("role", "system", "content", "Classify."), Map.of("role", "user", "content", user), Map.of("role", "assistant", "content", label))));
  }

  void data(String file, String... lines) throws IOException {
    Files.writeString(run.resolve(file), String.join("\n", lines) + "\n");
  }
}
