package dev.seedforge.quality;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import dev.seedforge.prompt.ConversationSettings;
import dev.seedforge.seed.Conversation;
import dev.seedforge.seed.ConversationRules;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.TaskType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The quality gate of conversation packs. First the conversation as a whole: its shape
 * ({@code roles_out_of_order}, {@code empty_turn}, {@code last_turn_not_assistant}), its number of
 * assistant turns ({@code turn_count}) and turns that repeat an earlier one ({@code repeated_turn});
 * then every assistant turn, with the user turn before it, through the filters an instruction's
 * answer goes through (token_count from the seeds' assistant turns, refusals, language, noise,
 * truncation), each under its own name; last, with the domain check on, the conversation's
 * relevance to the seed conversations. Every rejection names the turn (counted from 1).
 */
public final class ConversationGate {
  public static final String TURN_COUNT = "turn_count";
  public static final String REPEATED_TURN = "repeated_turn";
  /** Word-set Jaccard from which two turns of four words or more count as the same turn said again. */
  public static final double REPEAT_JACCARD = 0.85;

  private ConversationGate() {}

  /** The gate for a run of a conversation pack over {@code seeds}, with the pack's {@code templates} (prompt leakage). */
  public static QualityGate forRun(PipelineSpec.Quality q, ConversationSettings settings, List<Seed> seeds, List<String> templates) {
    List<List<Conversation.Turn>> seedTurns = seeds.stream().map(s -> Conversation.turns(s.fields())).toList();
    List<String> seedAnswers = seedTurns.stream().flatMap(t -> Conversation.assistantTurns(t).stream()).toList();
    List<Filter> chain = new ArrayList<>();
    chain.add(new ShapeFilter(ConversationRules.ROLES_OUT_OF_ORDER));
    chain.add(new ShapeFilter(ConversationRules.EMPTY_TURN));
    chain.add(new ShapeFilter(ConversationRules.LAST_TURN_NOT_ASSISTANT));
    int min = settings.minTurns();
    int max = settings.maxTurns();
    for (List<Conversation.Turn> t : seedTurns) {
      int n = Conversation.assistantTurns(t).size();
      min = Math.min(min, n);
      max = Math.max(max, n);
    }
    chain.add(new TurnCountFilter(min, max));
    chain.add(new RepeatedTurnFilter(REPEAT_JACCARD));
    // no seed texts in the context: relevance is judged once, on the whole conversation, below
    QualityGate answers = QualityGate.fromSpec(q, TaskType.INSTRUCTION, new QualityGate.Context(seedAnswers, List.of(), Map.of(), templates));
    boolean seedsRefuse = seedTurns.stream().anyMatch(t -> refuses(answers, t));
    for (Filter f : answers.filters()) {
      // an answer filter judges the turn alone; the user's turn is no instruction to hold to its rules,
      // and a pack whose seed conversations refuse some requests wants refusals
      if (f instanceof InstructionRulesFilter || (seedsRefuse && f instanceof PhraseFilter)) {
        continue;
      }
      chain.add(new TurnFilter(f));
    }
    PipelineSpec.Relevance r = q.relevance();
    if (r != null && r.domainCheck() && !seeds.isEmpty()) {
      List<DomainRelevanceFilter.SeedText> texts = seeds.stream()
          .map(s -> new DomainRelevanceFilter.SeedText(s.id(), s.label(), Conversation.text(Conversation.turns(s.fields()))))
          .toList();
      double lower = QualityGate.relevanceBound(r, texts).value();
      double upper = r.maxSimilarity() >= 0 ? r.maxSimilarity() : QualityGate.NO_MAX;
      chain.add(new DomainRelevanceFilter(texts, r.embeddings() ? r.embeddingModel() : null, lower, upper, TaskType.CONVERSATION));
    }
    return new QualityGate(chain, TaskType.CONVERSATION);
  }

