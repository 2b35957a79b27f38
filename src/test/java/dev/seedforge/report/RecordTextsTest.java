package dev.seedforge.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.util.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A written record reads back into its input, answer and label, in every output format. */
class RecordTextsTest {
  static JsonNode json(String s) throws IOException {
    return Json.mapper().readTree(s);
  }

  static RecordTexts.Texts read(String format, String task, String record) throws IOException {
    return RecordTexts.forFormat(json(format), task).of(json(record));
  }

  @Test
  void should_read_chat_records_of_both_tasks() throws IOException {
    String chat = "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"where is it\"}, {\"role\": \"assistant\", \"content\": \"order_status\"}]}";

    assertThat(read("{\"kind\": \"openai-chat\"}", "classification", chat)).isEqualTo(new RecordTexts.Texts("where is it", "order_status", "order_status"));
    assertThat(read("{\"kind\": \"trl-messages\"}", "instruction", chat).label()).isNull();
  }

  @Test
  void should_strip_the_chosen_separator_and_stop_of_prompt_completion_records() throws IOException {
    String format = "{\"kind\": \"prompt-completion\", \"separator\": \"\\n\\n###\\n\\n\", \"stop\": \" END\"}";

    RecordTexts.Texts t = read(format, "classification", "{\"prompt\": \"my card was declined\\n\\n###\\n\\n\", \"completion\": \" payment_failed END\"}");

    assertThat(t).isEqualTo(new RecordTexts.Texts("my card was declined", "payment_failed", "payment_failed"));
  }

  @Test
  void should_read_alpaca_sharegpt_and_trl_prompt_completion_records() throws IOException {
    assertThat(read("{\"kind\": \"alpaca\"}", "instruction", "{\"instruction\": \"Add\", \"input\": \"2 and 3\", \"output\": \"5\"}"))
        .isEqualTo(new RecordTexts.Texts("Add\n\n2 and 3", "5", null));
    assertThat(read("{\"kind\": \"alpaca\"}", "classification", "{\"instruction\": \"Classify.\", \"input\": \"hi\", \"output\": \"greet\"}").input())
        .isEqualTo("hi");
    assertThat(read("{\"kind\": \"sharegpt\"}", "classification",
        "{\"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}, {\"from\": \"gpt\", \"value\": \"greet\"}]}").label()).isEqualTo("greet");
    assertThat(read("{\"kind\": \"trl-prompt-completion\"}", "classification",
        "{\"prompt\": [{\"role\": \"user\", \"content\": \"bye\"}], \"completion\": [{\"role\": \"assistant\", \"content\": \"farewell\"}]}"))
        .isEqualTo(new RecordTexts.Texts("bye", "farewell", "farewell"));
  }
}
