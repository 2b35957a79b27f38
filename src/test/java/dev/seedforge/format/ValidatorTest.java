package dev.seedforge.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.format.Validator.Issue;
import dev.seedforge.format.Validator.Report;
import dev.seedforge.format.Validator.Severity;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ValidatorTest {
  /** A small limit so that a 200-word example is too long. */
  static final ModelLimits.Model TINY = new ModelLimits.Model("tiny", "cl100k_base", 60, 10.0);
  static final ModelLimits.Model MINI = ModelLimits.load().find("gpt-4o-mini");

  static byte[] fixture(String name) throws Exception {
    return Files.readAllBytes(Path.of("src/test/resources/validate", name));
  }

  static Map<Integer, List<String>> codesByLine(Report r) {
    return r.issues().stream().collect(Collectors.groupingBy(Issue::line, TreeMap::new, Collectors.mapping(Issue::code, Collectors.toList())));
  }

  static String chatLine(String user, String assistant) {
    return "{\"messages\": [{\"role\": \"user\", \"content\": \"" + user + "\"}, {\"role\": \"assistant\", \"content\": \"" + assistant + "\"}]}";
  }

  static byte[] cleanChat(int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(chatLine("message number " + i, "label"));
    }
    return (String.join("\n", l) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void should_find_each_chat_error_class_on_its_own_line() throws Exception {
    Report r = Validator.validate(fixture("chat-one-error-per-line.jsonl"), null, TINY);

    assertThat(r.format()).isEqualTo("chat");
    assertThat(codesByLine(r)).containsExactly(
        Map.entry(0, List.of("too_few_examples")),
        Map.entry(2, List.of("invalid_json")),
        Map.entry(3, List.of("not_object")),
        Map.entry(4, List.of("missing_messages")),
        Map.entry(5, List.of("message_not_object")),
        Map.entry(6, List.of("message_missing_key")),
        Map.entry(7, List.of("message_unrecognized_key")),
        Map.entry(8, List.of("unrecognized_role")),
        Map.entry(9, List.of("content_not_string")),
        Map.entry(10, List.of("missing_assistant_message")),
        Map.entry(11, List.of("invalid_weight")),
        Map.entry(12, List.of("blank_line")),
        Map.entry(13, List.of("too_many_tokens")));
    assertThat(r.hasErrors()).isTrue();
  }

  @Test
  void should_fix_chat_by_stripping_keys_and_dropping_unfixable_lines_listing_each_change() throws Exception {
    Report r = Validator.validate(fixture("chat-one-error-per-line.jsonl"), null, TINY);

    assertThat(r.fixedLines()).hasSize(3); // line 1, line 7 (key stripped), line 11 (weight removed)
    assertThat(r.fixedLines().get(1)).doesNotContain("mood");
    assertThat(r.fixedLines().get(2)).doesNotContain("weight");
    assertThat(r.changes()).extracting(Validator.Change::line).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
    assertThat(r.changes()).anySatisfy(c -> {
      assertThat(c.line()).isEqualTo(7);
      assertThat(c.what()).contains("removed unknown key \"mood\"");
    });
    Report again = Validator.validate((String.join("\n", r.fixedLines()) + "\n").getBytes(StandardCharsets.UTF_8), null, TINY);
    assertThat(again.codes()).containsExactly("too_few_examples");
  }

  @Test
  void should_report_invalid_utf8_with_its_line_and_accept_a_bom() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    b.writeBytes(cleanChat(10));
    b.writeBytes(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});

    Report r = Validator.validate(b.toByteArray(), "openai-chat", MINI);

    assertThat(r.issues()).containsExactly(new Issue(11, Severity.ERROR, "invalid_utf8", "not valid UTF-8 (Azure OpenAI needs UTF-8 files)"));
    assertThat(r.examples()).isEqualTo(10);
  }

  @Test
  void should_pass_a_clean_chat_file_and_count_tokens_like_the_cookbook() {
    Report r = Validator.validate(cleanChat(12), null, MINI);

    assertThat(r.issues()).isEmpty();
    // per message 3 + its role and content; 3 more priming the reply (gpt-4o-mini counts with o200k_base)
    TokenCounter o200k = new TokenCounter("o200k_base");
    long expected = 3 + o200k.count("user") + o200k.count("message number 0") + 3 + o200k.count("assistant") + o200k.count("label") + 3;
    assertThat(expected).isGreaterThan(9);
    assertThat(r.tokens().min()).isEqualTo(expected);
    assertThat(r.tokens().examples()).isEqualTo(12);
    assertThat(r.tokens().median()).isBetween(r.tokens().min(), r.tokens().p90());
    assertThat(r.tokens().max()).isGreaterThanOrEqualTo(r.tokens().p90());
  }

  @Test
  void should_choose_default_epochs_and_cost_like_the_cookbook() {
    assertThat(Validator.defaultEpochs(10)).isEqualTo(10);
    assertThat(Validator.defaultEpochs(3)).isEqualTo(25);
    assertThat(Validator.defaultEpochs(40)).isEqualTo(3);
    assertThat(Validator.defaultEpochs(8333)).isEqualTo(3);
    assertThat(Validator.defaultEpochs(8334)).isEqualTo(2);
    assertThat(Validator.defaultEpochs(10_000)).isEqualTo(2);
    assertThat(Validator.defaultEpochs(100_000)).isEqualTo(1);

    Report r = Validator.validate(cleanChat(12), null, MINI);
    assertThat(r.epochs()).isEqualTo(8);
    assertThat(r.costUsd()).isCloseTo(r.billingTokens() * 8 * 3.0 / 1e6, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void should_pick_the_tokenizer_and_limit_by_model_family() {
    ModelLimits limits = ModelLimits.load();
    assertThat(limits.asOf()).matches("\\d{4}-\\d{2}-\\d{2}");
    assertThat(limits.find("gpt-4o-mini-2024-07-18")).satisfies(m -> {
      assertThat(m.name()).isEqualTo("gpt-4o-mini");
      assertThat(m.encoding()).isEqualTo("o200k_base");
      assertThat(m.maxTokensPerExample()).isEqualTo(65_536);
    });
    assertThat(limits.find("gpt-4.1-mini").encoding()).isEqualTo("o200k_base");
    assertThat(limits.find("gpt-3.5-turbo-0125").encoding()).isEqualTo("cl100k_base");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> limits.find("llama3"))
        .hasMessageContaining("no fine-tuning limits known for \"llama3\"");
  }

  @Test
  void should_find_each_prompt_completion_error_class_on_its_own_line() throws Exception {
    Report r = Validator.validate(fixture("prompt-completion-one-error-per-line.jsonl"), null, TINY);

    assertThat(r.format()).isEqualTo("prompt-completion");
    assertThat(codesByLine(r)).containsExactly(
        Map.entry(0, List.of("too_few_examples")),
        Map.entry(3, List.of("separator_missing")),
        Map.entry(4, List.of("separator_inside_prompt")),
        Map.entry(5, List.of("completion_no_leading_space")),
        Map.entry(6, List.of("stop_missing")),
        Map.entry(7, List.of("empty_completion")),
        Map.entry(8, List.of("duplicate")),
        Map.entry(9, List.of("missing_prompt_or_completion")),
        Map.entry(10, List.of("too_many_tokens")));
  }

  @Test
  void should_fix_prompt_completion_lines_so_they_validate() throws Exception {
    Report r = Validator.validate(fixture("prompt-completion-one-error-per-line.jsonl"), "prompt-completion", TINY);

    assertThat(r.fixedLines()).hasSize(5);
    assertThat(r.fixedLines().get(2)).isEqualTo("{\"prompt\":\"no separator\\n\\n###\\n\\n\",\"completion\":\" x\\n\"}");
    assertThat(r.fixedLines().get(3)).contains("\"completion\":\" no_space\\n\"");
    assertThat(r.fixedLines().get(4)).contains("\"completion\":\" no_stop\\n\"");
    assertThat(r.changes()).anySatisfy(c -> assertThat(c).isEqualTo(new Validator.Change(6, "appended stop sequence \"\\n\" to the completion")));
    Report again = Validator.validate((String.join("\n", r.fixedLines()) + "\n").getBytes(StandardCharsets.UTF_8), "prompt-completion", TINY);
    assertThat(again.codes()).containsExactly("too_few_examples");
  }

  @Test
  void should_warn_about_a_prompt_prefix_shared_by_every_example() {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      l.add("{\"prompt\": \"Customer says: item " + (char) ('a' + i) + "\\n\\n###\\n\\n\", \"completion\": \" label\\n\"}");
    }
    Report r = Validator.validate((String.join("\n", l) + "\n").getBytes(StandardCharsets.UTF_8), null, MINI);

    assertThat(r.hasErrors()).isFalse();
    assertThat(r.issues()).singleElement().satisfies(i -> {
      assertThat(i.code()).isEqualTo("shared_prompt_prefix");
      assertThat(i.line()).isEqualTo(1);
      assertThat(i.message()).contains("Customer says: item ");
    });
  }
  @Test
  void should_reject_multi_turn_chats_with_roles_out_of_order_an_empty_assistant_turn_or_weight_off_the_assistant() {
    // given: a clean multi-turn line, then one line per fault
    String ok = "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"a\"},"
        + " {\"role\": \"assistant\", \"content\": \"b\", \"weight\": 0}, {\"role\": \"user\", \"content\": \"c\"}, {\"role\": \"assistant\", \"content\": \"d\", \"weight\": 1}]}";
    String outOfOrder = "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}, {\"role\": \"assistant\", \"content\": \"c\"}]}";
    String empty = "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"\"}, {\"role\": \"user\", \"content\": \"b\"}, {\"role\": \"assistant\", \"content\": \"c\"}]}";
    String weighted = "{\"messages\": [{\"role\": \"user\", \"content\": \"a\", \"weight\": 1}, {\"role\": \"assistant\", \"content\": \"b\"}]}";
    List<String> lines = new ArrayList<>(java.util.Collections.nCopies(10, ok));
    lines.addAll(List.of(outOfOrder, empty, weighted));

    // when
    Report r = Validator.validate((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), null, MINI);

    // then
    assertThat(r.issues()).filteredOn(i -> i.line() > 0).extracting(Issue::line, Issue::severity, Issue::code).containsExactly(
        org.assertj.core.groups.Tuple.tuple(11, Severity.ERROR, "roles_out_of_order"),
        org.assertj.core.groups.Tuple.tuple(12, Severity.ERROR, "empty_assistant_message"),
        org.assertj.core.groups.Tuple.tuple(13, Severity.ERROR, "weight_not_on_assistant"));
    assertThat(r.issues()).filteredOn(i -> i.line() == 11).singleElement()
        .satisfies(i -> assertThat(i.message()).startsWith("message 2: user where assistant was due"));
  }

  @Test
  void should_reject_sharegpt_turns_out_of_order_or_an_empty_gpt_turn() {
    String ok = "{\"conversations\": [{\"from\": \"human\", \"value\": \"a\"}, {\"from\": \"gpt\", \"value\": \"b\"}]}";
    String outOfOrder = "{\"conversations\": [{\"from\": \"gpt\", \"value\": \"a\"}, {\"from\": \"human\", \"value\": \"b\"}, {\"from\": \"gpt\", \"value\": \"c\"}]}";
    String empty = "{\"conversations\": [{\"from\": \"human\", \"value\": \"a\"}, {\"from\": \"gpt\", \"value\": \" \"}]}";
    List<String> lines = new ArrayList<>(java.util.Collections.nCopies(10, ok));
    lines.addAll(List.of(outOfOrder, empty));

    Report r = Validator.validate((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), "sharegpt", MINI);

    assertThat(codesByLine(r)).containsExactly(Map.entry(11, List.of("roles_out_of_order")), Map.entry(12, List.of("empty_assistant_message")));
  }
}
