package dev.seedforge.pairs;

import dev.seedforge.generate.CallOutcome;
import dev.seedforge.generate.Calls;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Failure;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.generate.Rejection;
import dev.seedforge.judge.JudgeReply;
import dev.seedforge.util.Hashes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;

/**
 * Makes the pairs of a pool of prompts with the pack's method, in phases so that the calls of all
 * prompts are in flight together: first every prompt's answers, then what needs them (the
 * degrading rewrite, the two ranking calls). Plain Java over a {@link Caller}; the Beam stage
 * gives it the run's {@code Calls} (cache, claims, ledger, budget, retries).
 */
public final class PairMaker {
  /** The stage name of the pair stage's rejections. */
  public static final String STAGE = "pairs";
  /** The failure kind of an answer that came back empty. */
  public static final String EMPTY_ANSWER = "empty_answer";
  /** The failure kind of a ranking reply that did not score every answer. */
  public static final String NO_RANKING = "rank_no_verdict";
  /** The generator of offline pairs, and their method in provenance. */
  public static final String LEXICAL = "lexical";
  public static final String DEGRADE_RULE = "degrade_rule";
  /** The prompt of an offline pair needs a chosen answer to degrade. */
  public static final String NO_REFERENCE = "no_reference_answer";

  /** Provenance fields of a pair record (not written to the data files; the pairs sidecar has them). */
  public static final String METHOD = "pair.method";
  public static final String DETAIL = "pair.detail";
  public static final String CHOSEN_MODEL = "pair.chosen_model";
  public static final String REJECTED_MODEL = "pair.rejected_model";
  public static final String CHOSEN_REQUEST = "pair.chosen_request";
  public static final String REJECTED_REQUEST = "pair.rejected_request";

  /** Whose settings a call goes out with. */
  public enum Side {
    /** The run's generator (llm). */
    GENERATOR,
    /** Method models' weaker generator (pairs.rejected_llm over llm). */
    WEAKER,
    /** The ranking judge (the judge section's settings over llm). */
    JUDGE
  }

  /** Sends one request with the settings of {@code side}. */
  @FunctionalInterface
  public interface Caller {
    Future<CallOutcome> submit(GenerationRequest request, Side side) throws InterruptedException;
  }

  /** One call and whether its answer was usable (for the call record's candidate count). */
  public record Call(CallOutcome outcome, boolean usable) {}

  /** What the pool came to: every call, the pairs made, the prompts rejected, the calls that failed. */
  public record Result(List<Call> calls, List<Candidate> pairs, List<Rejection> rejections, List<Failure> failures) {}

  private final PairSettings settings;
  private final PairPrompts prompts;
  private final long seed;
  private final int round;

  public PairMaker(PairSettings settings, PairPrompts prompts, long seed, int round) {
    this.settings = settings;
    this.prompts = prompts;
    this.seed = seed;
    this.round = round;
  }

  /** The degradation drawn for a prompt: the same on every run with the same pipeline seed. */
  public Degradation degradationFor(Candidate prompt) {
    List<Degradation> ds = settings.degradations();
    return ds.get((int) Math.floorMod(Hashes.draw(seed, "degradation|" + prompt.id()), (long) ds.size()));
  }

  /** Pairs made with the LLM, by the pack's method. */
  public Result make(List<Candidate> pool, Caller caller) throws Exception {
    Work w = new Work();
    switch (settings.method()) {
      case MODELS -> models(pool, caller, w);
      case DEGRADE -> degrade(pool, caller, w);
      case JUDGE_RANK -> judgeRank(pool, caller, w);
    }
    return w.result();
  }

  /** Offline pairs: the seed's chosen answer, and a rule-based degradation of it as the rejected answer. */
  public Result lexical(List<Candidate> pool) {
    Work w = new Work();
    for (Candidate p : pool) {
      String chosen = p.field("chosen");
      if (chosen.isBlank()) {
        w.rejections.add(Rejection.of(p, STAGE, NO_REFERENCE, "offline (lexical) pairs degrade the seed's own chosen answer, and this prompt has none;"
            + " add \"chosen\" to the seed, or configure an LLM (llm.base_url or the API key) to answer it", null, null, null));
        continue;
      }
      Degradation wanted = degradationFor(p);
      LexicalDegrader.Degraded d = LexicalDegrader.degrade(chosen, wanted);
      Map<String, String> f = new TreeMap<>();
      f.put(METHOD, DEGRADE_RULE);
      f.put(DETAIL, "rule " + d.applied().wireName() + (d.applied() == wanted ? "" : " (" + wanted.wireName() + " had nothing to edit)")
          + ": a rule-based edit of the seed's answer, not an LLM rewrite");
      w.pairs.add(pair(p, chosen, d.text(), f, LEXICAL, null));
    }
    return w.result();
  }

