package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Existing records for {@code seedforge curate}, one JSON object a line, in any of:
 *
 * <ul>
 *   <li>chat: {@code {"messages": [system?, user, assistant]}}: for classification the user turn
 *       is the text and the assistant turn the label; for instructions the user turn is the
 *       instruction (and input after a blank line) and the assistant turn the output;
 *   <li>{@code {"text", "label"}} for classification;
 *   <li>{@code {"instruction", "input", "output", "label"?}} (or {@code category}) for instructions.
 * </ul>
 *
 * A record's id is a hash of its content, so the same line has the same id in every run.
 * Lines that fit none of these, or carry a label the pack does not know, are rejected (stage
 * {@code input}) with the raw line.
 */
public final class CurateInput implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String GENERATOR = "input";
  public static final String STRATEGY = "curate";

  /** A parsed line: a candidate, or the rejection of a line that could not be read. */
  public record Parsed(Candidate candidate, Rejection rejection) {}

  private final TaskType task;
  private final Set<String> labels;
  private final String source;

  public CurateInput(TaskType task, Set<String> labels, String source) {
    this.task = task;
    this.labels = Set.copyOf(labels);
    this.source = source;
  }

  public Parsed parse(String line) {
    if (line.isBlank()) {
      return null;
    }
    String id = Hashes.id("curated", line.strip());
    JsonNode n;
    try {
      n = Json.mapper().readTree(line);
    } catch (Exception e) {
      return reject(id, null, "not_json", "not a JSON object", line);
    }
    if (n == null || !n.isObject()) {
      return reject(id, null, "not_json", "not a JSON object", line);
    }
    String label = null;
    Map<String, String> fields = new LinkedHashMap<>();
    if (task == TaskType.CONVERSATION) {
      // the whole message list: the gate judges its order and every turn, naming the turn
      java.util.Optional<List<dev.seedforge.seed.Conversation.Turn>> all = dev.seedforge.seed.Conversation.fromJson(n.get("messages"));
      if (all.isEmpty()) {
        return reject(id, null, "bad_record", "a conversation record needs a \"messages\" list of {role, content} objects", line);
      }
      List<dev.seedforge.seed.Conversation.Turn> turns = all.get().stream().filter(t -> !t.role().equals("system")).toList();
      all.get().stream().filter(t -> t.role().equals("system")).findFirst()
          .ifPresent(t -> fields.put(dev.seedforge.seed.Conversation.SYSTEM, t.content()));
      fields.put(dev.seedforge.seed.Conversation.MESSAGES, dev.seedforge.seed.Conversation.write(turns));
      Candidate.Provenance p = new Candidate.Provenance(List.of(), STRATEGY, source, GENERATOR, null, null, 0);
      return new Parsed(new Candidate(id, null, fields, p, null), null);
    }
    if (n.has("messages")) {
      String user = null;
      String assistant = null;
      for (JsonNode m : n.path("messages")) {
        String role = m.path("role").asText();
        if (role.equals("user") && user == null) {
          user = m.path("content").asText();
        } else if (role.equals("assistant") && assistant == null) {
          assistant = m.path("content").asText();
        }
      }
      if (user == null || assistant == null) {
        return reject(id, null, "bad_record", "messages need a user and an assistant turn", line);
      }
      if (task == TaskType.CLASSIFICATION) {
        fields.put("text", user);
        label = assistant.strip();
      } else {
        int blank = user.indexOf("\n\n");
        fields.put("instruction", blank < 0 ? user : user.substring(0, blank));
        fields.put("input", blank < 0 ? "" : user.substring(blank + 2));
        fields.put("output", assistant);
      }
    } else if (task == TaskType.CLASSIFICATION) {
      if (!n.path("text").isTextual() || !n.path("label").isTextual()) {
        return reject(id, null, "bad_record", "a classification record needs \"text\" and \"label\" (or \"messages\")", line);
      }
      fields.put("text", n.path("text").asText());
      label = n.path("label").asText().strip();
    } else {
      if (!n.path("instruction").isTextual() || !n.path("output").isTextual()) {
        return reject(id, null, "bad_record", "an instruction record needs \"instruction\" and \"output\" (or \"messages\")", line);
      }
      fields.put("instruction", n.path("instruction").asText());
      fields.put("input", n.path("input").asText(""));
      fields.put("output", n.path("output").asText());
      label = n.hasNonNull("label") ? n.path("label").asText() : n.hasNonNull("category") ? n.path("category").asText() : null;
    }
    if (label != null && !labels.isEmpty() && !labels.contains(label)) {
      return reject(id, label, "unknown_label", "label \"" + label + "\" is not one of the pack's labels", line);
    }
    Candidate.Provenance p = new Candidate.Provenance(List.of(), STRATEGY, source, GENERATOR, null, null, 0);
    return new Parsed(new Candidate(id, label, fields, p, null), null);
  }

  /** What a pass over an input file found: non-blank lines, records, and the other lines by kind. */
  public record Summary(long lines, long records, Map<String, Long> unreadable, Map<String, String> firstProblem) {
    /** The kinds of line that are not records, in the user's words. */
    static final Map<String, String> KINDS =
        Map.of("not_json", "not a JSON object", "bad_record", "without the needed fields", "unknown_label", "with a label not in the pack");

    public String breakdown() {
      StringBuilder b = new StringBuilder();
      unreadable.forEach((kind, n) -> b.append(b.length() == 0 ? "" : ", ").append(KINDS.getOrDefault(kind, kind)).append(": ").append(n));
      return b.toString();
    }
  }

  /**
   * Parses every line of {@code file} (compressed as its name says, like Beam's TextIO) and
   * counts what it holds, so that an input with no record fails before the pipeline starts.
   */
  public Summary summarize(java.nio.file.Path file) throws java.io.IOException {
    long lines = 0;
    long records = 0;
    Map<String, Long> unreadable = new LinkedHashMap<>();
    Map<String, String> first = new LinkedHashMap<>();
    org.apache.beam.sdk.io.Compression compression = org.apache.beam.sdk.io.Compression.detect(file.getFileName().toString());
    try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
        java.nio.channels.Channels.newInputStream(compression.readDecompressed(java.nio.channels.FileChannel.open(file))),
        java.nio.charset.StandardCharsets.UTF_8))) {
      long lineNo = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        Parsed p = parse(lineNo == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line);
        if (p == null) {
          continue;
        }
        lines++;
        if (p.candidate() != null) {
          records++;
        } else {
          String kind = p.rejection().filter();
          unreadable.merge(kind, 1L, Long::sum);
          first.putIfAbsent(kind, "line " + lineNo + ": " + p.rejection().reason());
        }
      }
    }
    return new Summary(lines, records, unreadable, first);
  }

  private Parsed reject(String id, String label, String filter, String reason, String line) {
    return new Parsed(null, new Rejection(id, label, "input", filter, reason, null, null, null, null, line, null, STRATEGY, source, GENERATOR));
  }
}
