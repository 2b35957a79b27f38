package dev.seedforge.generate.lexical;

import dev.seedforge.nlp.NlpModels;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * WordNet synonyms of a word used as a given part of speech, in a form that can stand where the
 * word stood. Results are cached per JVM; lookups are serialised on the dictionary because
 * extJWNL does not promise thread safety.
 *
 * <p>Only the most frequent sense and, among the next ones up to the {@value #MAX_SENSES}rd, those
 * that WordNet's sense-tagged corpus attests at least {@value #MIN_USE_COUNT} times are used, so rare
 * senses ("fox" as "slyboots", "phone" as "sound") do not leak in. Single-word lemmas are preferred; multi-word
 * lemmas ("bear witness") are offered only when a word has no single-word synonym. Lemmas with
 * capitals, digits or other symbols are dropped. A word is accepted as written when WordNet has it
 * as a lemma, or as a regular "-s" form (plural noun, third-person verb) of a lemma, in which case
 * the synonyms get the same ending; other inflections ("-ed", "-ing", irregular forms) are left
 * alone rather than replaced by an uninflected synonym.
 */
final class Synonyms {
  static final int MAX_SENSES = 3;
  static final int MIN_USE_COUNT = 2;

  private static final Map<String, List<String>> CACHE = new ConcurrentHashMap<>();

  private Synonyms() {}

  /** The WordNet part of speech for a UD tag, or null if WordNet does not cover it. */
  static POS wordnetPos(String udTag) {
    return switch (udTag) {
      case "NOUN" -> POS.NOUN;
      case "VERB" -> POS.VERB;
      case "ADJ" -> POS.ADJECTIVE;
      case "ADV" -> POS.ADVERB;
      default -> null;
    };
  }

  /** Lower-case replacement forms for {@code word} tagged {@code udTag}; empty when none. */
  static List<String> of(String word, String udTag) {
    POS pos = wordnetPos(udTag);
    if (pos == null || word.isEmpty()) {
      return List.of();
    }
    String lower = word.toLowerCase(Locale.ROOT);
    return CACHE.computeIfAbsent(pos.getKey() + "|" + lower, k -> lookUp(lower, pos));
  }

  private static List<String> lookUp(String lower, POS pos) {
    Dictionary dictionary = NlpModels.wordnet();
    try {
      synchronized (dictionary) {
        IndexWord base = dictionary.getIndexWord(pos, lower);
        if (base != null) {
          return forms(base, lower, false);
        }
        if (pos == POS.NOUN || pos == POS.VERB) {
          for (String stem : sStems(lower)) {
            IndexWord stemmed = dictionary.getIndexWord(pos, stem);
            if (stemmed != null) {
              return forms(stemmed, stem, true);
            }
          }
        }
        return List.of();
      }
    } catch (JWNLException e) {
      throw new IllegalStateException("WordNet lookup failed for " + lower, e);
    }
  }

  private static List<String> forms(IndexWord indexWord, String lemma, boolean addS) {
    Set<String> single = new LinkedHashSet<>();
    Set<String> multi = new LinkedHashSet<>();
    List<Synset> senses = indexWord.getSenses();
    for (int s = 0; s < Math.min(MAX_SENSES, senses.size()); s++) {
      if (s > 0 && useCount(senses.get(s), lemma) < MIN_USE_COUNT) {
        continue;
      }
      for (Word w : senses.get(s).getWords()) {
        String candidate = w.getLemma();
        if (candidate == null || candidate.equalsIgnoreCase(lemma) || !plain(candidate)) {
          continue;
        }
        (candidate.indexOf(' ') >= 0 ? multi : single).add(candidate);
      }
    }
    List<String> chosen = new ArrayList<>(single.isEmpty() && !addS ? multi : single);
    if (addS) {
      chosen.replaceAll(Synonyms::addS);
    }
    return List.copyOf(chosen);
  }

  /** How often the lemma was tagged with this sense in WordNet's sense-tagged corpus. */
  private static int useCount(Synset sense, String lemma) {
    for (Word w : sense.getWords()) {
      if (lemma.equalsIgnoreCase(w.getLemma())) {
        return w.getUseCount();
      }
    }
    return 0;
  }

  /** Lower-case letters, with single spaces or hyphens between them. */
  private static boolean plain(String lemma) {
    return lemma.matches("[a-z]+(?:[ -][a-z]+)*");
  }

  /** Candidate lemmas for a regular "-s" form, "-ies", then "-s" (games → game, not gam), then "-es". */
  private static List<String> sStems(String word) {
    List<String> stems = new ArrayList<>();
    if (word.length() > 4 && word.endsWith("ies")) {
      stems.add(word.substring(0, word.length() - 3) + "y");
    }
    if (word.length() > 2 && word.endsWith("s") && !word.endsWith("ss")) {
      stems.add(word.substring(0, word.length() - 1));
    }
    if (word.length() > 3 && word.endsWith("es")) {
      stems.add(word.substring(0, word.length() - 2));
    }
    return stems;
  }

  /** The regular "-s" form of a lemma: box → boxes, city → cities, day → days, ticket → tickets. */
  static String addS(String lemma) {
    if (lemma.matches(".*(s|x|z|ch|sh)")) {
      return lemma + "es";
    }
    if (lemma.matches(".*[^aeiou]y")) {
      return lemma.substring(0, lemma.length() - 1) + "ies";
    }
    return lemma + "s";
  }
}
