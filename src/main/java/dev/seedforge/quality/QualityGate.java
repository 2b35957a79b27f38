package dev.seedforge.quality;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured chain of quality filters, in order: {@code token_count},
 * {@code refusal_boilerplate}, then {@code language} when a language is set. Serializable and
 * cheap to ship: the filters hold only their settings; OpenNLP models live in {@link NlpTools}.
 */
public final class QualityGate implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The feature written by {@link #decide}. */
  public static final String TOKENS = "tokens";

  /** The first filter that rejected a candidate, and its verdict. */
  public record Rejected(String filter, Verdict verdict) implements Serializable {}

  private final List<Filter> filters;
  private final TaskType task;

  public QualityGate(List<Filter> filters, TaskType task) {
    this.filters = List.copyOf(filters);
    this.task = task;
  }

  public static QualityGate fromSpec(PipelineSpec.Quality q, TaskType task) {
    return fromSpec(q, task, List.of(), List.of());
  }

  public static QualityGate fromSpec(PipelineSpec.Quality q, TaskType task, List<String> seedOutputs, List<String> templates) {
    return fromSpec(q, task, new Context(seedOutputs, List.of(), Map.of(), templates));
  }

  /**
   * What the gate learns from the run: the seeds' answers (truncation), the labelled seed texts
   * and the labels' descriptions (label consistency), the pack's templates (prompt leakage).
   */
  public record Context(
      List<String> seedOutputs,
      List<LabelFilter.Example> labelled,
      Map<String, String> labelDescriptions,
      List<String> templates,
      List<DomainRelevanceFilter.SeedText> seeds) {
    public Context(List<String> seedOutputs, List<LabelFilter.Example> labelled, Map<String, String> labelDescriptions, List<String> templates) {
      this(seedOutputs, labelled, labelDescriptions, templates, List.of());
    }
  }

  /**
   * Default similarity bounds, calibrated on the customer-support seeds (leave-one-out, closest
   * other seed): with MiniLM embeddings every seed scores ≥ 0.187 and clearly off-topic text
   * 0.11–0.20, so 0.15 rejects only what is plainly elsewhere; TF-IDF over such short texts does not
   * separate topics (off-topic 0.11–0.16, seeds from 0.07), so it is for near-copies only. The
   * near-copy side is off by default (above 1): dedup's copy_of_seed and near_copy_of_seed already
   * reject textual copies and name the seed; set quality.max_similarity (e.g. 0.97 with embeddings)
   * to also reject paraphrase-level copies.
   */
  public static final double EMBEDDING_MIN = 0.15;
  public static final double TFIDF_MIN = 0.0;
  public static final double NO_MAX = 1.01;

