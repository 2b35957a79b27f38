package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.util.Locale;
import java.util.Set;
import opennlp.tools.langdetect.Language;

/**
 * Rejects texts that are not in the wanted language, by the OpenNLP language detector with
 * calibrated probabilities (see {@link NlpTools}).
 *
 * <p>The rule, with p(x) the calibrated probability of language x:
 *
 * <ol>
 *   <li>Texts with fewer than {@code minTokens} tokens are kept unjudged: detection on a few words
 *       ("ok thanks", "order 5512 late") is noise.
 *   <li>When English is wanted, text that is plainly English by a cheap test ({@link PlainEnglish}:
 *       8 words or more, 30 % of them English function words, no accented letters and no
 *       other language's function words) is kept without running the model.
 *   <li>Reject when the most likely language is another one and p(best) ≥ {@code minConfidence}:
 *       the text confidently looks like something else. Reason "looks like fra (0.99), expected en";
 *       threshold {@code minConfidence}.
 *   <li>Reject when p(wanted) &lt; {@link #VERY_LOW} even though no other language reaches
 *       {@code minConfidence}: mixed-language, garbled or code-like text with hardly any sign of
 *       the wanted language. Threshold {@link #VERY_LOW}.
 *   <li>Otherwise keep: the wanted language is the best guess, or the guess is too uncertain to
 *       throw a text away for it (typo-laden English often has p(en) around 0.4–0.8).
 * </ol>
 *
 * The score is always p(wanted). Macro-languages count all their codes (no = nob + nno).
 *
 * <p>An instruction that asks for a translation or an answer in another language
 * ({@link InstructionAsks.Ask#OTHER_LANGUAGE}) is judged in parts: the instruction in the wanted
 * language, the output in the language the instruction names ("into French"; rejected only when
 * it confidently looks like another one, since a translation often comes with a note), or not at
 * all when it names none; the input, often the text to translate, is not judged.
 */
public final class LanguageFilter implements Filter {
  public static final String NAME = "language";
  private static final long serialVersionUID = 1L;

  /** Below this probability of the wanted language a text is rejected whatever else it looks like. */
  public static final double VERY_LOW = 0.05;

  private final String language;
  private final double minConfidence;
  private final int minTokens;
  private final TaskType task;
  private final boolean english;

  /**
   * @param language ISO 639-1 (or 639-3) code of the wanted language; checked here, so a typo
   *     fails when the gate is built, not on the workers
   */
  public LanguageFilter(String language, double minConfidence, int minTokens, TaskType task) {
    LanguageCodes.toIso3(language);
    if (minConfidence < 0 || minConfidence > 1) {
      throw new IllegalArgumentException("minConfidence must be within [0, 1]: " + minConfidence);
    }
    this.language = language;
    this.minConfidence = minConfidence;
    this.minTokens = minTokens;
    this.task = task;
    this.english = LanguageCodes.toIso3(language).equals("eng");
  }

  @Override
  public String name() {
    return NAME;
  }

  public String language() {
    return language;
  }

  @Override
  public Verdict check(Candidate candidate) {
    return check(new CandidateText(candidate, task));
  }

  @Override
  public Verdict check(CandidateText text) {
    InstructionAsks asks = text.asks();
    if (!asks.has(InstructionAsks.Ask.OTHER_LANGUAGE)) {
      return judge(text.text(), text.tokenCount());
    }
    String instruction = text.candidate().field("instruction").strip();
    Verdict v = judge(instruction, NlpTools.tokenCount(instruction));
    if (!v.keep() || asks.language().isEmpty()) {
      return v;
    }
    String target = asks.language().get();
    if (LanguageCodes.toIso3(target).equals(LanguageCodes.toIso3(language))) {
      return judge(text.output(), text.outputTokenCount());
    }
    return text.outputTokenCount() < minTokens ? Verdict.KEEP : byModel(text.output(), target, false, " (the instruction asks for it)");
  }

  /** The verdict on a bare text. */
  public Verdict judge(String text) {
    return judge(text, NlpTools.tokenCount(text));
  }

  private Verdict judge(String text, int tokens) {
    if (tokens < minTokens) {
      return Verdict.KEEP;
    }
    if (english && PlainEnglish.test(text)) {
      return Verdict.KEEP;
    }
    return byModel(text);
  }

  /** The model's verdict on a text of at least {@code minTokens} tokens, with no shortcut. */
  Verdict byModel(String text) {
    return byModel(text, language, true, "");
  }

  /**
   * @param mixedRejects whether hardly any sign of {@code language} rejects on its own: not for a
   *     requested translation, which often comes with a note in the pack's language
   */
  private Verdict byModel(String text, String language, boolean mixedRejects, String why) {
    Set<String> wanted = LanguageCodes.variants(language);
    Language[] all = NlpTools.detectAll(text);
    double pWanted = 0;
    for (Language l : all) {
      if (wanted.contains(l.getLang())) {
        pWanted += l.getConfidence();
      }
    }
    Language best = all[0];
    boolean bestIsWanted = wanted.contains(best.getLang());
    if (!bestIsWanted && best.getConfidence() >= minConfidence) {
      return Verdict.reject(
          "looks like " + best.getLang() + " (" + fmt(best.getConfidence()) + "), expected " + language + why,
          pWanted,
          minConfidence);
    }
    if (mixedRejects && pWanted < VERY_LOW) {
      return Verdict.reject(
          "hardly any " + language + " (" + fmt(pWanted) + "); best guess " + best.getLang()
              + " (" + fmt(best.getConfidence()) + ")" + why,
          pWanted,
          VERY_LOW);
    }
    return Verdict.KEEP;
  }

  @Override
  public void warmUp() {
    NlpTools.detect("warm up");
  }

  private static String fmt(double p) {
    return String.format(Locale.ROOT, "%.2f", p);
  }

  @Override
  public String toString() {
    return NAME + "[" + language + " ≥" + minConfidence + ", from " + minTokens + " tokens]";
  }
}
