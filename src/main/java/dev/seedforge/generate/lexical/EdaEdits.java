package dev.seedforge.generate.lexical;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The four EDA operations (Wei &amp; Zou 2019) on a token list, in place. Every random choice
 * comes from the given generator, so the same generator state gives the same edit. Only free
 * tokens (plain words, see {@link Token#free}) are moved or removed: punctuation, numbers and
 * contractions stay where they are.
 */
final class EdaEdits {
  private EdaEdits() {}

  /** Texts with fewer words than this are never shortened. */
  static final int MIN_WORDS_FOR_DELETION = 4;

  private static final int TRIES = 10;

  /** How many edits a rate asks for: rate × n rounded, at least 1. */
  static int count(double rate, int n) {
    return Math.max(1, (int) Math.round(rate * n));
  }

  static int wordCount(List<Token> tokens) {
    int n = 0;
    for (Token t : tokens) {
      if (t.hasLetterOrDigit()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Replaces about {@code rate} × (content words) content words, at least one when any has a
   * synonym, with a WordNet synonym of the same part of speech, keeping the word's letter case.
   */
  static void replaceSynonyms(List<Token> tokens, double rate, SplittableRandom rnd) {
    List<Integer> content = positions(tokens, true);
    if (content.isEmpty()) {
      return;
    }
    int wanted = Math.min(content.size(), count(rate, content.size()));
    shuffle(content, rnd);
    int done = 0;
    for (int position : content) {
      if (done >= wanted) {
        break;
      }
      Token t = tokens.get(position);
      List<String> synonyms = Synonyms.of(t.text, t.tag);
      if (synonyms.isEmpty()) {
        continue;
      }
      t.text = TextAnalysis.matchCase(t.text, synonyms.get(rnd.nextInt(synonyms.size())));
      t.content = false; // insertion takes synonyms of original words, not of replacements
      done++;
    }
  }

  /**
   * Inserts, about {@code rate} × (words) times, a synonym of a random content word before a
   * random free word.
   */
  static void insertSynonyms(List<Token> tokens, double rate, SplittableRandom rnd) {
    int wanted = count(rate, wordCount(tokens));
    for (int j = 0; j < wanted; j++) {
      List<Integer> content = positions(tokens, true);
      List<Integer> free = positions(tokens, false);
      if (content.isEmpty() || free.isEmpty()) {
        return;
      }
      for (int attempt = 0; attempt < TRIES; attempt++) {
        Token source = tokens.get(content.get(rnd.nextInt(content.size())));
        List<String> synonyms = Synonyms.of(source.text, source.tag);
        if (synonyms.isEmpty()) {
          continue;
        }
        String synonym = synonyms.get(rnd.nextInt(synonyms.size()));
        int at = free.get(rnd.nextInt(free.size()));
        Token displaced = tokens.get(at);
        Token inserted = new Token(synonym, source.tag, displaced.gap);
        inserted.free = true;
        displaced.gap = " ";
        tokens.add(at, inserted);
        break;
      }
    }
  }

  /** Swaps two different free words, about {@code rate} × (words) times. */
  static void swapWords(List<Token> tokens, double rate, SplittableRandom rnd) {
    List<Integer> free = positions(tokens, false);
    if (free.size() < 2) {
      return;
    }
    int wanted = count(rate, wordCount(tokens));
    for (int j = 0; j < wanted; j++) {
      for (int attempt = 0; attempt < TRIES; attempt++) {
        int a = free.get(rnd.nextInt(free.size()));
        int b = free.get(rnd.nextInt(free.size()));
        Token ta = tokens.get(a);
        Token tb = tokens.get(b);
        if (a == b || ta.text.equalsIgnoreCase(tb.text)) {
          continue;
        }
        // The words move; the whitespace stays with the position.
        String gap = ta.gap;
        ta.gap = tb.gap;
        tb.gap = gap;
        tokens.set(a, tb);
        tokens.set(b, ta);
        break;
      }
    }
  }

  /**
   * Deletes each free word with probability {@code rate}; never from a text under {@value
   * #MIN_WORDS_FOR_DELETION} words, and never every free word.
   */
  static void deleteWords(List<Token> tokens, double rate, SplittableRandom rnd) {
    if (wordCount(tokens) < MIN_WORDS_FOR_DELETION) {
      return;
    }
    List<Integer> free = positions(tokens, false);
    List<Integer> doomed = new ArrayList<>();
    for (int position : free) {
      if (rnd.nextDouble() < rate) {
        doomed.add(position);
      }
    }
    if (doomed.isEmpty()) {
      return;
    }
    if (doomed.size() == free.size()) {
      doomed.remove(rnd.nextInt(doomed.size()));
    }
    for (int d = doomed.size() - 1; d >= 0; d--) {
      remove(tokens, doomed.get(d));
    }
    dropOrphanPunctuation(tokens);
  }

  /** Removes a token; the next token keeps a gap only if both sides of the removed one had one. */
  private static void remove(List<Token> tokens, int position) {
    Token gone = tokens.remove(position);
    if (position < tokens.size()) {
      Token next = tokens.get(position);
      if (gone.gap.isEmpty() || next.gap.isEmpty()) {
        next.gap = "";
      } else if (gone.gap.indexOf('\n') >= 0) {
        next.gap = gone.gap;
      }
    }
  }

  private static final java.util.Set<String> BRACKETS = java.util.Set.of("()", "[]", "{}", "\"\"");

  /**
   * Commas, semicolons and colons left at the start of the text or after other punctuation, and
   * brackets or quotes left with nothing inside.
   */
  private static void dropOrphanPunctuation(List<Token> tokens) {
    for (int k = 0; k < tokens.size(); ) {
      Token t = tokens.get(k);
      boolean separator = t.text.equals(",") || t.text.equals(";") || t.text.equals(":");
      boolean orphan =
          separator
              && (k == 0
                  || (!tokens.get(k - 1).hasLetterOrDigit()
                      && !tokens.get(k - 1).text.matches("[\"')\\]»”’]+")));
      boolean emptyBrackets =
          k + 1 < tokens.size()
              && BRACKETS.contains(t.text + tokens.get(k + 1).text)
              && tokens.get(k + 1).gap.isEmpty();
      if (orphan) {
        tokens.remove(k); // the next token keeps its own whitespace
      } else if (emptyBrackets) {
        tokens.remove(k + 1);
        tokens.remove(k);
      } else {
        k++;
      }
    }
  }

  /** Positions of content tokens ({@code contentOnly}) or of all free tokens. */
  private static List<Integer> positions(List<Token> tokens, boolean contentOnly) {
    List<Integer> out = new ArrayList<>();
    for (int k = 0; k < tokens.size(); k++) {
      Token t = tokens.get(k);
      if (contentOnly ? t.content : t.free) {
        out.add(k);
      }
    }
    return out;
  }

  private static void shuffle(List<Integer> list, SplittableRandom rnd) {
    for (int k = list.size() - 1; k > 0; k--) {
      int j = rnd.nextInt(k + 1);
      Integer tmp = list.get(k);
      list.set(k, list.get(j));
      list.set(j, tmp);
    }
  }
}
