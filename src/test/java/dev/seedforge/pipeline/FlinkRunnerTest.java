package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.cli.RunCommand;
import dev.seedforge.config.PipelineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same job on Beam's Flink runner (an embedded Flink in this JVM; the runner is a test
 * dependency here and joins the jar with -Pflink): the offline example pipeline writes
 * byte-identical files to the DirectRunner's, and the manifest's counts agree.
 */
class FlinkRunnerTest {
  @TempDir Path dir;

  @Test
  void should_write_the_same_dataset_on_flink_as_on_the_direct_runner() throws Exception {
    Path direct = dir.resolve("direct");
    Path flink = dir.resolve("flink");
    PipelineSpec ds = PipelineEndToEndTest.spec("lexical", null, direct);
    PipelineSpec fs = PipelineEndToEndTest.spec("lexical", null, flink);
    Runner.Outcome d = Runner.run(RunPlan.prepare(ds, Map.of()), RunCommand.beamOptions(List.of()));
    Runner.Outcome f = Runner.run(RunPlan.prepare(fs, Map.of()), RunCommand.beamOptions(List.of("--runner=FlinkRunner", "--parallelism=2")));

    assertThat(f.manifest().path("run").path("runner").asText()).contains("Flink");
    for (String file : List.of("train.jsonl", "validation.jsonl", "rejected.jsonl", "failed.jsonl")) {
      assertThat(Files.readAllBytes(flink.resolve(file))).as(file).isEqualTo(Files.readAllBytes(direct.resolve(file)));
    }
    assertThat(Files.readAllLines(flink.resolve("train.jsonl"))).isNotEmpty();
    for (String section : List.of("stages", "rejections", "balance")) {
      JsonNode a = d.manifest().path(section);
      JsonNode b = f.manifest().path(section);
      assertThat(b).as(section).isEqualTo(a);
    }
  }
}
