package dev.seedforge.generate.lexical;

import dev.seedforge.nlp.NlpModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import opennlp.tools.postag.POSTagFormat;
import opennlp.tools.postag.POSTaggerME;
import opennlp.tools.sentdetect.SentenceDetectorME;
import opennlp.tools.tokenize.TokenizerME;
import opennlp.tools.util.Span;

/**
 * Splits a text into sentences and tokens and tags them (OpenNLP UD English models), and renders
 * tokens back into text. The models are shared per JVM ({@link NlpModels}); the OpenNLP tools
 * are not thread-safe, so each thread has its own.
 */
final class TextAnalysis {
  private TextAnalysis() {}

  static final Set<String> CONTENT_TAGS = Set.of("NOUN", "VERB", "ADJ", "ADV");

  private static final ThreadLocal<SentenceDetectorME> SENTENCES =
      ThreadLocal.withInitial(() -> new SentenceDetectorME(NlpModels.sentenceModel()));
  private static final ThreadLocal<TokenizerME> TOKENIZER =
      ThreadLocal.withInitial(() -> new TokenizerME(NlpModels.tokenizerModel()));
  private static final ThreadLocal<POSTaggerME> TAGGER =
      ThreadLocal.withInitial(() -> new POSTaggerME(NlpModels.posModel(), POSTagFormat.UD));

  /**
   * A tagged text. {@code sentenceCase} says whether its sentences begin with capitals; only then
   * does rendering capitalise a word that an edit moved to the front of a sentence.
   */
  record Analysis(List<Token> tokens, boolean sentenceCase) {
    /** A deep copy of the tokens, for one attempt to edit. */
    List<Token> copyTokens() {
      List<Token> copy = new ArrayList<>(tokens.size());
      for (Token t : tokens) {
        copy.add(t.copy());
      }
      return copy;
    }

    String render(List<Token> edited) {
      return TextAnalysis.render(edited, sentenceCase);
    }
  }

  /** Tokens of {@code text} with tags, the whitespace before each, and the free/content flags. */
  static Analysis analyse(String text) {
    List<Token> tokens = new ArrayList<>();
    int previousEnd = 0;
    for (Span sentence : SENTENCES.get().sentPosDetect(text)) {
      String sentenceText = sentence.getCoveredText(text).toString();
      Span[] spans = TOKENIZER.get().tokenizePos(sentenceText);
      if (spans.length == 0) {
        continue;
      }
      String[] words = Span.spansToStrings(spans, sentenceText);
      String[] tags = TAGGER.get().tag(words);
      for (int k = 0; k < spans.length; k++) {
        int start = sentence.getStart() + spans[k].getStart();
        int end = sentence.getStart() + spans[k].getEnd();
        String gap = tokens.isEmpty() ? "" : text.substring(previousEnd, start);
        tokens.add(new Token(words[k], tags[k], gap));
        previousEnd = end;
      }
    }
    markFlags(tokens);
    boolean sentenceCase = false;
    for (int k = 0; k < tokens.size(); k++) {
      Token t = tokens.get(k);
      if (isSentenceStart(tokens, k) && t.free) {
        if (!Character.isUpperCase(t.text.codePointAt(0))) {
          sentenceCase = false;
          break;
        }
        sentenceCase = true;
      }
    }
    return new Analysis(List.copyOf(tokens), sentenceCase);
  }

  private static void markFlags(List<Token> tokens) {
    for (int k = 0; k < tokens.size(); k++) {
      Token t = tokens.get(k);
      boolean lettersOnly = !t.text.isEmpty() && t.text.codePoints().allMatch(Character::isLetter);
      boolean gluedLeft = k > 0 && t.gap.isEmpty() && tokens.get(k - 1).hasLetterOrDigit();
      boolean gluedRight =
          k + 1 < tokens.size()
              && tokens.get(k + 1).gap.isEmpty()
              && (tokens.get(k + 1).hasLetterOrDigit() || tokens.get(k + 1).text.startsWith("'"));
      boolean sentenceStart = isSentenceStart(tokens, k);
      boolean capitalised = lettersOnly && Character.isUpperCase(t.text.codePointAt(0));
      boolean restLower = t.text.substring(1).equals(t.text.substring(1).toLowerCase(Locale.ROOT));
      t.capitalisedByPosition =
          sentenceStart && capitalised && restLower && !t.tag.equals("PROPN") && !t.text.equals("I");
      // Capitalised words inside a sentence are names or acronyms ("New York", "USA"): EDA edits
      // would split or mangle them, so they stay put like punctuation.
      boolean nameLike = capitalised && !t.capitalisedByPosition && !t.text.equals("I");
      t.free = lettersOnly && !gluedLeft && !gluedRight && !nameLike && !t.tag.equals("PROPN");
      boolean plainCase =
          t.text.equals(t.text.toLowerCase(Locale.ROOT)) || t.capitalisedByPosition;
      t.content =
          t.free
              && plainCase
              && t.text.length() >= 2
              && CONTENT_TAGS.contains(t.tag)
              && !Stopwords.contains(t.text);
    }
  }

  /** A sentence starts at the first token, after . ! ? and after a line break. */
  static boolean isSentenceStart(List<Token> tokens, int k) {
    return k == 0 || tokens.get(k - 1).endsSentence() || tokens.get(k).gap.indexOf('\n') >= 0;
  }

  /**
   * Joins tokens with the whitespace recorded before each, after re-casing sentence openings: a
   * word that was capitalised only because it began a sentence is lower-cased when it moved
   * inside one, and (in a text written in sentence case) a lower-case word that now begins a
   * sentence is capitalised.
   */
  static String render(List<Token> tokens, boolean sentenceCase) {
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < tokens.size(); k++) {
      Token t = tokens.get(k);
      String text = t.text;
      boolean start = isSentenceStart(tokens, k);
      if (start && sentenceCase && t.free && Character.isLowerCase(text.codePointAt(0))) {
        text = capitalise(text);
      } else if (!start && t.capitalisedByPosition) {
        text = text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
      }
      if (k > 0) {
        out.append(t.gap);
      }
      out.append(text);
    }
    return out.toString();
  }

  static String capitalise(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
  }

  /** Gives {@code replacement} the letter case of {@code original} (UPPER, Capitalised, lower). */
  static String matchCase(String original, String replacement) {
    if (original.length() > 1 && original.equals(original.toUpperCase(Locale.ROOT))) {
      return replacement.toUpperCase(Locale.ROOT);
    }
    if (Character.isUpperCase(original.codePointAt(0))) {
      return capitalise(replacement);
    }
    return replacement;
  }

  /** Lower-case text with runs of whitespace collapsed: two variants with equal keys are the same. */
  static String key(String text) {
    return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }
}