  /**
   * The chain for a run: token count, phrases, language, then (unless {@code quality.noise.enabled}
   * is false) the noise filters: character statistics, repetition, placeholders, prompt leakage
   * (echoes of {@code templates}), truncation (final punctuation required when the
   * {@code seedOutputs} nearly all have it) and, for instruction data, the Self-Instruct rules.
   */
  public static QualityGate fromSpec(PipelineSpec.Quality q, TaskType task, Context ctx) {
    List<String> seedOutputs = ctx.seedOutputs();
    List<String> templates = ctx.templates();
    List<Filter> chain = new ArrayList<>();
    TokenBounds bounds = TokenBounds.of(q, lengthSeeds(task, ctx));
    chain.add(new TokenCountFilter(bounds.min(), bounds.max(), task));
    chain.add(new PhraseFilter(q.extraPhrases(), task));
    if (q.language() != null) {
      chain.add(new LanguageFilter(q.language(), q.minLanguageConfidence(), q.languageMinTokens(), task));
    }
    PipelineSpec.Noise n = q.noise();
    if (n != null && n.enabled()) {
      chain.add(new TextStatsFilter(TextStatsFilter.Kind.MEAN_WORD_LENGTH, n.minMeanWordLength(), n.maxMeanWordLength(), task));
      chain.add(new TextStatsFilter(TextStatsFilter.Kind.SYMBOL_RATIO, 0, n.maxSymbolRatio(), task));
      chain.add(new TextStatsFilter(TextStatsFilter.Kind.DIGIT_RATIO, 0, n.maxDigitRatio(), task));
      chain.add(new TextStatsFilter(TextStatsFilter.Kind.URL_RATIO, 0, n.maxUrlRatio(), task));
      chain.add(RepetitionFilter.ngrams(n.repeatedNgram(), n.maxRepeatedNgrams(), task));
      chain.add(RepetitionFilter.lines(n.maxRepeatedLines(), task));
      chain.add(PatternFilter.placeholders(task));
      chain.add(PatternFilter.promptLeakage(templates, task));
      chain.add(TruncationFilter.fromSeeds(seedOutputs, n.finalPunctuationShare(), task));
      if (task == TaskType.INSTRUCTION) {
        chain.add(new InstructionRulesFilter(n.instructionMinWords(), n.instructionMaxWords()));
      }
    }
    PipelineSpec.Relevance r = q.relevance();
    if (r != null && r.domainCheck() && !ctx.seeds().isEmpty()) {
      double min = relevanceBound(r, ctx.seeds()).value();
      double max = r.maxSimilarity() >= 0 ? r.maxSimilarity() : NO_MAX;
      chain.add(new DomainRelevanceFilter(ctx.seeds(), r.embeddings() ? r.embeddingModel() : null, min, max, task));
    }
    return new QualityGate(chain, task);
  }

  /**
   * The seed texts the token_count band is derived from: the whole seeds for classification, the
   * seeds' outputs for instructions (token_count judges the output there).
   */
  public static List<String> lengthSeeds(TaskType task, Context ctx) {
    if (task == TaskType.INSTRUCTION) {
      return ctx.seedOutputs();
    }
    return ctx.seeds().stream().map(DomainRelevanceFilter.SeedText::text).toList();
  }

  /** The same chain with {@code filter} after its filters. */
  public QualityGate withFilter(Filter filter) {
    List<Filter> chain = new ArrayList<>(filters);
    chain.add(filter);
    return new QualityGate(chain, task);
  }

  /**
   * The off-topic bound of a run: {@code quality.min_similarity} when set, else calibrated on the
   * seeds with embeddings (see {@link DomainRelevanceFilter#calibrate}), else {@link #TFIDF_MIN}.
   */
  public static DomainRelevanceFilter.Bound relevanceBound(PipelineSpec.Relevance r, List<DomainRelevanceFilter.SeedText> seeds) {
    if (r.minSimilarity() >= 0) {
      return new DomainRelevanceFilter.Bound(r.minSimilarity(), "quality.min_similarity");
    }
    if (!r.embeddings()) {
      return new DomainRelevanceFilter.Bound(TFIDF_MIN, "the TF-IDF default (TF-IDF over short texts does not separate topics)");
    }
    return DomainRelevanceFilter.calibrate(seeds, r.embeddingModel());
  }

  /**
   * The label check that follows the filters for classification packs with two labels or more
   * (label_check on): trained on the seeds and the pool of kept candidates, out of fold.
   */
  public static java.util.Optional<LabelCheckStage> labelCheck(PipelineSpec.Quality q, TaskType task, Context ctx, long seed) {
    PipelineSpec.Relevance r = q.relevance();
    if (r == null || !r.labelCheck() || task != TaskType.CLASSIFICATION
        || ctx.labelled().stream().map(LabelFilter.Example::label).distinct().count() < 2) {
      return java.util.Optional.empty();
    }
    LabelCheck check = LabelCheck.Features.of(r.resolvedLabelFeatures()) == LabelCheck.Features.EMBEDDINGS
        ? LabelCheck.embeddings(r.cvFolds(), seed, r.embeddingModel())
        : LabelCheck.words(r.cvFolds(), seed);
    check = check.withMargin(r.labelMargin()).withMinProbability(r.minLabelProbability());
    return java.util.Optional.of(new LabelCheckStage(check, ctx.labelled(), ctx.labelDescriptions(), task));
  }

