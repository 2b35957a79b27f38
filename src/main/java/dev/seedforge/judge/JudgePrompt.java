package dev.seedforge.judge;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.ChatTurn;
import dev.seedforge.generate.GenerationRequest;
import dev.seedforge.prompt.Pack;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The judge's prompt. The system message is the same for every call of a run (task, rubric,
 * labels with their descriptions, answer format), so a provider's prompt cache can reuse it and its
 * tokens are amortised over the batch; the user message holds only the numbered candidates. In
 * relabel mode a candidate is shown without its intended label.
 */
public final class JudgePrompt implements Serializable {
  /** The opening words of every judge system message. */
  public static final String OPENING = "You are a strict judge of synthetic training data";

  private final TaskType task;
  private final String system;
  private final GenerationRequest.Params params;

  public JudgePrompt(Pack pack, PipelineSpec.Judge judge, GenerationRequest.Params params) {
    this.task = pack.task();
    this.system = system(pack, judge);
    this.params = params;
  }

  public String system() {
    return system;
  }

  /** Identifies the judge's question (prompt and model settings): a verdict is reused only for the same one. */
  public String key() {
    return Hashes.id("judge", system, Json.write(params));
  }

  /** The cache id of {@code candidateId}'s verdict under this prompt. */
  public String verdictId(String candidateId) {
    return Hashes.id("judge-verdict", key(), candidateId);
  }

  /** The call that judges {@code batch}, numbered 1 to n in this order. */
  public GenerationRequest request(List<Candidate> batch, int round) {
    StringBuilder user = new StringBuilder("Candidates:\n");
    for (int i = 0; i < batch.size(); i++) {
      user.append('[').append(i + 1).append("] ").append(shown(batch.get(i))).append('\n');
    }
    List<ChatTurn> messages = List.of(new ChatTurn("system", system), new ChatTurn("user", user.toString().strip()));
    List<String> ids = batch.stream().map(Candidate::id).toList();
    return GenerationRequest.of(null, JudgeStage.STRATEGY, JudgeStage.STRATEGY, ids, messages, params, 0, round);
  }

  /**
   * What the judge sees of a candidate, on one line and never with its label: the text of a
   * classification candidate as it is (line breaks as spaces: a JSON wrapping would cost several
   * tokens a candidate, a lot against short texts), or an instruction's fields as JSON.
   */
  String shown(Candidate c) {
    if (task == TaskType.CLASSIFICATION) {
      return c.field("text").strip().replaceAll("\\s*\\R\\s*", " ");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String f : task.fields()) {
      String v = c.field(f);
      if (!v.isEmpty()) {
        fields.put(f, v);
      }
    }
    return Json.write(fields);
  }

  static String system(Pack pack, PipelineSpec.Judge judge) {
    StringBuilder s = new StringBuilder(OPENING).append(" for this task: ")
        .append(pack.description().isBlank() ? pack.domain() : pack.description().strip()).append('\n');
    Pack.Rubric r = pack.judge();
    if (judge.rubric()) {
      s.append("\nScore every candidate from ").append(r.min()).append(" (worst) to ").append(r.max()).append(" (best) on these criteria:\n");
      r.criteria().forEach(c -> s.append("- ").append(c).append('\n'));
    }
    if (judge.relabel()) {
      s.append("\nLabels; pick for every candidate the one label that fits it best, from its text alone:\n");
      pack.labels().forEach((name, description) -> s.append("- ").append(name).append(": ").append(description).append('\n'));
    }
    s.append("\nThe user message lists the candidates, each as [id] followed by ")
        .append(pack.task() == TaskType.CLASSIFICATION ? "its text on one line." : "its fields as JSON.")
        .append(" Answer with JSON only, one verdict per candidate id: {\"verdicts\": [{\"id\": 1");
    if (judge.rubric()) {
      s.append(", \"score\": ").append(r.max());
    }
    if (judge.relabel()) {
      s.append(", \"label\": \"").append(pack.labels().keySet().iterator().next()).append('"');
    }
    s.append(", \"rationale\": \"one short sentence\"}]}");
    return s.toString();
  }
}