  private static boolean refuses(QualityGate answers, List<Conversation.Turn> turns) {
    for (Filter f : answers.filters()) {
      if (f instanceof PhraseFilter) {
        for (Candidate c : answerCandidates(null, turns)) {
          if (!f.check(new CandidateText(c, TaskType.INSTRUCTION)).keep()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Each assistant turn as an instruction's answer to the user turn before it; index i is turn 2i+2. */
  static List<Candidate> answerCandidates(Candidate of, List<Conversation.Turn> turns) {
    List<Candidate> out = new ArrayList<>();
    String before = "";
    for (Conversation.Turn t : turns) {
      if (t.isAssistant()) {
        Map<String, String> fields = Map.of("instruction", before, "input", "", "output", t.content());
        out.add(of == null
            ? new Candidate("turn", null, fields, null, null)
            : new Candidate(of.id(), of.label(), fields, of.provenance(), null));
      } else {
        before = t.content();
      }
    }
    return out;
  }

  /** A filter of a conversation's turns: it judges the turns parsed once per record ({@link CandidateText#turns}). */
  abstract static class OnTurns implements Filter {
    private static final long serialVersionUID = 1L;

    @Override
    public final Verdict check(Candidate candidate) {
      return check(new CandidateText(candidate, TaskType.CONVERSATION));
    }

    @Override
    public abstract Verdict check(CandidateText text);
  }

  /** One of the shape rules of {@link ConversationRules}, under its own name. */
  static final class ShapeFilter extends OnTurns {
    private static final long serialVersionUID = 1L;
    private final String rule;

    ShapeFilter(String rule) {
      this.rule = rule;
    }

    @Override
    public String name() {
      return rule;
    }

    @Override
    public Verdict check(CandidateText text) {
      return ConversationRules.check(text.turns())
          .filter(b -> b.filter().equals(rule))
          .map(b -> Verdict.reject(b.reason(), (double) b.turn(), null))
          .orElse(Verdict.KEEP);
    }

    @Override
    public String toString() {
      return rule;
    }
  }

  /** The number of assistant turns, within the pack's turns range widened to the seeds' own counts. */
  static final class TurnCountFilter extends OnTurns {
    private static final long serialVersionUID = 1L;
    private final int min;
    private final int max;

    TurnCountFilter(int min, int max) {
      this.min = min;
      this.max = max;
    }

    @Override
    public String name() {
      return TURN_COUNT;
    }

    @Override
    public Verdict check(CandidateText text) {
      int n = Conversation.assistantTurns(text.turns()).size();
      if (n < min) {
        return Verdict.reject(n + " assistant turns, fewer than the " + min + " the pack's turns and the seeds allow", (double) n, (double) min);
      }
      if (n > max) {
        return Verdict.reject(n + " assistant turns, more than the " + max + " the pack's turns and the seeds allow", (double) n, (double) max);
      }
      return Verdict.KEEP;
    }

    @Override
    public String toString() {
      return TURN_COUNT + "[" + min + ".." + max + "]";
    }
  }

  /** A turn that says again what an earlier turn of the conversation said: the same after normalisation, or nearly the same words. */
  static final class RepeatedTurnFilter extends OnTurns {
    private static final long serialVersionUID = 1L;
    private final double jaccard;

    RepeatedTurnFilter(double jaccard) {
      this.jaccard = jaccard;
    }

    @Override
    public String name() {
      return REPEATED_TURN;
    }

    @Override
    public Verdict check(CandidateText text) {
      List<Conversation.Turn> turns = text.turns();
      List<String> normal = turns.stream().map(t -> TextNormalizer.normalize(t.content())).toList();
      List<Set<String>> words = normal.stream().map(n -> (Set<String>) new HashSet<>(Arrays.asList(n.split(" ")))).toList();
      for (int i = 1; i < turns.size(); i++) {
        for (int j = 0; j < i; j++) {
          double score = normal.get(i).equals(normal.get(j)) ? 1.0 : words.get(i).size() >= 4 && words.get(j).size() >= 4 ? jaccard(words.get(i), words.get(j)) : 0;
          if (score >= jaccard) {
            return Verdict.reject(String.format(java.util.Locale.ROOT, "turn %d (%s) repeats turn %d (%s): word overlap %.2f",
                i + 1, turns.get(i).role(), j + 1, turns.get(j).role(), score), score, jaccard);
          }
        }
      }
      return Verdict.KEEP;
    }

    private static double jaccard(Set<String> a, Set<String> b) {
      int common = 0;
      for (String w : a) {
        if (b.contains(w)) {
          common++;
        }
      }
      return (double) common / (a.size() + b.size() - common);
    }

    @Override
    public String toString() {
      return REPEATED_TURN + "[" + jaccard + "]";
    }
  }

  /** An answer filter applied to every assistant turn in turn; the first turn it rejects is named. */
  static final class TurnFilter extends OnTurns {
    private static final long serialVersionUID = 1L;
    private final Filter answer;

    TurnFilter(Filter answer) {
      this.answer = answer;
    }

    @Override
    public String name() {
      return answer.name();
    }

    @Override
    public Verdict check(CandidateText text) {
      List<Conversation.Turn> turns = text.turns();
      int assistant = 0;
      List<CandidateText> answers = text.answers();
      for (int i = 0; i < turns.size(); i++) {
        if (!turns.get(i).isAssistant()) {
          continue;
        }
        Verdict v = answer.check(answers.get(assistant++));
        if (!v.keep()) {
          return Verdict.reject("turn " + (i + 1) + " (assistant): " + v.reason(), v.score(), v.threshold(), v.relatedId());
        }
      }
      return Verdict.KEEP;
    }

    @Override
    public void warmUp() {
      answer.warmUp();
    }

    @Override
    public String toString() {
      return "turns:" + answer;
    }
  }
}