  public List<Filter> filters() {
    return filters;
  }

  public TaskType task() {
    return task;
  }

  /** The first filter in the chain that rejects {@code c}, or empty when all keep it. */
  public Optional<Rejected> firstRejection(Candidate c) {
    return firstRejection(new CandidateText(c, task));
  }

  private Optional<Rejected> firstRejection(CandidateText text) {
    for (Filter f : filters) {
      Verdict v = f.check(text);
      if (!v.keep()) {
        return Optional.of(new Rejected(f.name(), v));
      }
    }
    return Optional.empty();
  }

  /** {@link Verdict#KEEP}, or the verdict of the first filter that rejects. */
  public Verdict check(Candidate c) {
    return firstRejection(c).map(Rejected::verdict).orElse(Verdict.KEEP);
  }

  /**
   * The gate's decision on a candidate: the candidate with the feature {@value #TOKENS} (the
   * OpenNLP token count of the judged text), and the first filter that rejects it, if one does.
   */
  public record Decision(Candidate candidate, Optional<Rejected> rejected) {}

  public Decision decide(Candidate c) {
    CandidateText text = new CandidateText(c, task);
    Optional<Rejected> rejected = firstRejection(text);
    return new Decision(c.withFeatures(Map.of(TOKENS, (double) text.tokenCount())), rejected);
  }

  /** Loads every filter's models and seed vectors now rather than on the first candidate. */
  public void warmUp() {
    filters.forEach(Filter::warmUp);
  }

  /** True when some filter judges a batch far more cheaply than its candidates one by one. */
  public boolean batches() {
    return filters.stream().anyMatch(Filter::batches);
  }

  /** Candidates per task when many are judged on every core ({@link #decideAll}). */
  static final int CHUNK = 256;

  /**
   * The decisions on many candidates, in their order, the same as {@link #decide} on each, on
   * every core: the candidates go in chunks of {@value #CHUNK} to the common fork-join pool (the
   * filters keep no per-candidate state, so the verdicts do not depend on the chunks). When a
   * filter judges batches far more cheaply (embeddings), every filter in turn judges the
   * candidates that no earlier filter rejected, all at once, so the batching filter makes one model
   * call for the whole batch, and only for the candidates still standing when its turn comes.
   */
  public List<Decision> decideAll(List<Candidate> candidates) {
    if (!batches()) {
      return inChunks(candidates, chunk -> chunk.stream().map(this::decide).toList());
    }
    List<CandidateText> texts = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      texts.add(new CandidateText(c, task));
    }
    List<Optional<Rejected>> rejected = new ArrayList<>(java.util.Collections.nCopies(candidates.size(), Optional.empty()));
    List<Integer> standing = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      standing.add(i);
    }
    for (Filter f : filters) {
      if (standing.isEmpty()) {
        break;
      }
      List<CandidateText> judged = standing.stream().map(texts::get).toList();
      List<Verdict> verdicts = f.batches() ? f.checkAll(judged) : inChunks(judged, f::checkAll);
      List<Integer> next = new ArrayList<>(standing.size());
      for (int k = 0; k < standing.size(); k++) {
        if (verdicts.get(k).keep()) {
          next.add(standing.get(k));
        } else {
          rejected.set(standing.get(k), Optional.of(new Rejected(f.name(), verdicts.get(k))));
        }
      }
      standing = next;
    }
    List<Decision> out = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      out.add(new Decision(candidates.get(i).withFeatures(Map.of(TOKENS, (double) texts.get(i).tokenCount())), rejected.get(i)));
    }
    return out;
  }

  static <T, R> List<R> inChunks(List<T> items, java.util.function.Function<List<T>, List<R>> work) {
    return dev.seedforge.util.Parallel.inChunks(items, CHUNK, work);
  }

  @Override
  public String toString() {
    return "QualityGate" + filters;
  }
}
