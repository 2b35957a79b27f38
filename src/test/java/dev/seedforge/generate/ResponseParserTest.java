package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.seed.TaskType;
import org.junit.jupiter.api.Test;

class ResponseParserTest {

  @Test
  void should_parse_examples_object() {
    ResponseParser.Parsed p =
        ResponseParser.parse("{\"examples\":[{\"text\":\" a \"},{\"text\":\"b\"}]}", TaskType.CLASSIFICATION, false);
    assertThat(p.problem()).isNull();
    assertThat(p.items()).extracting(i -> i.fields().get("text")).containsExactly("a", "b");
  }

  @Test
  void should_parse_bare_array() {
    ResponseParser.Parsed p = ResponseParser.parse("[{\"text\":\"a\"}, \"b\"]", TaskType.CLASSIFICATION, false);
    assertThat(p.items()).hasSize(2).allSatisfy(i -> assertThat(i.problem()).isNull());
    assertThat(p.items().get(1).fields()).containsEntry("text", "b");
  }

  @Test
  void should_parse_single_object() {
    ResponseParser.Parsed p =
        ResponseParser.parse("{\"instruction\":\"Add\",\"input\":\"1 2\",\"output\":\"3\"}", TaskType.INSTRUCTION, false);
    assertThat(p.items()).singleElement().satisfies(i -> {
      assertThat(i.problem()).isNull();
      assertThat(i.fields()).containsEntry("instruction", "Add").containsEntry("input", "1 2").containsEntry("output", "3");
    });
  }

  @Test
  void should_report_items_with_missing_fields() {
    ResponseParser.Parsed p =
        ResponseParser.parse(
            "{\"examples\":[{\"instruction\":\"Add\",\"output\":\"3\"},{\"instruction\":\"Sub\"},{\"foo\":1},7]}",
            TaskType.INSTRUCTION,
            false);
    assertThat(p.problem()).isNull();
    assertThat(p.items()).hasSize(4);
    assertThat(p.items().get(0).problem()).isNull();
    assertThat(p.items().get(0).fields()).containsEntry("input", "");
    assertThat(p.items().get(1).problem()).contains("output");
    assertThat(p.items().get(2).problem()).contains("instruction", "output");
    assertThat(p.items().get(2).fields()).containsKey("raw");
    assertThat(p.items().get(3).problem()).contains("not a JSON object");
  }

  @Test
  void should_find_json_inside_prose_and_fences() {
    String text = "Sure {not json} here you go:\n```json\n{\"examples\": [{\"text\": \"hello {there}\"}]}\n```\nBye {";
    ResponseParser.Parsed p = ResponseParser.parse(text, TaskType.CLASSIFICATION, false);
    assertThat(p.problem()).isNull();
    assertThat(p.items()).singleElement().satisfies(i -> assertThat(i.fields()).containsEntry("text", "hello {there}"));
  }

  @Test
  void should_classify_whole_response_problems() {
    assertThat(ResponseParser.parse(null, TaskType.CLASSIFICATION, false).filter()).isEqualTo("empty_response");
    assertThat(ResponseParser.parse("  ", TaskType.CLASSIFICATION, false).filter()).isEqualTo("empty_response");
    assertThat(ResponseParser.parse("no json here", TaskType.CLASSIFICATION, false).filter()).isEqualTo("not_json");
    assertThat(ResponseParser.parse("{\"examples\": [{\"text\": \"a", TaskType.CLASSIFICATION, true).filter())
        .isEqualTo("truncated_response");
    assertThat(ResponseParser.parse("{\"examples\": []}", TaskType.CLASSIFICATION, false).filter()).isEqualTo("empty_response");
    assertThat(ResponseParser.parse("{\"items\": [1]}", TaskType.CLASSIFICATION, false).filter()).isEqualTo("schema");
  }

  @Test
  void should_report_empty_text_items() {
    ResponseParser.Parsed p = ResponseParser.parse("[\"\", {\"text\": \"  \"}]", TaskType.CLASSIFICATION, false);
    assertThat(p.items()).hasSize(2).allSatisfy(i -> assertThat(i.problem()).isNotNull());
  }

  @Test
  void should_keep_every_complete_example_of_a_truncated_reply() {
    String cut = "```json\n{\"examples\": [{\"text\": \"first one\"}, {\"text\": \"second one\"}, {\"text\": \"thi";

    ResponseParser.Parsed p = ResponseParser.parse(cut, TaskType.CLASSIFICATION, true);

    assertThat(p.problem()).isNull();
    assertThat(p.items()).extracting(i -> i.fields().get("text")).containsExactly("first one", "second one");
  }
}
