package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.seedforge.config.PipelineSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceEncoderTest {
  @Test
  void batched_vectors_are_bit_for_bit_langchain4js_one_text_at_a_time() throws Exception {
    // given real texts of many lengths, a repeated one, and one longer than the model's window
    List<String> texts = new ArrayList<>(RealTexts.fixtures());
    List<String> clinc = RealTexts.clinc();
    for (int i = 0; i < clinc.size() && i < 6000; i += 40) {
      texts.add(clinc.get(i));
    }
    List<String> selfInstruct = RealTexts.selfInstruct();
    for (int i = 0; i < selfInstruct.size() && i < 1200; i += 12) {
      texts.add(selfInstruct.get(i));
    }
    texts.add(texts.get(0));
    texts.add("order status please ".repeat(200));
    EmbeddingModel reference = DomainRelevanceFilter.embeddingModel(PipelineSpec.Relevance.MINILM);

    // when
    List<float[]> batched = SentenceEncoder.of(PipelineSpec.Relevance.MINILM).embedAll(texts);

    // then
    assertThat(batched).hasSameSizeAs(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(batched.get(i)).as(texts.get(i)).containsExactly(reference.embed(texts.get(i)).content().vector());
    }
  }

  @Test
  void should_put_texts_of_nearly_the_same_length_into_one_call_of_at_most_64() {
    // given 100 texts of 10 tokens, 30 of 11 and 5 of 40
    java.util.Map<String, long[]> ids = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      ids.put("ten " + i, new long[10]);
    }
    for (int i = 0; i < 30; i++) {
      ids.put("eleven " + i, new long[11]);
    }
    for (int i = 0; i < 5; i++) {
      ids.put("forty " + i, new long[40]);
    }

    // when
    List<List<String>> batches = SentenceEncoder.batches(ids);

    // then
    assertThat(batches).extracting(List::size).containsExactly(64, 64, 2, 5);
    assertThat(batches.get(1)).contains("ten 99", "eleven 0");
    assertThat(batches.get(3)).allMatch(t -> t.startsWith("forty"));
  }
}