  private void models(List<Candidate> pool, Caller caller, Work w) throws Exception {
    List<Future<CallOutcome>> strong = new ArrayList<>();
    List<Future<CallOutcome>> weak = new ArrayList<>();
    for (Candidate p : pool) {
      strong.add(caller.submit(prompts.answer(p, 0, round), Side.GENERATOR));
      weak.add(caller.submit(prompts.weakAnswer(p, round), Side.WEAKER));
    }
    for (int i = 0; i < pool.size(); i++) {
      Candidate p = pool.get(i);
      String chosen = w.answer(Calls.join(strong.get(i)), p);
      String rejected = w.answer(Calls.join(weak.get(i)), p);
      if (chosen == null || rejected == null) {
        continue;
      }
      CallOutcome c = Calls.join(strong.get(i));
      CallOutcome r = Calls.join(weak.get(i));
      Map<String, String> f = new TreeMap<>();
      f.put(METHOD, PairMethod.MODELS.wireName());
      f.put(DETAIL, "chosen: " + describe(c.request()) + "; rejected: " + describe(r.request()));
      f.put(REJECTED_MODEL, r.request().params().model());
      f.put(REJECTED_REQUEST, r.request().id());
      w.pairs.add(pair(p, chosen, rejected, f, c.request().params().provider(), c.request()));
    }
  }

  private void degrade(List<Candidate> pool, Caller caller, Work w) throws Exception {
    List<Future<CallOutcome>> answers = new ArrayList<>();
    for (Candidate p : pool) {
      answers.add(caller.submit(prompts.answer(p, 0, round), Side.GENERATOR));
    }
    Map<Integer, String> chosen = new LinkedHashMap<>();
    Map<Integer, Future<CallOutcome>> rewrites = new LinkedHashMap<>();
    for (int i = 0; i < pool.size(); i++) {
      String a = w.answer(Calls.join(answers.get(i)), pool.get(i));
      if (a != null) {
        chosen.put(i, a);
        rewrites.put(i, caller.submit(prompts.degrade(pool.get(i), a, degradationFor(pool.get(i)), round), Side.GENERATOR));
      }
    }
    for (Map.Entry<Integer, Future<CallOutcome>> e : rewrites.entrySet()) {
      Candidate p = pool.get(e.getKey());
      CallOutcome r = Calls.join(e.getValue());
      String rejected = w.answer(r, p);
      if (rejected == null) {
        continue;
      }
      Map<String, String> f = new TreeMap<>();
      f.put(METHOD, PairMethod.DEGRADE.wireName());
      f.put(DETAIL, degradationFor(p).wireName());
      f.put(REJECTED_MODEL, r.request().params().model());
      f.put(REJECTED_REQUEST, r.request().id());
      w.pairs.add(pair(p, chosen.get(e.getKey()), rejected, f, r.request().params().provider(), Calls.join(answers.get(e.getKey())).request()));
    }
  }

