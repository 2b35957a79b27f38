package dev.seedforge.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.generate.Candidate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The preference formats as written, and what validate says about broken preference records (line, code, why). */
class PreferenceValidationTest {
  static final ModelLimits.Model MODEL = ModelLimits.load().find("gpt-4o-mini");
  static final FormatSpec OPENAI = new FormatSpec(PreferenceRecords.OPENAI, PreferenceRecords.OPENAI, "jsonl", "", false, List.of(), List.of());
  static final FormatSpec TRL = new FormatSpec(PreferenceRecords.TRL, PreferenceRecords.TRL, "jsonl", "", false, List.of(), List.of());

  static Candidate pair(int i) {
    return new Candidate("p" + i, null, Map.of("prompt", "How long do I boil egg " + i + "?", "chosen", "Six to seven minutes for a jammy yolk.",
        "rejected", "Boil it for twenty minutes; longer is always safer."), new Candidate.Provenance(List.of(), "s", null, "openai", "m", "r", 0), null);
  }

  static byte[] file(FormatSpec f, String... extra) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      lines.add(PreferenceRecords.line(f, pair(i), "You are a helpful assistant."));
    }
    lines.addAll(List.of(extra));
    return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void should_write_openai_preference_records_with_a_system_and_user_input_and_one_assistant_message_a_side() {
    String line = PreferenceRecords.line(OPENAI, pair(1), "You are a helpful assistant.");

    assertThat(line).isEqualTo("{\"input\":{\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
        + "{\"role\":\"user\",\"content\":\"How long do I boil egg 1?\"}]},"
        + "\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"Six to seven minutes for a jammy yolk.\"}],"
        + "\"non_preferred_output\":[{\"role\":\"assistant\",\"content\":\"Boil it for twenty minutes; longer is always safer.\"}]}");
  }

  @Test
  void should_write_trl_conversational_preference_records() {
    String line = PreferenceRecords.line(TRL, pair(1), null);

    assertThat(line).isEqualTo("{\"prompt\":[{\"role\":\"user\",\"content\":\"How long do I boil egg 1?\"}],"
        + "\"chosen\":[{\"role\":\"assistant\",\"content\":\"Six to seven minutes for a jammy yolk.\"}],"
        + "\"rejected\":[{\"role\":\"assistant\",\"content\":\"Boil it for twenty minutes; longer is always safer.\"}]}");
  }

  @Test
  void should_accept_both_formats_as_written_and_detect_which_one_a_file_is() {
    Validator.Report openai = Validator.validate(file(OPENAI), null, MODEL);
    Validator.Report trl = Validator.validate(file(TRL), null, MODEL);

    assertThat(openai.format()).isEqualTo(PreferenceRecords.OPENAI);
    assertThat(trl.format()).isEqualTo(PreferenceRecords.TRL);
    assertThat(openai.issues()).isEmpty();
    assertThat(trl.issues()).isEmpty();
    assertThat(openai.tokens().min()).isPositive();
  }

  @Test
  void should_name_the_line_and_the_reason_of_a_missing_side_identical_sides_and_wrong_roles() {
    byte[] bytes = file(OPENAI,
        "{\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi?\"}]},\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"Hello.\"}]}",
        "{\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi?\"}]},\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"Hello!\"}],"
            + "\"non_preferred_output\":[{\"role\":\"assistant\",\"content\":\"hello\"}]}",
        "{\"input\":{\"messages\":[{\"role\":\"assistant\",\"content\":\"Hi?\"}]},\"preferred_output\":[{\"role\":\"user\",\"content\":\"A\"}],"
            + "\"non_preferred_output\":[{\"role\":\"assistant\",\"content\":\"B\"}]}");

    Validator.Report r = Validator.validate(bytes, PreferenceRecords.OPENAI, MODEL);

    assertThat(r.hasErrors()).isTrue();
    assertThat(r.issues()).extracting(Validator.Issue::line, Validator.Issue::code).containsExactly(
        org.assertj.core.groups.Tuple.tuple(11, "missing_side"),
        org.assertj.core.groups.Tuple.tuple(12, "identical_sides"),
        org.assertj.core.groups.Tuple.tuple(13, "wrong_role"),
        org.assertj.core.groups.Tuple.tuple(13, "wrong_role"));
    assertThat(r.issues().get(0).message()).isEqualTo("no \"non_preferred_output\": a preference record needs both answers");
    assertThat(r.issues().get(2).message()).contains("input.messages[0]: the prompt must end with the user's message");
    assertThat(r.issues().get(3).message()).contains("preferred_output[0]: role \"user\"; the answer must be the assistant's");
    assertThat(r.examples()).isEqualTo(10);
  }

  @Test
  void should_refuse_a_trl_side_with_more_than_one_message() {
    byte[] bytes = file(TRL, "{\"prompt\":[{\"role\":\"user\",\"content\":\"Hi?\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"A\"},"
        + "{\"role\":\"assistant\",\"content\":\"B\"}],\"rejected\":[{\"role\":\"assistant\",\"content\":\"C\"}]}");

    Validator.Report r = Validator.validate(bytes, PreferenceRecords.TRL, MODEL);

    assertThat(r.issues()).singleElement().satisfies(i -> {
      assertThat(i.line()).isEqualTo(11);
      assertThat(i.code()).isEqualTo("wrong_side");
      assertThat(i.message()).isEqualTo("chosen must be a list of exactly one assistant message, got 2 messages");
    });
  }
}
