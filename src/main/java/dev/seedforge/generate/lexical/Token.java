package dev.seedforge.generate.lexical;

/**
 * One token of a text being augmented. Mutable, and only ever used by one thread inside one call.
 * {@code gap} is the whitespace that stood before the token in the source text ("" when it was
 * glued to its left neighbour, e.g. a comma), so rendering puts punctuation back where it was.
 */
final class Token {
  String text;
  /** The UD part-of-speech tag from OpenNLP (NOUN, VERB, ADJ, ADV, PROPN, PUNCT, ...). */
  final String tag;
  String gap;
  /** Capitalised only because it opened a sentence ("The"), so it is lower-cased if it moves. */
  boolean capitalisedByPosition;
  /** A plain word we may swap, delete, or look synonyms up for; false for punctuation and glued pieces. */
  boolean free;
  /** A free noun, verb, adjective or adverb that is not a stopword: a synonym candidate. */
  boolean content;

  Token(String text, String tag, String gap) {
    this.text = text;
    this.tag = tag;
    this.gap = gap;
  }

  Token copy() {
    Token t = new Token(text, tag, gap);
    t.capitalisedByPosition = capitalisedByPosition;
    t.free = free;
    t.content = content;
    return t;
  }

  boolean hasLetterOrDigit() {
    return text.codePoints().anyMatch(Character::isLetterOrDigit);
  }

  boolean endsSentence() {
    return !hasLetterOrDigit()
        && (text.endsWith(".") || text.endsWith("!") || text.endsWith("?") || text.endsWith("…"));
  }

  @Override
  public String toString() {
    return text + "/" + tag;
  }
}
