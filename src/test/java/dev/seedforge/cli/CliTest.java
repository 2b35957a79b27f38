package dev.seedforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.testing.LoopbackLlmServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees: exit codes and messages of the command line. */
class CliTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void should_print_version_and_help() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("seedforge ");
    assertThat(run("run", "--help")).isZero();
    assertThat(out.toString()).contains("PIPELINE.yaml").contains("--base-url").contains("Exit codes");
  }

  @Test
  void should_exit_2_naming_file_and_field_on_a_bad_pipeline_file() throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "pack: ../prompts/none\nllm:\n  temperature: hot\n");

    assertThat(run("run", f.toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("bad.yaml: llm.temperature: expected a number, got \"hot\"").contains("bad.yaml: pack: no pack.yaml");
  }

  @Test
  void should_exit_2_listing_every_bad_seed_line() throws IOException {
    Path pack = dir.resolve("prompts/p");
    Files.createDirectories(pack.resolve("templates"));
    Files.writeString(pack.resolve("templates/t.txt"), "Write {{n}} for {{label}}\n{{examples}}\n");
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\nlabels: {a: first, b: second}\nstrategies:\n  s: {template: templates/t.txt}\n");
    Files.writeString(pack.resolve("seeds.jsonl"), "{\"text\": \"fine text here\", \"label\": \"a\"}\n{oops\n{\"text\": \"other\", \"label\": \"zzz\"}\n");
    Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
    Files.writeString(pipelines.resolve("p.yaml"), "pack: ../prompts/p\n");

    assertThat(run("run", pipelines.resolve("p.yaml").toString(), "--provider", "lexical")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("seeds.jsonl:2: not valid JSON");
  }

  @Test
  void should_exit_2_on_an_unknown_label_and_a_bad_beam_option() throws IOException {
    Path pack = dir.resolve("prompts/p");
    Files.createDirectories(pack.resolve("templates"));
    Files.writeString(pack.resolve("templates/t.txt"), "Write {{n}} for {{label}}\n");
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\nlabels: {a: first}\nstrategies:\n  s: {template: templates/t.txt}\n");
    Files.writeString(pack.resolve("seeds.jsonl"), "{\"text\": \"other text\", \"label\": \"zzz\"}\n");
    Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
    Files.writeString(pipelines.resolve("p.yaml"), "pack: ../prompts/p\n");

    assertThat(run("run", pipelines.resolve("p.yaml").toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("seeds.jsonl:1: label \"zzz\" is not one of the pack's labels (a)");

    Files.writeString(pack.resolve("seeds.jsonl"), "{\"text\": \"other text\", \"label\": \"a\"}\n");
    assertThat(run("run", pipelines.resolve("p.yaml").toString(), "--notABeamOption=1")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("Beam pipeline option");
  }

  @Test
  void should_stop_on_401_before_any_paid_call_naming_the_key_variable() {
    try (LoopbackLlmServer server = new LoopbackLlmServer(1)) {
      server.requireApiKey("the-right-key");
      int code = run("run", "pipelines/support-intents.yaml", "--provider", "openai", "--base-url", server.baseUrl(), "--out", dir.resolve("o").toString());

      assertThat(code).isEqualTo(ExitCodes.RUNTIME_FAILURE);
      assertThat(err.toString()).contains("OPENAI_API_KEY").contains("refused the API key").doesNotContain("the-right-key");
      // the free key check (one model listing) stopped the run: no chat request reached the server
      assertThat(server.requestCount()).as("no paid call was made").isZero();
      assertThat(server.modelListRequests()).isEqualTo(1);
    }
  }

  @Test
  void should_exit_1_naming_the_url_when_the_endpoint_cannot_be_reached() {
    int code = run("run", "pipelines/support-intents.yaml", "--provider", "openai", "--base-url", "http://127.0.0.1:9/v1", "--out", dir.resolve("o").toString());

    assertThat(code).isEqualTo(ExitCodes.RUNTIME_FAILURE);
    assertThat(err.toString()).contains("cannot reach http://127.0.0.1:9/v1").contains("--base-url");
  }

  private Path packWithTemplate(String template) throws IOException {
    Path pack = dir.resolve("prompts/p");
    Files.createDirectories(pack.resolve("templates"));
    Files.writeString(pack.resolve("templates/t.txt"), "Write {{n}} for {{label}}\n{{examples}}\n");
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\nlabels: {a: first, b: second}\nstrategies:\n  new_example: {template: " + template + "}\n");
    Files.writeString(pack.resolve("seeds.jsonl"), "{\"text\": \"fine text here\", \"label\": \"a\"}\n{\"text\": \"other text there\", \"label\": \"b\"}\n");
    Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
    Files.writeString(pipelines.resolve("p.yaml"), "pack: ../prompts/p\n");
    return pipelines.resolve("p.yaml");
  }

  @Test
  void should_exit_2_without_sending_a_file_outside_the_pack_to_the_model() throws IOException {
    // given: a pack whose template is the system's password file
    Path pipeline = packWithTemplate("../../../../../../../../../../etc/passwd");
    try (LoopbackLlmServer server = new LoopbackLlmServer(1)) {
      // when
      int code = run("run", pipeline.toString(), "--provider", "openai", "--base-url", server.baseUrl(), "--out", dir.resolve("o").toString());

      // then
      assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err.toString()).contains("pack.yaml: strategies.new_example.template: ../../../../../../../../../../etc/passwd resolves outside the pack folder");
      assertThat(server.requestCount()).isZero();
      assertThat(server.modelListRequests()).isZero();
    }
  }

  @Test
  void should_exit_2_before_any_call_when_a_prompt_exceeds_llm_max_prompt_tokens() throws IOException {
    // given
    Path pipeline = packWithTemplate("templates/t.txt");
    Files.writeString(pipeline, "pack: ../prompts/p\nllm: {max_prompt_tokens: 20}\n");
    try (LoopbackLlmServer server = new LoopbackLlmServer(1)) {
      // when
      int code = run("run", pipeline.toString(), "--provider", "openai", "--base-url", server.baseUrl(), "--out", dir.resolve("o").toString());

      // then
      assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(err.toString()).contains("p.yaml: llm.max_prompt_tokens: the prompts of label a, strategy new_example have up to");
      assertThat(server.requestCount()).isZero();
      assertThat(server.modelListRequests()).isZero();
    }
  }

  @Test
  void should_exit_2_on_a_base_url_option_without_a_scheme() throws IOException {
    // given
    Path pipeline = packWithTemplate("templates/t.txt");

    // when
    int code = run("run", pipeline.toString(), "--base-url", "localhost:8000/v1");

    // then
    assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString()).contains("--base-url: expected an http:// or https:// URL with a host");
  }

  @Test
  void should_warn_on_the_console_about_a_label_without_seeds() throws IOException {
    // given
    Path pipeline = packWithTemplate("templates/t.txt");
    Path pack = dir.resolve("prompts/p");
    Files.writeString(pack.resolve("pack.yaml"), Files.readString(pack.resolve("pack.yaml")).replace("b: second", "b: second, c: third"));

    // when
    int code = run("run", pipeline.toString(), "--provider", "lexical", "--out", dir.resolve("o").toString());

    // then
    assertThat(code).isZero();
    assertThat(err.toString()).contains("seedforge: warning: ").contains("pack.yaml: labels.c: no seed has this label");
  }

  @Test
  void should_run_the_example_offline_and_exit_0() throws IOException {
    int code = run("run", "pipelines/support-intents.yaml", "--out", dir.resolve("o").toString());

    assertThat(code).isZero();
    assertThat(err.toString()).contains("generator: lexical");
    assertThat(out.toString()).contains("train 343, validation 57");
    assertThat(dir.resolve("o/manifest.json")).exists();
    shouldHaveWrittenReportHtmlThatReportRebuildsFromTheFiles();
  }

  /** After the run above: report.html is there, outside the manifest's files, and {@code report} rebuilds the same page. */
  void shouldHaveWrittenReportHtmlThatReportRebuildsFromTheFiles() throws IOException {
    Path report = dir.resolve("o/report.html");
    byte[] written = Files.readAllBytes(report);
    assertThat(Files.readString(dir.resolve("o/manifest.json"))).doesNotContain("report.html");

    // when the page is rebuilt from the run's files
    Files.delete(report);
    int code = run("report", dir.resolve("o").toString());

    // then it is the same page
    assertThat(code).isZero();
    assertThat(out.toString()).contains("seedforge: wrote " + report);
    assertThat(Files.readAllBytes(report)).isEqualTo(written);
    assertThat(new String(written, java.nio.charset.StandardCharsets.UTF_8)).contains("<title>seedforge report: support-intents</title>");
  }

  @Test
  void should_exit_2_when_report_is_given_a_directory_without_a_manifest() {
    int code = run("report", dir.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains(": no manifest.json; give the directory a run wrote");
  }
}
