package dev.seedforge.pairs;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.ChatTurn;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.prompt.Pack;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.List;

/**
 * The calls that make a pair: an answer to the prompt (the chosen side, or one of judge_rank's
 * answers), the weaker generator's answer (method models), the rewrite of an answer made worse in
 * one named way (method degrade) and the judge's scoring of a prompt's answers (method judge_rank).
 * Every request's sampling seed is drawn from the pipeline seed, the prompt and the answer's
 * number, so a re-run or a top-up round asks the same requests and the response cache answers them.
 */
public final class PairPrompts implements Serializable {
  /** The strategy (and template) names of the pair calls, in failed.jsonl and the call records. */
  public static final String ANSWER = "pair_answer";
  public static final String WEAK_ANSWER = "pair_rejected_answer";
  public static final String DEGRADE = "pair_degrade";
  public static final String RANK = "pair_rank";

  /** The scale the ranking judge scores on: wide enough that several answers rarely tie. */
  public static final int RANK_MIN = 1;
  public static final int RANK_MAX = 10;

  static final String DEGRADE_SYSTEM = "You write the rejected side of preference training data: a deliberately worse answer to a user's request."
      + " You are given the request and a good answer. Rewrite the answer so that it is worse in exactly the way you are told, and clearly"
      + " worse, not just reworded. Keep its language and roughly its length. Return only the rewritten answer: no preface, no note about"
      + " what you changed, no quotation marks.";

  private final String answerSystem;
  private final String rankSystem;
  private final GenerationRequest.Params chosen;
  private final GenerationRequest.Params weaker;
  private final GenerationRequest.Params judge;
  private final long seed;

  /**
   * {@code chosen}: the run's generator, asked for text; {@code weaker}: method models' rejected
   * generator (else null); {@code judge}: the ranking calls, asked for JSON.
   */
  public PairPrompts(Pack pack, GenerationRequest.Params chosen, GenerationRequest.Params weaker, GenerationRequest.Params judge, long seed) {
    this.answerSystem = pack.systemPrompt();
    this.rankSystem = rankSystem(pack);
    this.chosen = chosen;
    this.weaker = weaker;
    this.judge = judge;
    this.seed = seed;
  }

  /** Answer number {@code sample} of the run's generator to {@code prompt}. */
  public GenerationRequest answer(Candidate prompt, int sample, int round) {
    return request(prompt, ANSWER, List.of(new ChatTurn("system", answerSystem), new ChatTurn("user", prompt.field("prompt"))), chosen, sample, round);
  }

  /** The weaker generator's answer to {@code prompt} (method models). */
  public GenerationRequest weakAnswer(Candidate prompt, int round) {
    return request(prompt, WEAK_ANSWER, List.of(new ChatTurn("system", answerSystem), new ChatTurn("user", prompt.field("prompt"))), weaker, 0, round);
  }

  /** The rewrite of {@code answer} made worse by {@code how} (method degrade). */
  public GenerationRequest degrade(Candidate prompt, String answer, Degradation how, int round) {
    String user = "Make the answer worse this way (" + how.wireName() + "): " + how.instruction()
        + "\n\nThe request:\n" + prompt.field("prompt") + "\n\nThe good answer:\n" + answer;
    return request(prompt, DEGRADE, List.of(new ChatTurn("system", DEGRADE_SYSTEM), new ChatTurn("user", user)), chosen, 0, round);
  }

  /** The judge's scoring of {@code answers}, numbered 1 to n in the order given. */
  public GenerationRequest rank(Candidate prompt, List<String> answers, int round, boolean reversed) {
    StringBuilder user = new StringBuilder("The request:\n").append(prompt.field("prompt")).append("\n\nAnswers:\n");
    for (int i = 0; i < answers.size(); i++) {
      user.append('[').append(i + 1).append("] ").append(Json.write(answers.get(i))).append('\n');
    }
    return request(prompt, RANK, List.of(new ChatTurn("system", rankSystem), new ChatTurn("user", user.toString().strip())), judge,
        reversed ? 1 : 0, round);
  }

  public String rankSystem() {
    return rankSystem;
  }

  private GenerationRequest request(Candidate prompt, String kind, List<ChatTurn> messages, GenerationRequest.Params p, int sample, int round) {
    GenerationRequest.Params drawn = new GenerationRequest.Params(p.provider(), p.endpoint(), p.model(), p.temperature(), p.topP(), p.maxTokens(),
        1, p.responseFormat(), Hashes.draw(seed, kind + "|" + prompt.id() + "|" + sample) & 0x7fffffffL);
    return GenerationRequest.of(null, kind, kind, prompt.provenance().seedIds(), messages, drawn, sample, round);
  }

  static String rankSystem(Pack pack) {
    StringBuilder s = new StringBuilder(dev.seedforge.judge.JudgePrompt.OPENING)
        .append(": you compare answers to one user request, for preference training data. Task: ")
        .append(pack.description().isBlank() ? pack.domain() : pack.description().strip()).append('\n');
    s.append("\nScore every answer from ").append(RANK_MIN).append(" (worst) to ").append(RANK_MAX).append(" (best) on these criteria:\n");
    pack.judge().criteria().forEach(c -> s.append("- ").append(c).append('\n'));
    s.append("\nJudge each answer on its own merits, whatever its position; give two answers the same score only when they are equally good.")
        .append(" The user message gives the request, then the answers, each as [id] followed by the answer as a JSON string.")
        .append(" Answer with JSON only, one verdict per answer id: {\"verdicts\": [{\"id\": 1, \"score\": ").append(RANK_MAX)
        .append(", \"rationale\": \"one short sentence\"}]}");
    return s.toString();
  }
}