  private void judgeRank(List<Candidate> pool, Caller caller, Work w) throws Exception {
    int n = settings.answers();
    List<List<Future<CallOutcome>>> answers = new ArrayList<>();
    for (Candidate p : pool) {
      List<Future<CallOutcome>> mine = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        mine.add(caller.submit(prompts.answer(p, k, round), Side.GENERATOR));
      }
      answers.add(mine);
    }
    Map<Integer, List<CallOutcome>> ranked = new LinkedHashMap<>();
    Map<Integer, Future<CallOutcome>[]> rankCalls = new LinkedHashMap<>();
    for (int i = 0; i < pool.size(); i++) {
      List<CallOutcome> got = new ArrayList<>();
      boolean all = true;
      for (Future<CallOutcome> f : answers.get(i)) {
        CallOutcome o = Calls.join(f);
        all &= w.answer(o, pool.get(i)) != null;
        got.add(o);
      }
      if (!all) {
        continue;
      }
      List<String> texts = got.stream().map(o -> o.text().strip()).toList();
      List<String> reversed = new ArrayList<>(texts);
      java.util.Collections.reverse(reversed);
      @SuppressWarnings("unchecked")
      Future<CallOutcome>[] calls = new Future[] {
          caller.submit(prompts.rank(pool.get(i), texts, round, false), Side.JUDGE),
          caller.submit(prompts.rank(pool.get(i), reversed, round, true), Side.JUDGE)};
      ranked.put(i, got);
      rankCalls.put(i, calls);
    }
    for (Map.Entry<Integer, Future<CallOutcome>[]> e : rankCalls.entrySet()) {
      rankPair(pool.get(e.getKey()), ranked.get(e.getKey()), Calls.join(e.getValue()[0]), Calls.join(e.getValue()[1]), w);
    }
  }

  private void rankPair(Candidate p, List<CallOutcome> answers, CallOutcome forward, CallOutcome reversed, Work w) {
    int n = answers.size();
    JudgeReply a = scored(forward, n, w, p);
    JudgeReply b = scored(reversed, n, w, p);
    if (a == null || b == null) {
      return;
    }
    Ranking.Decision d = Ranking.decide(a.verdicts(), b.verdicts(), n);
    if (!d.consistent()) {
      w.rejections.add(Rejection.of(p, STAGE, Ranking.INCONSISTENT, d.problem(), d.concordance(), 1.0, null));
      return;
    }
    Map<String, String> f = new TreeMap<>();
    f.put(METHOD, PairMethod.JUDGE_RANK.wireName());
    f.put(DETAIL, "best of " + n + ": answer " + (d.best() + 1) + ", worst: answer " + (d.worst() + 1) + "; " + d.summary());
    f.put(REJECTED_MODEL, answers.get(d.worst()).request().params().model());
    f.put(REJECTED_REQUEST, answers.get(d.worst()).request().id());
    CallOutcome best = answers.get(d.best());
    w.pairs.add(pair(p, best.text().strip(), answers.get(d.worst()).text().strip(), f, best.request().params().provider(), best.request()));
  }

  /**
   * The reply of a ranking call when it scored every answer; else null, with its failure: the
   * call's own, or {@value #NO_RANKING} for a reply that left answers unscored.
   */
  private static JudgeReply scored(CallOutcome o, int n, Work w, Candidate p) {
    if (!o.ok()) {
      w.calls.add(new Call(o, false));
      w.failures.add(failure(o, o.errorKind(), o.errorMessage() + "; no pair for prompt " + p.id()));
      return null;
    }
    JudgeReply r = JudgeReply.parse(o.text(), n, true, PairPrompts.RANK_MIN, PairPrompts.RANK_MAX, false, Set.of());
    boolean complete = r.verdicts().size() == n;
    w.calls.add(new Call(o, complete));
    if (!complete) {
      w.failures.add(failure(o, NO_RANKING, (r.problem() == null ? "the ranking left answers unscored" : r.problem()) + "; no pair for prompt " + p.id()));
      return null;
    }
    return r;
  }

  private Candidate pair(Candidate prompt, String chosen, String rejected, Map<String, String> extra, String generator, GenerationRequest chosenRequest) {
    Map<String, String> fields = new TreeMap<>(extra);
    fields.put("prompt", prompt.field("prompt"));
    fields.put("chosen", chosen.strip());
    fields.put("rejected", rejected.strip());
    String model = chosenRequest == null ? null : chosenRequest.params().model();
    if (model != null) {
      fields.put(CHOSEN_MODEL, model);
      fields.put(CHOSEN_REQUEST, chosenRequest.id());
    }
    Candidate.Provenance pp = prompt.provenance();
    List<String> seedIds = pp.seedIds().isEmpty() ? List.of(prompt.id()) : pp.seedIds();
    Candidate.Provenance provenance = new Candidate.Provenance(seedIds, pp.strategy(), pp.templateId(), generator, model,
        chosenRequest == null ? prompt.id() : chosenRequest.id(), round, pp.grounding());
    return Candidate.of(prompt.label(), fields, provenance, 0);
  }

  private static String describe(GenerationRequest r) {
    return r.params().model() + " at temperature " + r.params().temperature();
  }

  static Failure failure(CallOutcome o, String kind, String message) {
    GenerationRequest r = o.request();
    return new Failure(r.id(), r.label(), r.strategy(), r.templateId(), r.params().model(), kind, message, o.attempts());
  }

  /** The result as it grows; each call is recorded once, where its answer is read. */
  private static final class Work {
    final List<Call> calls = new ArrayList<>();
    final List<Candidate> pairs = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();
    final List<Failure> failures = new ArrayList<>();
    final java.util.Set<String> seen = new java.util.HashSet<>();

    /** The answer's text, or null when the call failed or came back empty (then a failure is recorded). */
    String answer(CallOutcome o, Candidate prompt) {
      boolean usable = o.ok() && o.text() != null && !o.text().isBlank();
      if (seen.add(o.request().id())) {
        calls.add(new Call(o, usable));
        if (!o.ok()) {
          failures.add(failure(o, o.errorKind(), o.errorMessage() + "; no pair for prompt " + prompt.id()));
        } else if (!usable) {
          failures.add(failure(o, EMPTY_ANSWER, "the answer was empty; no pair for prompt " + prompt.id()));
        }
      }
      return usable ? o.text().strip() : null;
    }

    Result result() {
      return new Result(List.copyOf(calls), List.copyOf(pairs), List.copyOf(rejections), List.copyOf(failures));
    }
  }
}
