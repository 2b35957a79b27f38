package dev.seedforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  static final Path FIXTURE = Path.of("src/test/resources/validate/chat-one-error-per-line.jsonl");
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void should_exit_2_and_print_every_error_with_its_line() {
    Result r = run("validate", FIXTURE.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.out()).contains(FIXTURE + ":2: error: invalid_json:");
    assertThat(r.out()).contains(FIXTURE + ":7: error: message_unrecognized_key: message 1: unknown key \"mood\"");
    assertThat(r.out()).contains("tokens per example (gpt-4o-mini, o200k_base): min ");
    assertThat(r.out()).contains("default epochs");
  }

  @Test
  void should_write_a_fixed_copy_and_list_each_change() throws Exception {
    Path fixed = dir.resolve("fixed.jsonl");
    Result r = run("validate", FIXTURE.toString(), "--fix", fixed.toString(), "--base-model", "gpt-3.5-turbo");

    assertThat(r.out()).contains(FIXTURE + ":3: fixed: dropped: not a JSON object");
    assertThat(r.out()).contains(FIXTURE + ":11: fixed: message 2: removed invalid weight 2");
    assertThat(Files.readAllLines(fixed)).hasSize(4);
    assertThat(run("validate", fixed.toString()).out()).doesNotContain("invalid").contains("too_few_examples");
  }

  @Test
  void should_exit_0_on_a_clean_file_and_2_on_bad_options() throws Exception {
    Path clean = dir.resolve("clean.jsonl");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      b.append("{\"messages\": [{\"role\": \"user\", \"content\": \"q").append(i).append("\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}\n");
    }
    Files.writeString(clean, b.toString());

    assertThat(run("validate", clean.toString()).code()).isZero();
    Result unknown = run("validate", clean.toString(), "--base-model", "llama3");
    assertThat(unknown.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(unknown.err()).contains("--base-model: no fine-tuning limits known for \"llama3\"");
    assertThat(run("validate", clean.toString(), "--format", "csv").err()).contains("--format: expected one of");
    assertThat(run("validate", dir.resolve("nope.jsonl").toString()).code()).isEqualTo(ExitCodes.BAD_INPUT);
  }
}
