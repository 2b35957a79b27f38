package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded, sorted, whole-or-nothing JSONL files. */
class WriteJsonlFilesTest {
  @TempDir Path dir;

  @Test
  void should_write_every_file_sorted_by_key_then_line_from_its_parts_and_leave_no_temp_files() throws Exception {
    Random rnd = new Random(7);
    List<KV<String, KV<String, String>>> in = new ArrayList<>();
    List<KV<String, String>> expected = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      // repeated keys (ties broken by the line), unicode, and lines for a file in a folder
      String key = "k" + rnd.nextInt(1000);
      String line = "{\"n\":" + i + ",\"t\":\"é ✓ " + rnd.nextInt(50) + "\"}";
      in.add(KV.of("rejected.jsonl", KV.of(key, line)));
      expected.add(KV.of(key, line));
      in.add(KV.of("alpaca/train.jsonl", KV.of(key, line)));
    }
    in.add(KV.of("train.jsonl", KV.of("b", "{\"x\":2}")));
    in.add(KV.of("train.jsonl", KV.of("a", "{\"x\":1}")));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(Create.of(in).withCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))))
        .apply(new WriteJsonlFiles(dir.toString(), List.of("train.jsonl", "rejected.jsonl", "alpaca/train.jsonl", "failed.jsonl"), Set.of("train.jsonl")));
    p.run().waitUntilFinish();

    expected.sort(Comparator.comparing((KV<String, String> kv) -> kv.getKey()).thenComparing(KV::getValue));
    List<String> want = expected.stream().map(KV::getValue).toList();
    assertThat(Files.readAllLines(dir.resolve("rejected.jsonl"), StandardCharsets.UTF_8)).containsExactlyElementsOf(want);
    assertThat(Files.readAllLines(dir.resolve("alpaca/train.jsonl"), StandardCharsets.UTF_8)).containsExactlyElementsOf(want);
    // a file with no lines is still written, empty; the BOM goes first
    assertThat(Files.size(dir.resolve("failed.jsonl"))).isZero();
    byte[] train = Files.readAllBytes(dir.resolve("train.jsonl"));
    assertThat(new String(train, StandardCharsets.UTF_8)).isEqualTo("\uFEFF{\"x\":1}\n{\"x\":2}\n");
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.map(Path::getFileName).map(Path::toString)).noneMatch(n -> n.endsWith(".tmp"));
    }
    // the lines really were spread over several parts
    assertThat(expected.stream().map(kv -> WriteJsonlFiles.shard(kv.getKey())).distinct().count()).isEqualTo(WriteJsonlFiles.SHARDS);
  }
}
