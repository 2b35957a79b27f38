package dev.seedforge.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.Problems;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordFormatsTest {
  static final Path TEMPLATES = Path.of("templates");

  static FormatSpec format(String name) {
    Problems p = new Problems("test");
    FormatSpec f = FormatCatalog.loadOne(name, TEMPLATES, p, "output.formats[0]");
    assertThat(p.all()).isEmpty();
    return f;
  }

  static Candidate classification(String text, String label) {
    return Candidate.of(label, Map.of("text", text), new Candidate.Provenance(List.of(), "s", null, "seed", null, "r", 0), 0);
  }

  static JsonNode json(String line) throws Exception {
    return Json.mapper().readTree(line);
  }

  final Example example = Example.of(classification("Where is my parcel?", "order_status"), TaskType.CLASSIFICATION, "Classify it.", "Intent classification");

  @Test
  void should_load_every_format_file_of_the_templates_folder() {
    for (String kind : FormatSpec.KINDS) {
      FormatSpec f = format(kind);
      assertThat(f.kind()).isEqualTo(kind);
      assertThat(f.extension()).isEqualTo("jsonl");
      assertThat(f.description()).isNotBlank();
    }
    assertThat(format("prompt-completion").separators()).first().isEqualTo("\n\n###\n\n");
  }

  @Test
  void should_write_openai_chat_with_optional_assistant_weight() throws Exception {
    FormatSpec plain = format("openai-chat");
    FormatSpec weighted = new FormatSpec("w", "openai-chat", "jsonl", "", true, List.of(), List.of());

    JsonNode a = json(RecordFormats.line(plain, example, null)).path("messages");
    JsonNode b = json(RecordFormats.line(weighted, example, null)).path("messages");

    assertThat(a).hasSize(3);
    assertThat(a.get(0).path("role").asText()).isEqualTo("system");
    assertThat(a.get(1).path("content").asText()).isEqualTo("Where is my parcel?");
    assertThat(a.get(2).path("content").asText()).isEqualTo("order_status");
    assertThat(a.get(2).has("weight")).isFalse();
    assertThat(b.get(2).path("weight").asInt()).isEqualTo(1);
    assertThat(b.get(1).has("weight")).isFalse();
  }

  @Test
  void should_leave_out_the_system_turn_when_no_system_message_is_set() throws Exception {
    Example noSystem = Example.of(classification("hi", "greet"), TaskType.CLASSIFICATION, null, "Intents");
    assertThat(json(RecordFormats.line(format("openai-chat"), noSystem, null)).path("messages")).hasSize(2);
    assertThat(json(RecordFormats.line(format("sharegpt"), noSystem, null)).path("conversations")).hasSize(2);
    assertThat(json(RecordFormats.line(format("trl-prompt-completion"), noSystem, null)).path("prompt")).hasSize(1);
    assertThat(json(RecordFormats.line(format("alpaca"), noSystem, null)).path("instruction").asText()).isEqualTo("Intents");
  }

  @Test
  void should_write_alpaca_with_task_as_instruction_for_classification() throws Exception {
    JsonNode a = json(RecordFormats.line(format("alpaca"), example, null));
    assertThat(a.path("instruction").asText()).isEqualTo("Classify it.");
    assertThat(a.path("input").asText()).isEqualTo("Where is my parcel?");
    assertThat(a.path("output").asText()).isEqualTo("order_status");

    Candidate instr = Candidate.of(null, Map.of("instruction", "Add", "input", "2 and 3", "output", "5"),
        new Candidate.Provenance(List.of(), "s", null, "seed", null, "r", 0), 0);
    JsonNode b = json(RecordFormats.line(format("alpaca"), Example.of(instr, TaskType.INSTRUCTION, null, null), null));
    assertThat(b.path("instruction").asText()).isEqualTo("Add");
    assertThat(b.path("input").asText()).isEqualTo("2 and 3");
    assertThat(b.path("output").asText()).isEqualTo("5");
  }

  @Test
  void should_write_sharegpt_and_trl_shapes() throws Exception {
    JsonNode s = json(RecordFormats.line(format("sharegpt"), example, null)).path("conversations");
    assertThat(s.findValuesAsText("from")).containsExactly("system", "human", "gpt");
    assertThat(s.get(2).path("value").asText()).isEqualTo("order_status");

    JsonNode t = json(RecordFormats.line(format("trl-prompt-completion"), example, null));
    assertThat(t.path("prompt").findValuesAsText("role")).containsExactly("system", "user");
    assertThat(t.path("completion").findValuesAsText("role")).containsExactly("assistant");
    assertThat(t.path("completion").get(0).path("content").asText()).isEqualTo("order_status");

    JsonNode m = json(RecordFormats.line(format("trl-messages"), example, null));
    assertThat(m.path("messages").findValuesAsText("role")).containsExactly("system", "user", "assistant");
  }

  @Test
  void should_choose_a_separator_absent_from_every_prompt_and_a_stop_absent_from_every_completion() throws Exception {
    FormatSpec pc = format("prompt-completion");
    Example withHashes = new Example(null, "a\n\n###\n\nb", "multi\nline answer", "", "");
    long mask = PromptCompletion.occurring(pc, withHashes) | PromptCompletion.occurring(pc, example);

    PromptCompletion.Markers mk = PromptCompletion.choose(pc, mask);

    assertThat(mk.separator()).isEqualTo("\n\n===\n\n");
    assertThat(mk.stop()).isEqualTo(" END");
    JsonNode line = json(RecordFormats.line(pc, example, mk));
    assertThat(line.path("prompt").asText()).isEqualTo("Where is my parcel?\n\n===\n\n");
    assertThat(line.path("completion").asText()).isEqualTo(" order_status END");
    assertThat(PromptCompletion.choose(pc, 0)).isEqualTo(new PromptCompletion.Markers("\n\n###\n\n", "\n"));
  }

  @Test
  void should_fail_when_every_candidate_separator_occurs() {
    FormatSpec pc = new FormatSpec("pc", "prompt-completion", "jsonl", "", false, List.of("##"), List.of("\n"));
    long mask = PromptCompletion.occurring(pc, new Example(null, "a ## b", "x", "", ""));
    assertThatThrownBy(() -> PromptCompletion.choose(pc, mask)).hasMessageContaining("options.separators");
  }

  @Test
  void should_name_files_per_format_only_when_several_are_written() {
    FormatSpec f = format("alpaca");
    assertThat(RecordFormats.fileName(f, "train", 1)).isEqualTo("train.jsonl");
    assertThat(RecordFormats.fileName(f, "validation", 3)).isEqualTo("alpaca/validation.jsonl");
  }

  @Test
  void should_report_unknown_formats_kinds_and_options_with_their_file(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("mine.yaml"), "name: mine\nkind: csv\nextension: jsonl\noptions: {colour: red}\n");
    Files.writeString(dir.resolve("chat2.yaml"), "name: chat2\nkind: openai-chat\noptions: {wieght: true}\n");
    Problems p = new Problems("pipe.yaml");

    List<FormatSpec> loaded = FormatCatalog.load(List.of("mine", "nope", "chat2", "alpaca", "alpaca"), dir, p, "output.formats");

    assertThat(loaded).extracting(FormatSpec::name).containsExactly("alpaca");
    assertThat(p.all()).anySatisfy(m -> assertThat(m).contains("mine.yaml").contains("kind").contains("csv"));
    assertThat(p.all()).anySatisfy(m -> assertThat(m).contains("output.formats[1]").contains("no format \"nope\""));
    assertThat(p.all()).anySatisfy(m -> assertThat(m).contains("chat2.yaml").contains("options.wieght").contains("did you mean 'weight'"));
    assertThat(p.all()).anySatisfy(m -> assertThat(m).contains("output.formats[4]").contains("listed twice"));
  }
}
