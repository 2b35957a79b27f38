package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import opennlp.tools.langdetect.Language;
import org.junit.jupiter.api.Test;

class NlpToolsTest {

  @Test
  void tokenizes_words_punctuation_and_contractions() {
    String[] tokens = NlpTools.tokens("I can't log in, order #55512.");

    assertThat(tokens).contains("I", "log", "in", ",", ".");
    assertThat(tokens.length).isBetween(8, 11);
  }

  @Test
  void tokens_are_the_opennlp_tokenizers_on_real_and_awkward_text() throws Exception {
    // given the tokenizer itself, run on whole texts
    opennlp.tools.tokenize.TokenizerME reference = new opennlp.tools.tokenize.TokenizerME(dev.seedforge.nlp.NlpModels.tokenizerModel());
    List<String> texts = new ArrayList<>(RealTexts.all());
    texts.addAll(List.of(
        "tabs\tand\nnew\r\nlines", "non\u00a0breaking\u2009spaces", "emoji 😀👍🏽 and e-mail a.b@c.de", "U.S.A. vs. Dr. Smith's", "\"quoted,\" (brackets)...",
        "don't won't y'all", "x", " a ", "$299.99!!!", "https://example.com/a?b=c&d=e", "日本語のテキスト", "   leading and trailing   "));

    // when / then: the word-by-word tokens are the same, and so are their counts
    for (String t : texts) {
      assertThat(NlpTools.tokens(t)).as(t).containsExactly(reference.tokenize(t));
      assertThat(NlpTools.tokenCount(t)).as(t).isEqualTo(reference.tokenize(t).length);
    }
    assertThat(texts.size()).isGreaterThan(60);
  }

  @Test
  void blank_text_has_no_tokens_and_no_sentences() {
    assertThat(NlpTools.tokens("")).isEmpty();
    assertThat(NlpTools.tokens("  \n ")).isEmpty();
    assertThat(NlpTools.tokens(null)).isEmpty();
    assertThat(NlpTools.sentenceCount(" ")).isZero();
  }

  @Test
  void counts_sentences() {
    assertThat(NlpTools.sentenceCount("My order is late. It was due on Monday. Please help me.")).isEqualTo(3);
    assertThat(NlpTools.sentenceCount("Where is my parcel")).isEqualTo(1);
  }

  @Test
  void detects_english_and_french_with_calibrated_confidence() {
    Language en = NlpTools.detect("I was charged twice for my subscription this month. Please refund one payment.");
    Language fr = NlpTools.detect("Bonjour, je n'arrive pas à me connecter à mon compte depuis hier.");

    assertThat(en.getLang()).isEqualTo("eng");
    assertThat(en.getConfidence()).isGreaterThan(0.9);
    assertThat(fr.getLang()).isEqualTo("fra");
    assertThat(fr.getConfidence()).isGreaterThan(0.9);
  }

  @Test
  void calibrated_distribution_keeps_the_models_order_and_sums_to_one() {
    String text = "Hallo, meine Bestellung ist noch nicht angekommen.";

    Language[] raw = NlpTools.rawLanguages(text);
    Language[] calibrated = NlpTools.detectAll(text);

    assertThat(calibrated).hasSameSizeAs(raw);
    assertThat(calibrated[0].getLang()).isEqualTo(raw[0].getLang());
    assertThat(calibrated[1].getLang()).isEqualTo(raw[1].getLang());
    assertThat(List.of(calibrated).stream().mapToDouble(Language::getConfidence).sum()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void probability_of_a_language_accepts_two_letter_codes() {
    String text = "Hola, no puedo iniciar sesión en mi cuenta desde ayer.";

    assertThat(NlpTools.probabilityOf(text, "es")).isGreaterThan(0.9);
    assertThat(NlpTools.probabilityOf(text, "en")).isLessThan(0.05);
  }

  @Test
  void gives_the_same_answers_from_many_threads() throws Exception {
    String text = "The app crashes every time I open the settings page on Android 14.";
    int expectedTokens = NlpTools.tokenCount(text);
    double expectedEn = NlpTools.probabilityOf(text, "en");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        results.add(pool.submit(() -> new double[] {NlpTools.tokenCount(text), NlpTools.probabilityOf(text, "en")}));
      }
      for (Future<double[]> r : results) {
        assertThat(r.get()[0]).isEqualTo(expectedTokens);
        assertThat(r.get()[1]).isCloseTo(expectedEn, within(1e-12));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
