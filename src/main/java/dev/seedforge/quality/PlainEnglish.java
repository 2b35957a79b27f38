package dev.seedforge.quality;

import java.util.Locale;
import java.util.Set;

/**
 * A cheap test that settles the language filter's question for most English text without the
 * 103-language model: a text of at least {@link #MIN_WORDS} words, written in unaccented Latin
 * letters only, of which at least {@link #MIN_FUNCTION_WORD_SHARE} are common English function
 * words (the, my, is, you, can't, ...) and none is a common function word of another Latin-script
 * language (ist, les, por, het, och, ...), is English. When the test is not conclusive the model
 * decides.
 *
 * <p>Measured against the model (the language filter with its defaults, English wanted) on real
 * text, see {@code PlainEnglishTest}: on the CLINC150 queries and the Self-Instruct tasks the test
 * decides most texts of 8 words or more, and it never keeps one that the model rejects except for
 * a handful of plain English questions that the model takes for Italian or Latin ("do i need a
 * visa to go to cancun"); every foreign text of the filter's fixtures, and English text spliced
 * with them, still goes to the model.
 */
final class PlainEnglish {
  static final int MIN_WORDS = 8;
  static final double MIN_FUNCTION_WORD_SHARE = 0.3;

  private static final Set<String> ENGLISH = Set.of(
      "the", "and", "you", "your", "my", "with", "have", "has", "was", "this", "that", "what", "when",
      "where", "why", "how", "can", "not", "for", "of", "it", "to", "be", "are", "been", "i", "me", "we",
      "our", "they", "them", "their", "there", "would", "could", "should", "will", "just", "about",
      "from", "which", "who", "please", "any", "an", "at", "by", "do", "does", "did", "if", "or", "so",
      "but", "get", "got", "still", "into", "than", "then", "its", "it's", "i'm", "i've", "i'd", "don't",
      "can't", "hasn't", "doesn't", "didn't", "wasn't", "isn't", "won't", "haven't", "is", "am", "all",
      "some", "no", "yes", "up", "out", "now", "also", "only", "very", "like", "need", "want", "on",
      "in", "a", "as", "he", "she", "his", "her", "him", "us", "were", "had");

  /**
   * Function words of German, French, Spanish, Italian, Portuguese, Dutch and the Scandinavian
   * languages that English does not use, and the words of lorem-ipsum filler.
   */
  private static final Set<String> OTHER = Set.of(
      "ist", "nicht", "und", "der", "das", "ich", "mein", "meine", "bitte", "sie", "wir", "ihr", "ein",
      "eine", "je", "le", "la", "les", "est", "pas", "mon", "ma", "vous", "une", "des", "et", "nous",
      "avec", "pour", "el", "los", "las", "por", "que", "mi", "una", "y", "del", "con", "para", "il",
      "mio", "per", "che", "di", "sono", "non", "meu", "ainda", "um", "uma", "ik", "het", "een", "niet",
      "mijn", "van", "jag", "inte", "och", "det", "er", "og", "jeg", "ikke", "du", "att", "nao", "sim",
      "lorem", "ipsum", "dolor", "amet", "consectetur", "adipiscing");

  private PlainEnglish() {}

  /** True when {@code text} is English by the rule above; false means "ask the model", not "foreign". */
  static boolean test(String text) {
    int words = 0;
    int english = 0;
    int letters = 0;
    int visible = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (isAsciiLetter(c)) {
        int start = i;
        while (i < n && (isAsciiLetter(text.charAt(i))
            || (text.charAt(i) == '\'' && i + 1 < n && isAsciiLetter(text.charAt(i + 1)) && i > start))) {
          i++;
        }
        String word = text.substring(start, i).toLowerCase(Locale.ROOT);
        if (OTHER.contains(word)) {
          return false;
        }
        words++;
        letters += i - start;
        visible += i - start;
        if (ENGLISH.contains(word)) {
          english++;
        }
        continue;
      }
      if (Character.isLetter(c)) {
        return false; // accented or other-script letters: the model's question
      }
      if (!Character.isWhitespace(c)) {
        visible++;
      }
      i++;
    }
    return words >= MIN_WORDS && english >= MIN_FUNCTION_WORD_SHARE * words && letters >= 0.6 * visible;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
