package dev.seedforge.quality;

import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.OutputContract;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import opennlp.tools.stemmer.PorterStemmer;

/**
 * Groundedness ({@code ungrounded}) of candidates generated from a document chunk; others pass.
 * Two checks, in order: the quoted {@code evidence} must occur in the chunk (normalised: case,
 * punctuation and spacing ignored; parts separated by an ellipsis each), and every sentence of the
 * answer must be supported by the chunk: at least {@code minSupport} of its content words
 * (OpenNLP tokens, stop words dropped, Porter stems) occur in the chunk. With an embedding model,
 * each answer sentence must also be within {@code minSimilarity} cosine (MiniLM) of some sentence
 * of the chunk: a paraphrase keeps its meaning but not its words, a fabrication built from the
 * chunk's words does not keep its meaning. The score is the least supported sentence's.
 */
public final class GroundednessFilter implements Filter {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "ungrounded";
  /**
   * Default cosine floor between an answer sentence and its closest chunk sentence. On the
   * GroundednessBenchmark fixture 0.4 rejects nothing the lexical check keeps rightly, while 0.5
   * and above start rejecting supported paraphrases; so MiniLM is a backstop for answers far from
   * every sentence, and the lexical check does most of the work.
   */
  public static final double DEFAULT_MIN_SIMILARITY = 0.4;

  private static final Set<String> STOPWORDS = Set.of(
      "a", "an", "the", "and", "or", "but", "if", "then", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "into",
      "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "there", "their", "they",
      "he", "she", "his", "her", "you", "your", "we", "our", "i", "my", "me", "us", "them", "which", "who", "whom", "what", "when",
      "where", "why", "how", "do", "does", "did", "done", "has", "have", "had", "can", "could", "will", "would", "shall", "should",
      "may", "might", "must", "not", "no", "so", "such", "than", "too", "very", "also", "any", "all", "each", "some", "other",
      "about", "over", "under", "only", "own", "same", "just", "both", "more", "most", "s", "t");

  private final Map<String, String> chunks;
  private final double minSupport;
  private final String embeddingModel;
  private final double minSimilarity;

