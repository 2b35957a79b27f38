package dev.seedforge.generate.lexical;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.nlp.NlpModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import opennlp.tools.langdetect.LanguageDetectorME;
import org.junit.jupiter.api.Test;

/** The per-JVM model holder the augmenter (and the quality filters) rely on. */
class NlpModelsSharingTest {

  @Test
  void everyModelLoadsFromTheClasspath_andIsSharedAcrossThreads() throws Exception {
    // given several threads asking for the models at once
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<List<Object>>> asks = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        asks.add(
            () ->
                List.of(
                    NlpModels.tokenizerModel(),
                    NlpModels.posModel(),
                    NlpModels.sentenceModel(),
                    NlpModels.languageDetectorModel(),
                    NlpModels.wordnet()));
      }
      long t0 = System.nanoTime();
      List<Future<List<Object>>> answers = pool.invokeAll(asks);
      System.out.printf("[lexical] all five NLP models ready in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      // then all threads get the very same instances
      List<Object> first = answers.get(0).get();
      assertThat(first).doesNotContainNull();
      for (Future<List<Object>> answer : answers) {
        List<Object> got = answer.get();
        for (int m = 0; m < got.size(); m++) {
          assertThat(got.get(m)).isSameAs(first.get(m));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void languageDetectorModel_recognisesEnglish() {
    LanguageDetectorME detector = new LanguageDetectorME(NlpModels.languageDetectorModel());
    assertThat(detector.predictLanguage("The delivery was late and the package arrived damaged.").getLang())
        .isEqualTo("eng");
  }
}
