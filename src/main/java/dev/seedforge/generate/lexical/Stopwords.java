package dev.seedforge.generate.lexical;

import java.util.Locale;
import java.util.Set;

/** English function words and very light verbs that synonym replacement leaves alone. */
final class Stopwords {
  private Stopwords() {}

  private static final Set<String> WORDS =
      Set.of(
          // articles, determiners, quantifiers
          "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every",
          "all", "both", "either", "neither", "no", "none", "few", "many", "much", "more", "most",
          "less", "least", "several", "such", "other", "another", "own", "same", "enough",
          // pronouns
          "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your",
          "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers",
          "herself", "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "one",
          "who", "whom", "whose", "which", "what", "whatever", "whoever", "someone", "something",
          "anyone", "anything", "everyone", "everything", "nobody", "nothing",
          // auxiliaries and light verbs
          "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having",
          "do", "does", "did", "doing", "done", "will", "would", "shall", "should", "can", "could",
          "may", "might", "must", "ought", "get", "gets", "got", "let", "lets",
          // prepositions and conjunctions
          "of", "at", "by", "for", "with", "about", "against", "between", "into", "through",
          "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out",
          "on", "off", "over", "under", "again", "further", "then", "once", "and", "but", "or",
          "nor", "so", "yet", "if", "because", "as", "until", "while", "than", "though",
          "although", "unless", "since", "whether", "per", "via", "upon", "within", "without",
          // adverbs that carry structure, negation or degree
          "here", "there", "when", "where", "why", "how", "not", "only", "very", "too", "also",
          "just", "now", "ever", "never", "always", "still", "even", "already", "quite", "rather",
          "really", "yes", "ok", "okay", "please");

  static boolean contains(String word) {
    return WORDS.contains(word.toLowerCase(Locale.ROOT));
  }
}