  /** {@code chunks}: chunk id → text; {@code embeddingModel} null: the lexical check only. */
  public GroundednessFilter(Map<String, String> chunks, double minSupport, String embeddingModel, double minSimilarity) {
    this.chunks = Map.copyOf(chunks);
    this.minSupport = minSupport;
    this.embeddingModel = embeddingModel;
    this.minSimilarity = minSimilarity;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Verdict check(Candidate c) {
    Candidate.Grounding g = c.grounding();
    if (g == null) {
      return Verdict.KEEP;
    }
    String chunk = chunks.get(g.chunkId());
    if (chunk == null) {
      return Verdict.reject("chunk " + g.chunkId() + " of " + g.document() + " is not among this run's documents", 0.0, 1.0);
    }
    String evidence = c.field(OutputContract.EVIDENCE);
    if (evidence.isBlank()) {
      return Verdict.reject("no evidence quoted from the chunk (" + g.document() + ")", 0.0, 1.0);
    }
    double quoted = quotedShare(evidence, chunk);
    if (quoted < 1.0) {
      return Verdict.reject(String.format(Locale.ROOT, "the quoted evidence does not occur in the chunk (%s): %.0f%% of its words do, in order",
          g.document(), 100 * quoted), quoted, 1.0);
    }
    Support s = lexicalSupport(Texts.output(c, dev.seedforge.seed.TaskType.INSTRUCTION), chunk);
    if (s.score() < minSupport) {
      return Verdict.reject(String.format(Locale.ROOT, "the answer is not supported by the chunk (%s): %.0f%% of the content words of \"%s\" occur in it",
          g.document(), 100 * s.score(), abbreviate(s.sentence())), s.score(), minSupport);
    }
    if (embeddingModel != null) {
      Support m = semanticSupport(Texts.output(c, dev.seedforge.seed.TaskType.INSTRUCTION), chunk);
      if (m.score() < minSimilarity) {
        return Verdict.reject(String.format(Locale.ROOT, "the answer is not supported by the chunk (%s): \"%s\" is at most %.2f similar to any of its sentences",
            g.document(), abbreviate(m.sentence()), m.score()), m.score(), minSimilarity);
      }
    }
    return Verdict.KEEP;
  }

  /** The least supported sentence of an answer and its score. */
  public record Support(double score, String sentence) {}

  /**
   * The share of the evidence's words found in the chunk as one run, for the worst of its parts (an
   * ellipsis separates parts that may lie apart): 1.0 when every part occurs, normalised.
   */
  public static double quotedShare(String evidence, String chunk) {
    String haystack = " " + TextNormalizer.normalize(chunk) + " ";
    double worst = 1.0;
    for (String part : evidence.split("\\.\\.\\.|…|\\[\\.\\.\\.]")) {
      String needle = TextNormalizer.normalize(part);
      if (needle.isEmpty()) {
        continue;
      }
      if (haystack.contains(" " + needle + " ")) {
        continue;
      }
      String[] words = needle.split(" ");
      int best = 0;
      for (int i = 0; i < words.length; i++) {
        StringBuilder run = new StringBuilder(" ");
        for (int j = i; j < words.length; j++) {
          run.append(words[j]).append(' ');
          if (!haystack.contains(run)) {
            break;
          }
          best = Math.max(best, j - i + 1);
        }
      }
      worst = Math.min(worst, Math.min(0.99, best / (double) words.length));
    }
    return worst;
  }

  /** Per answer sentence, the share of its content words (stemmed) that occur in the chunk; the least supported sentence. */
  public static Support lexicalSupport(String answer, String chunk) {
    Set<String> inChunk = new HashSet<>(contentStems(chunk));
    Support worst = new Support(1.0, answer);
    List<String> all = contentStems(answer);
    if (all.isEmpty()) {
      return worst;
    }
    for (String sentence : sentencesOf(answer)) {
      List<String> words = contentStems(sentence);
      if (words.isEmpty()) {
        continue;
      }
      long found = words.stream().filter(inChunk::contains).count();
      double score = found / (double) words.size();
      if (score < worst.score()) {
        worst = new Support(score, sentence);
      }
    }
    return worst;
  }

  /** Per answer sentence, the cosine of its MiniLM embedding to the closest chunk sentence; the least supported sentence. */
  Support semanticSupport(String answer, String chunk) {
    List<String> answerSentences = sentencesOf(answer);
    List<String> chunkSentences = sentencesOf(chunk);
    List<String> texts = new ArrayList<>(answerSentences);
    texts.addAll(chunkSentences);
    List<float[]> v = SentenceEncoder.of(embeddingModel).embedAll(texts);
    Support worst = new Support(1.0, answer);
    for (int i = 0; i < answerSentences.size(); i++) {
      double best = -1;
      for (int j = 0; j < chunkSentences.size(); j++) {
        best = Math.max(best, DomainRelevanceFilter.cosine(v.get(i), v.get(answerSentences.size() + j)));
      }
      if (best < worst.score()) {
        worst = new Support(best, answerSentences.get(i));
      }
    }
    return worst;
  }

  private static List<String> sentencesOf(String text) {
    List<String> out = new ArrayList<>();
    for (String s : NlpTools.sentences(text)) {
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out.isEmpty() ? List.of(text.strip()) : out;
  }

  static List<String> contentStems(String text) {
    PorterStemmer stemmer = new PorterStemmer();
    List<String> out = new ArrayList<>();
    for (String t : NlpTools.tokens(text.toLowerCase(Locale.ROOT))) {
      String w = TextNormalizer.normalize(t);
      if (w.isEmpty()) {
        continue;
      }
      for (String piece : w.split(" ")) {
        if (!piece.isEmpty() && !STOPWORDS.contains(piece)) {
          out.add(piece.chars().allMatch(Character::isDigit) ? piece : stemmer.stem(piece));
        }
      }
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }

  @Override
  public void warmUp() {
    NlpTools.sentences("Warm up.");
    if (embeddingModel != null) {
      SentenceEncoder.of(embeddingModel).embed("warm up");
    }
  }

  @Override
  public String toString() {
    return NAME + "(min_support=" + minSupport + (embeddingModel == null ? "" : ", " + embeddingModel + " >= " + minSimilarity) + ")";
  }
}
