package dev.seedforge.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedReaderTest {
  @TempDir Path dir;

  @Test
  void should_read_classification_seeds_with_stable_content_ids() throws IOException {
    Path f = dir.resolve("s.jsonl");
    Files.writeString(f, "{\"text\": \"Where is my order?\", \"label\": \"order_status\"}\n\n{\"text\": \"Refund please\", \"label\": \"refund\"}\n");

    List<Seed> seeds = SeedReader.read(f, TaskType.CLASSIFICATION);
    Path g = dir.resolve("other.jsonl");
    Files.writeString(g, "{\"label\": \"refund\", \"text\": \"Refund please\"}\n");

    assertThat(seeds).extracting(Seed::label).containsExactly("order_status", "refund");
    assertThat(seeds.get(1).line()).isEqualTo(3);
    assertThat(SeedReader.read(g, TaskType.CLASSIFICATION).get(0).id()).isEqualTo(seeds.get(1).id());
  }

  @Test
  void should_list_every_bad_line_with_file_and_line() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    byte[] invalidUtf8 = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
    Files.write(f, concat(
        "{\"text\": \"fine\", \"label\": \"a\"}\n{not json}\n{\"label\": \"a\"}\n{\"text\": \"  \", \"label\": \"a\"}\n[1,2]\n{\"text\": \"no label\"}\n".getBytes(StandardCharsets.UTF_8),
        invalidUtf8));

    assertThatThrownBy(() -> SeedReader.read(f, TaskType.CLASSIFICATION))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).satisfiesExactly(
            p -> assertThat(p).contains("bad.jsonl:2: not valid JSON (").endsWith("each line must be one JSON object"),
            p -> assertThat(p).endsWith("bad.jsonl:3: missing field \"text\" (a classification seed needs text)"),
            p -> assertThat(p).endsWith("bad.jsonl:4: empty field \"text\" (a classification seed needs text)"),
            p -> assertThat(p).endsWith("bad.jsonl:5: expected a JSON object, got array"),
            p -> assertThat(p).endsWith("bad.jsonl:6: missing field \"label\" (a classification seed needs text and label)"),
            p -> assertThat(p).endsWith("bad.jsonl:7: not valid UTF-8; re-save the file as UTF-8")));
  }

  @Test
  void should_tolerate_a_byte_order_mark_and_crlf() throws IOException {
    Path f = dir.resolve("bom.jsonl");
    Files.write(f, concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "{\"text\": \"hi there\", \"label\": \"a\"}\r\n".getBytes(StandardCharsets.UTF_8)));

    assertThat(SeedReader.read(f, TaskType.CLASSIFICATION)).singleElement().satisfies(s -> assertThat(s.field("text")).isEqualTo("hi there"));
  }

  @Test
  void should_read_instruction_seeds_from_csv_with_category_as_label() throws IOException {
    Path f = dir.resolve("s.csv");
    Files.writeString(f, "instruction,input,output,category\n\"Add the numbers\",\"2, 3\",5,math\nSay hi,,Hi!,\n");

    List<Seed> seeds = SeedReader.read(f, TaskType.INSTRUCTION);

    assertThat(seeds).hasSize(2);
    assertThat(seeds.get(0).label()).isEqualTo("math");
    assertThat(seeds.get(0).field("input")).isEqualTo("2, 3");
    assertThat(seeds.get(1).label()).isNull();
    assertThat(seeds.get(1).line()).isEqualTo(3);
  }

  @Test
  void should_name_the_csv_line_of_a_row_missing_its_output() throws IOException {
    Path f = dir.resolve("s.csv");
    Files.writeString(f, "instruction,input,output\nDo x,,done\nDo y,,\n");

    assertThatThrownBy(() -> SeedReader.read(f, TaskType.INSTRUCTION))
        .hasMessageEndingWith("s.csv:3: empty field \"output\" (a instruction seed needs instruction, output)");
  }

  @Test
  void should_refuse_a_seed_longer_than_the_limit_naming_its_line() throws IOException {
    // given: a 1 MB seed line between two ordinary ones
    Path f = dir.resolve("s.jsonl");
    Files.writeString(f, "{\"text\": \"short one\", \"label\": \"a\"}\n{\"text\": \"" + "word ".repeat(200_000) + "\", \"label\": \"a\"}\n"
        + "{\"text\": \"" + "x".repeat(16_000) + "\", \"label\": \"a\"}\n");

    // when / then
    assertThatThrownBy(() -> SeedReader.read(f, TaskType.CLASSIFICATION))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
            .endsWith("s.jsonl:2: the seed has 999,999 characters, more than the 16,000 a seed may have (all its fields together); shorten it or split it into several seeds")));
  }

  @Test
  void should_count_every_field_of_an_instruction_seed_against_the_limit() throws IOException {
    // given
    Path f = dir.resolve("s.jsonl");
    Files.writeString(f, "{\"instruction\": \"" + "i".repeat(9000) + "\", \"input\": \"\", \"output\": \"" + "o".repeat(9000) + "\"}\n");

    // when / then
    assertThatThrownBy(() -> SeedReader.read(f, TaskType.INSTRUCTION))
        .hasMessageContaining("s.jsonl:1: the seed has 18,000 characters, more than the 16,000");
  }

  @Test
  void should_report_a_csv_header_without_the_needed_columns_once() throws IOException {
    // given
    Path f = dir.resolve("s.csv");
    Files.writeString(f, "message,intent\nhello there,a\nwhere is it,b\nthird row,a\n");

    // when / then
    assertThatThrownBy(() -> SeedReader.read(f, TaskType.CLASSIFICATION))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
            .endsWith("s.csv:1: the header names the columns message, intent; a classification seed file needs the columns text, label (or category)")));
  }

  @Test
  void should_report_an_instruction_csv_header_missing_output_once() throws IOException {
    // given
    Path f = dir.resolve("s.csv");
    Files.writeString(f, "instruction,input,answer\nDo x,,done\nDo y,,ok\n");

    // when / then
    assertThatThrownBy(() -> SeedReader.read(f, TaskType.INSTRUCTION))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
            .endsWith("s.csv:1: the header names the columns instruction, input, answer; an instruction seed file needs the columns instruction, output (input, label or category optional)")));
  }

  @Test
  void should_read_the_real_self_instruct_seed_tasks_converted_to_instruction_seeds() throws IOException {
    Path src = Path.of("../shared/data/self-instruct/seed_tasks.jsonl");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(src), "shared data not present");
    StringBuilder converted = new StringBuilder();
    for (String line : Files.readAllLines(src)) {
      var n = dev.seedforge.util.Json.mapper().readTree(line);
      var inst = n.path("instances").get(0);
      var m = new java.util.LinkedHashMap<String, String>();
      m.put("instruction", n.path("instruction").asText());
      m.put("input", inst.path("input").asText());
      m.put("output", inst.path("output").asText());
      converted.append(dev.seedforge.util.Json.write(m)).append('\n');
    }
    Path f = dir.resolve("si.jsonl");
    Files.writeString(f, converted);

    assertThat(SeedReader.read(f, TaskType.INSTRUCTION)).hasSize(175);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
