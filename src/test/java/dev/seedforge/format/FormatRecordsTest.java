package dev.seedforge.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.generate.Candidate;
import dev.seedforge.pipeline.JsonCoder;
import dev.seedforge.seed.TaskType;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/** The format stage's lines: one pass without dataset-wide markers, the bias rows beside the data lines. */
class FormatRecordsTest {
  private static final Candidate PARCEL = RecordFormatsTest.classification("Where is my parcel?", "order_status");
  private static final Candidate REFUND = RecordFormatsTest.classification("I want my money back", "refund");

  private static PCollectionTuple format(Pipeline p, FormatRecords stage) {
    return p.apply(Create.of(KV.of("train", PARCEL), KV.of("validation", REFUND))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of(Candidate.class))))
        .apply(stage);
  }

  @Test
  void should_write_each_records_line_and_its_bias_row_in_one_pass_when_no_format_chooses_markers() {
    // given: openai-chat only, nothing chosen over the whole dataset
    FormatSpec chat = RecordFormatsTest.format("openai-chat");
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());

    // when
    PCollectionTuple out = format(p, new FormatRecords(List.of(chat), TaskType.CLASSIFICATION, "Classify it.", "Intents", 7).withBiasRows(".final.jsonl"));

    // then: the data lines, the bias rows keyed by id, and no marker counts
    assertThat(out.has(FormatRecords.LEDGER)).isFalse();
    Example parcel = Example.of(PARCEL, TaskType.CLASSIFICATION, "Classify it.", "Intents");
    Example refund = Example.of(REFUND, TaskType.CLASSIFICATION, "Classify it.", "Intents");
    PAssert.that(out.get(FormatRecords.LINES)).containsInAnyOrder(
        KV.of("train.jsonl", KV.of(FormatRecords.shuffleKey(7, PARCEL.id()), RecordFormats.line(chat, parcel, null))),
        KV.of("validation.jsonl", KV.of(FormatRecords.shuffleKey(7, REFUND.id()), RecordFormats.line(chat, refund, null))),
        KV.of(".final.jsonl", KV.of(PARCEL.id(), FormatRecords.biasRow(PARCEL, TaskType.CLASSIFICATION))),
        KV.of(".final.jsonl", KV.of(REFUND.id(), FormatRecords.biasRow(REFUND, TaskType.CLASSIFICATION))));
    p.run().waitUntilFinish();
  }

  @Test
  void should_choose_prompt_completion_markers_over_the_dataset_and_count_them() {
    // given: a separator that occurs in one record, so the second choice is taken for every record
    FormatSpec pc = new FormatSpec("pc", "prompt-completion", "jsonl", "", false, List.of(" my ", "\n\n===\n\n"), List.of(" END"));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());

    // when
    PCollectionTuple out = format(p, new FormatRecords(List.of(pc), TaskType.CLASSIFICATION, null, null, 7));

    // then
    assertThat(out.has(FormatRecords.LEDGER)).isTrue();
    PAssert.that(out.get(FormatRecords.LINES)).satisfies(lines -> {
      lines.forEach(kv -> assertThat(kv.getValue().getValue()).contains("\\n\\n===\\n\\n").doesNotContain(".final"));
      return null;
    });
    PAssert.that(out.get(FormatRecords.LEDGER)).satisfies(counts -> {
      assertThat(counts).hasSize(1);
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void should_give_a_bias_row_with_the_label_the_user_text_and_whether_the_record_is_a_seed() throws Exception {
    var row = RecordFormatsTest.json(FormatRecords.biasRow(PARCEL, TaskType.CLASSIFICATION));
    assertThat(row.path("label").asText()).isEqualTo("order_status");
    assertThat(row.path("text").asText()).isEqualTo("Where is my parcel?");
    assertThat(row.path("seed").asBoolean(false)).isTrue();
    Candidate generated = Candidate.of("refund", java.util.Map.of("text", "money back please"),
        new Candidate.Provenance(List.of("s1"), "paraphrase", null, "lexical", null, "r", 0), 0);
    assertThat(RecordFormatsTest.json(FormatRecords.biasRow(generated, TaskType.CLASSIFICATION)).path("seed").asBoolean(true)).isFalse();
  }
}
