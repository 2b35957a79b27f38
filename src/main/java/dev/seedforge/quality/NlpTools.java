package dev.seedforge.quality;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.seedforge.nlp.NlpModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import opennlp.tools.langdetect.Language;
import opennlp.tools.langdetect.LanguageDetectorME;
import opennlp.tools.sentdetect.SentenceDetectorME;
import opennlp.tools.tokenize.TokenizerME;
import opennlp.tools.tokenize.WhitespaceTokenizer;
import opennlp.tools.util.Span;

/**
 * The OpenNLP tools of the quality filters, on the models of {@link NlpModels} (loaded once per
 * JVM on first use from the classpath resources of the {@code opennlp-models-*} jars). Models are
 * immutable and shared; the {@code *ME} tools are not thread-safe, so every thread gets its own. All methods are static and thread-safe; nothing here
 * is serialized, so filters that use it can be shipped to Beam workers.
 *
 * <p><b>Language confidences.</b> {@code langdetect-183} is a maxent model over 103 languages whose
 * raw probabilities are very flat: clean English gets ~0.06 with the runner-up at ~0.02. The
 * {@link #detect} and {@link #detectAll} results are therefore calibrated by temperature scaling:
 * each raw probability is raised to the power {@link #SHARPENING} and renormalised, which is the
 * softmax of the model's scores multiplied by that factor. The order of languages is unchanged;
 * a clear English sentence then scores ~0.95+, a French one ~0.99 French, and mixed or garbled text
 * stays spread out. {@link #rawLanguages} gives the model's own numbers.
 */
public final class NlpTools {
  /** The temperature factor applied to the language detector's scores (see class comment). */
  public static final double SHARPENING = 6.0;

  private static final String[] NO_TOKENS = new String[0];

  private NlpTools() {}

  // the models come from NlpModels, so the lexical generator and the filters share one copy
  private static final class TokenizerHolder {
    static final ThreadLocal<TokenizerME> TOOL = ThreadLocal.withInitial(() -> new TokenizerME(NlpModels.tokenizerModel()));
  }

  private static final class SentenceHolder {
    static final ThreadLocal<SentenceDetectorME> TOOL =
        ThreadLocal.withInitial(() -> new SentenceDetectorME(NlpModels.sentenceModel()));
  }

  private static final class LanguageHolder {
    static final ThreadLocal<LanguageDetectorME> TOOL =
        ThreadLocal.withInitial(() -> new LanguageDetectorME(NlpModels.languageDetectorModel()));
  }

  /** The tokens of {@code text} by the English UD-EWT tokenizer; none for a blank text. */
  public static String[] tokens(String text) {
    if (text == null || text.isBlank()) {
      return NO_TOKENS;
    }
    List<String> out = new ArrayList<>();
    for (Span word : WhitespaceTokenizer.INSTANCE.tokenizePos(text)) {
      out.addAll(Arrays.asList(pieces(word.getCoveredText(text).toString())));
    }
    return out.toArray(NO_TOKENS);
  }

  /** The number of {@link #tokens}, without building them. */
  public static int tokenCount(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    int n = 0;
    for (Span word : WhitespaceTokenizer.INSTANCE.tokenizePos(text)) {
      n += word.length() < 2 ? 1 : pieces(word.getCoveredText(text).toString()).length;
    }
    return n;
  }

  /**
   * The tokenizer's pieces of one white-space-separated word. {@code TokenizerME} splits the text
   * at white space first and then decides every split inside a word from that word alone, so the
   * pieces of a word are the same wherever it occurs and can be remembered: most words of a corpus
   * recur, and the maxent decision costs a model evaluation per character. Bounded per JVM.
   */
  private static String[] pieces(String word) {
    String[] p = PIECES.getIfPresent(word);
    if (p == null) {
      p = TokenizerHolder.TOOL.get().tokenize(word);
      PIECES.put(word, p);
    }
    return p;
  }

  private static final Cache<String, String[]> PIECES = CacheBuilder.newBuilder().maximumSize(200_000).build();

  /**
   * The last text's result, per thread: the language filter and calibration ask about the same
   * text in a row, and a detection costs far more than a string comparison.
   */
  private static final class Memo<V> {
    String text;
    V value;
  }

  private static final ThreadLocal<Memo<Language[]>> LANGUAGES = ThreadLocal.withInitial(Memo::new);

  /** The number of sentences by the English UD-EWT sentence detector; 0 for a blank text. */
  public static int sentenceCount(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    return SentenceHolder.TOOL.get().sentDetect(text).length;
  }

  /** The sentences of {@code text} by the English UD-EWT sentence detector; none for a blank text. */
  public static String[] sentences(String text) {
    if (text == null || text.isBlank()) {
      return new String[0];
    }
    return SentenceHolder.TOOL.get().sentDetect(text);
  }

  /** The model's own language probabilities, best first (ISO 639-3 codes). */
  public static Language[] rawLanguages(String text) {
    return LanguageHolder.TOOL.get().predictLanguages(text == null ? "" : text);
  }

  /** Calibrated probabilities for all languages, best first, summing to 1. */
  public static Language[] detectAll(String text) {
    String key = text == null ? "" : text;
    Memo<Language[]> memo = LANGUAGES.get();
    if (!key.equals(memo.text)) {
      memo.text = key;
      memo.value = calibrated(rawLanguages(key));
    }
    return memo.value.clone();
  }

  private static Language[] calibrated(Language[] raw) {
    double[] logits = new double[raw.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < raw.length; i++) {
      logits[i] = SHARPENING * Math.log(Math.max(raw[i].getConfidence(), Double.MIN_NORMAL));
      max = Math.max(max, logits[i]);
    }
    double sum = 0;
    for (int i = 0; i < raw.length; i++) {
      logits[i] = Math.exp(logits[i] - max);
      sum += logits[i];
    }
    Language[] out = new Language[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = new Language(raw[i].getLang(), logits[i] / sum);
    }
    Arrays.sort(out, Comparator.comparingDouble(Language::getConfidence).reversed());
    return out;
  }

  /** The most likely language with its calibrated probability. */
  public static Language detect(String text) {
    return detectAll(text)[0];
  }

  /** The calibrated probability that {@code text} is in {@code language} (ISO 639-1 or 639-3). */
  public static double probabilityOf(String text, String language) {
    var wanted = LanguageCodes.variants(language);
    double p = 0;
    for (Language l : detectAll(text)) {
      if (wanted.contains(l.getLang())) {
        p += l.getConfidence();
      }
    }
    return p;
  }
}
