package dev.seedforge.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.util.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a fine-tuning JSONL file the way OpenAI's data-preparation cookbook, Azure OpenAI's upload
 * rules and the legacy prepare_data tool do, counts tokens per example for a base model, estimates
 * epochs and cost, and can write a corrected copy. Every issue and change names its line (1-based);
 * file-level issues have line 0.
 */
public final class Validator {
  public static final Set<String> CHAT_KEYS = Set.of("role", "content", "name", "weight", "tool_calls", "function_call", "tool_call_id");
  public static final Set<String> CHAT_ROLES = Set.of("system", "user", "assistant", "tool", "function");
  public static final Set<String> SHAREGPT_FROM = Set.of("system", "human", "gpt");
  public static final long AZURE_MAX_BYTES = 512L * 1024 * 1024;
  public static final int MIN_EXAMPLES = 10;
  // The cookbook's default-epochs rule.
  static final int TARGET_EPOCHS = 3;
  static final int MIN_TARGET_EXAMPLES = 100;
  static final int MAX_TARGET_EXAMPLES = 25_000;
  static final int MIN_DEFAULT_EPOCHS = 1;
  static final int MAX_DEFAULT_EPOCHS = 25;

  public enum Severity { ERROR, WARNING }

  public record Issue(int line, Severity severity, String code, String message) {}

  public record Change(int line, String what) {}

  public record TokenStats(int examples, long min, long median, long p90, long max, long total) {}

  public record Report(
      String format,
      int examples,
      List<Issue> issues,
      TokenStats tokens,
      long billingTokens,
      int epochs,
      double costUsd,
      ModelLimits.Model model,
      List<Change> changes,
      List<String> fixedLines) {
    public boolean hasErrors() {
      return issues.stream().anyMatch(i -> i.severity() == Severity.ERROR);
    }

    public List<String> codes() {
      return issues.stream().map(Issue::code).toList();
    }
  }

  /** The formats validate knows; openai-chat and trl-messages share the chat rules. */
  public static final List<String> FORMATS =
      List.of("chat", "prompt-completion", "alpaca", "sharegpt", "trl-prompt-completion", PreferenceRecords.OPENAI, PreferenceRecords.TRL);

  private final ModelLimits.Model model;
  private final TokenCounter tokens;
  private final List<Issue> issues = new ArrayList<>();
  private final List<Change> changes = new ArrayList<>();

  private Validator(ModelLimits.Model model) {
    this.model = model;
    this.tokens = new TokenCounter(model.encoding());
  }

  /** A parsed line: its number, its JSON (null when unusable) and whether it is dropped by --fix. */
  private static final class Row {
    final int line;
    JsonNode json;
    boolean dropped;
    String text;

    Row(int line) {
      this.line = line;
    }
  }

  public static String normalizeFormat(String f) {
    if (f == null) {
      return null;
    }
    return switch (f) {
      case "chat", "openai-chat", "trl-messages", "messages" -> "chat";
      case "prompt-completion", "alpaca", "sharegpt", "trl-prompt-completion", PreferenceRecords.OPENAI, PreferenceRecords.TRL -> f;
      default -> throw new dev.seedforge.config.InvalidInputException(
          "--format: expected one of chat (openai-chat, trl-messages), prompt-completion, alpaca, sharegpt, trl-prompt-completion,"
              + " openai-preference, trl-preference, got \"" + f + "\"");
    };
  }

  public static Report validate(byte[] bytes, String format, ModelLimits.Model model) {
    return new Validator(model).run(bytes, normalizeFormat(format));
  }

  private void error(int line, String code, String message) {
    issues.add(new Issue(line, Severity.ERROR, code, message));
  }

  private void warning(int line, String code, String message) {
    issues.add(new Issue(line, Severity.WARNING, code, message));
  }

  private void drop(Row r, String why) {
    if (!r.dropped) {
      r.dropped = true;
      changes.add(new Change(r.line, "dropped: " + why));
    }
  }

  private Report run(byte[] bytes, String format) {
    if (bytes.length > AZURE_MAX_BYTES) {
      error(0, "file_too_large", "file is " + bytes.length + " bytes; Azure OpenAI accepts at most 512 MB per training file");
    }
    List<Row> rows = parse(bytes);
    if (format == null) {
      format = detect(rows);
    }
    List<Long> lengths = new ArrayList<>();
    switch (format) {
      case "chat" -> rows.forEach(r -> checkChat(r, lengths));
      case "prompt-completion" -> checkPromptCompletion(rows, lengths);
      case "alpaca" -> rows.forEach(r -> checkAlpaca(r, lengths));
      case "sharegpt" -> rows.forEach(r -> checkShareGpt(r, lengths));
      case PreferenceRecords.OPENAI, PreferenceRecords.TRL -> {
        String kind = format;
        rows.forEach(r -> checkPreference(r, kind, lengths));
      }
      default -> rows.forEach(r -> checkTrlPromptCompletion(r, lengths));
    }
    long examples = rows.stream().filter(r -> r.json != null && !r.dropped).count();
    if (examples < MIN_EXAMPLES) {
      error(0, "too_few_examples", "only " + examples + " usable examples; OpenAI and Azure OpenAI need at least " + MIN_EXAMPLES);
    }
    issues.sort(java.util.Comparator.comparingInt(Issue::line));
    changes.sort(java.util.Comparator.comparingInt(Change::line));
    TokenStats stats = stats(lengths);
    long billing = lengths.stream().mapToLong(l -> Math.min(l, model.maxTokensPerExample())).sum();
    int epochs = defaultEpochs(lengths.size());
    double cost = billing * (double) epochs * model.usdPerMillionTrainingTokens() / 1_000_000.0;
    List<String> fixed = new ArrayList<>();
    for (Row r : rows) {
      if (!r.dropped && r.json != null) {
        fixed.add(Json.write(r.json));
      }
    }
    return new Report(format, (int) examples, List.copyOf(issues), stats, billing, epochs, cost, model, List.copyOf(changes), fixed);
  }

  /** The cookbook's rule: 3 epochs, more for small sets (up to 25), fewer for large ones (down to 1). */
  public static int defaultEpochs(int n) {
    if (n == 0) {
      return TARGET_EPOCHS;
    }
    if ((long) n * TARGET_EPOCHS < MIN_TARGET_EXAMPLES) {
      return Math.min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES / n);
    }
    if ((long) n * TARGET_EPOCHS > MAX_TARGET_EXAMPLES) {
      return Math.max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES / n);
    }
    return TARGET_EPOCHS;
  }

  static TokenStats stats(List<Long> lengths) {
    if (lengths.isEmpty()) {
      return new TokenStats(0, 0, 0, 0, 0, 0);
    }
    long[] a = lengths.stream().mapToLong(Long::longValue).sorted().toArray();
    return new TokenStats(a.length, a[0], percentile(a, 0.5), percentile(a, 0.9), a[a.length - 1], Arrays.stream(a).sum());
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private List<Row> parse(byte[] bytes) {
    List<Row> rows = new ArrayList<>();
    int start = 0;
    int line = 0;
    if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
      start = 3; // a UTF-8 byte-order mark is fine (Azure writes and accepts it)
    }
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      line++;
      Row r = new Row(line);
      rows.add(r);
      int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
      try {
        r.text = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes, start, stop - start))
            .toString();
      } catch (CharacterCodingException e) {
        error(line, "invalid_utf8", "not valid UTF-8 (Azure OpenAI needs UTF-8 files)");
        drop(r, "not valid UTF-8");
      }
      start = end + 1;
      if (r.text == null) {
        continue;
      }
      if (r.text.isBlank()) {
        error(line, "blank_line", "blank line; every line must be one JSON object");
        drop(r, "blank line");
        continue;
      }
      try {
        JsonNode n = Json.mapper().readTree(r.text);
        if (n == null || !n.isObject()) {
          error(line, "not_object", "line is JSON but not an object");
          drop(r, "not a JSON object");
        } else {
          r.json = n;
        }
      } catch (Exception e) {
        error(line, "invalid_json", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        drop(r, "not valid JSON");
      }
    }
    return rows;
  }

  static String detect(List<Row> rows) {
    for (Row r : rows) {
      if (r.json == null) {
        continue;
      }
      if (r.json.has("preferred_output") || r.json.has("non_preferred_output")) {
        return PreferenceRecords.OPENAI;
      }
      if (r.json.has("chosen") || r.json.has("rejected")) {
        return PreferenceRecords.TRL;
      }
      if (r.json.has("messages")) {
        return "chat";
      }
      if (r.json.has("conversations")) {
        return "sharegpt";
      }
      if (r.json.has("instruction") || r.json.has("output")) {
        return "alpaca";
      }
      if (r.json.path("prompt").isArray() || r.json.path("completion").isArray()) {
        return "trl-prompt-completion";
      }
      if (r.json.has("prompt") || r.json.has("completion")) {
        return "prompt-completion";
      }
    }
    return "chat";
  }

  // ---- chat (OpenAI / Azure / TRL messages) ----

  private void checkChat(Row r, List<Long> lengths) {
    if (r.json == null) {
      return;
    }
    JsonNode messages = r.json.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      error(r.line, "missing_messages", "no \"messages\" list");
      drop(r, "no messages list");
      return;
    }
    checkMessages(r, (ArrayNode) messages, true, lengths);
  }

  /** The cookbook's message checks; returns false when the row was dropped. */
  private boolean checkMessages(Row r, ArrayNode messages, boolean needAssistant, List<Long> lengths) {
    boolean assistant = false;
    List<Map<String, String>> counted = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String where = "message " + (i + 1) + ": ";
      if (!m.isObject()) {
        error(r.line, "message_not_object", where + "not an object");
        drop(r, where + "not an object");
        continue;
      }
      if (!m.has("role") || (!m.has("content") && !m.has("tool_calls") && !m.has("function_call"))) {
        error(r.line, "message_missing_key", where + "missing " + (m.has("role") ? "content" : "role"));
        drop(r, where + "missing role or content");
        continue;
      }
      ObjectNode o = (ObjectNode) m;
      List<String> unknown = new ArrayList<>();
      o.fieldNames().forEachRemaining(k -> {
        if (!CHAT_KEYS.contains(k)) {
          unknown.add(k);
        }
      });
      for (String k : unknown) {
        error(r.line, "message_unrecognized_key", where + "unknown key \"" + k + "\" (allowed: role, content, name, weight, tool_calls, function_call, tool_call_id)");
        o.remove(k);
        changes.add(new Change(r.line, where + "removed unknown key \"" + k + "\""));
      }
      String role = m.path("role").asText();
      if (!m.get("role").isTextual() || !CHAT_ROLES.contains(role)) {
        error(r.line, "unrecognized_role", where + "unknown role " + m.get("role") + " (allowed: system, user, assistant, tool, function)");
        drop(r, where + "unknown role");
      }
      if (m.has("content") && !m.get("content").isTextual() && !(m.get("content").isNull() && (m.has("tool_calls") || m.has("function_call")))) {
        error(r.line, "content_not_string", where + "content is not a string");
        drop(r, where + "content is not a string");
      }
      if (m.has("weight")) {
        JsonNode w = m.get("weight");
        if (!(w.isIntegralNumber() && (w.asInt() == 0 || w.asInt() == 1))) {
          error(r.line, "invalid_weight", where + "weight must be 0 or 1, got " + w);
          o.remove("weight");
          changes.add(new Change(r.line, where + "removed invalid weight " + w + " (the message is trained on)"));
        } else if (!role.equals("assistant")) {
          error(r.line, "weight_not_on_assistant", where + "weight is only allowed on assistant messages; remove it from this " + role + " message");
          o.remove("weight");
          changes.add(new Change(r.line, where + "removed weight from a " + role + " message"));
        }
      }
      if (role.equals("assistant")) {
        assistant = true;
        if (m.path("content").isTextual() && m.path("content").asText().isBlank() && !m.has("tool_calls") && !m.has("function_call")) {
          error(r.line, "empty_assistant_message", where + "the assistant message is empty; there is nothing to learn from it");
          drop(r, where + "empty assistant message");
        }
      }
      Map<String, String> texts = new LinkedHashMap<>();
      o.fields().forEachRemaining(e -> {
        if (e.getValue().isTextual()) {
          texts.put(e.getKey(), e.getValue().asText());
        }
      });
      counted.add(texts);
    }
    if (needAssistant && !assistant && !r.dropped) {
      error(r.line, "missing_assistant_message", "no assistant message to learn from");
      drop(r, "no assistant message");
    }
    if (!r.dropped) {
      List<String> roles = new ArrayList<>();
      messages.forEach(m -> roles.add(m.path("role").asText()));
      checkOrder(r, roles, "system", "user", "assistant", "message");
    }
    if (r.dropped) {
      return false;
    }
    return countLength(r, tokens.countMessages(counted), lengths);
  }

  /**
   * Multi-turn order: system messages only at the start, then user and assistant taking turns, the
   * user first. Files with tool or function messages follow other rules and are not checked here.
   */
  private void checkOrder(Row r, List<String> roles, String system, String user, String assistant, String noun) {
    if (!List.of(system, user, assistant).containsAll(roles)) {
      return;
    }
    int i = 0;
    while (i < roles.size() && roles.get(i).equals(system)) {
      i++;
    }
    for (int k = i; k < roles.size(); k++) {
      String due = (k - i) % 2 == 0 ? user : assistant;
      if (!roles.get(k).equals(due)) {
        error(r.line, "roles_out_of_order", noun + " " + (k + 1) + ": " + roles.get(k) + " where " + due + " was due (after any "
            + system + " messages, " + user + " and " + assistant + " take turns, " + user + " first)");
        drop(r, noun + " " + (k + 1) + ": roles out of order");
        return;
      }
    }
  }

  private boolean countLength(Row r, long n, List<Long> lengths) {
    if (n > model.maxTokensPerExample()) {
      error(r.line, "too_many_tokens", n + " tokens, more than the " + model.maxTokensPerExample() + "-token training limit of " + model.name());
      drop(r, "longer than the token limit");
      return false;
    }
    lengths.add(n);
    return true;
  }

  // ---- TRL prompt/completion, ShareGPT, Alpaca ----

  private void checkTrlPromptCompletion(Row r, List<Long> lengths) {
    if (r.json == null) {
      return;
    }
    JsonNode prompt = r.json.get("prompt");
    JsonNode completion = r.json.get("completion");
    if (prompt == null || !prompt.isArray() || completion == null || !completion.isArray() || completion.isEmpty()) {
      error(r.line, "missing_prompt_or_completion", "needs \"prompt\" and \"completion\" lists of messages");
      drop(r, "no prompt or completion list");
      return;
    }
    ArrayNode all = Json.mapper().createArrayNode();
    all.addAll((ArrayNode) prompt);
    all.addAll((ArrayNode) completion);
    boolean completionHasAssistant = false;
    for (JsonNode m : completion) {
      completionHasAssistant |= m.path("role").asText().equals("assistant");
    }
    if (!completionHasAssistant) {
      error(r.line, "missing_assistant_message", "the completion has no assistant message");
      drop(r, "no assistant message in the completion");
      return;
    }
    checkMessages(r, all, true, lengths);
    // checkMessages edits the copies' nodes in place (same objects), so the fixed line follows.
  }

  private void checkShareGpt(Row r, List<Long> lengths) {
    if (r.json == null) {
      return;
    }
    JsonNode conv = r.json.get("conversations");
    if (conv == null || !conv.isArray() || conv.isEmpty()) {
      error(r.line, "missing_conversations", "no \"conversations\" list");
      drop(r, "no conversations list");
      return;
    }
    boolean gpt = false;
    List<Map<String, String>> counted = new ArrayList<>();
    for (int i = 0; i < conv.size(); i++) {
      JsonNode t = conv.get(i);
      String where = "turn " + (i + 1) + ": ";
      if (!t.isObject() || !t.path("from").isTextual() || !t.path("value").isTextual()) {
        error(r.line, "turn_invalid", where + "needs text \"from\" and \"value\"");
        drop(r, where + "invalid turn");
        continue;
      }
      if (!SHAREGPT_FROM.contains(t.path("from").asText())) {
        error(r.line, "unrecognized_role", where + "unknown from \"" + t.path("from").asText() + "\" (allowed: system, human, gpt)");
        drop(r, where + "unknown from");
      }
      gpt |= t.path("from").asText().equals("gpt");
      if (t.path("from").asText().equals("gpt") && t.path("value").asText().isBlank()) {
        error(r.line, "empty_assistant_message", where + "the gpt turn is empty; there is nothing to learn from it");
        drop(r, where + "empty gpt turn");
      }
      counted.add(Map.of("role", t.path("from").asText(), "content", t.path("value").asText()));
    }
    if (!gpt && !r.dropped) {
      error(r.line, "missing_assistant_message", "no gpt turn to learn from");
      drop(r, "no gpt turn");
    }
    if (!r.dropped) {
      List<String> froms = new ArrayList<>();
      conv.forEach(t -> froms.add(t.path("from").asText()));
      checkOrder(r, froms, "system", "human", "gpt", "turn");
    }
    if (!r.dropped) {
      countLength(r, tokens.countMessages(counted), lengths);
    }
  }

  /** A preference record ({@link PreferenceChecks}): every problem is an error and drops the line. */
  private void checkPreference(Row r, String kind, List<Long> lengths) {
    if (r.json == null) {
      return;
    }
    PreferenceChecks.Checked c = PreferenceChecks.check(r.json, kind);
    for (PreferenceChecks.Problem p : c.problems()) {
      error(r.line, p.code(), p.message());
      drop(r, p.message());
    }
    if (!r.dropped) {
      countLength(r, tokens.count(c.text()), lengths);
    }
  }

  private void checkAlpaca(Row r, List<Long> lengths) {
    if (r.json == null) {
      return;
    }
    for (String k : List.of("instruction", "output")) {
      if (!r.json.path(k).isTextual() || r.json.path(k).asText().isBlank()) {
        error(r.line, "missing_" + k, "\"" + k + "\" must be non-empty text");
        drop(r, "no " + k);
      }
    }
    if (r.json.has("input") && !r.json.get("input").isTextual()) {
      error(r.line, "input_not_string", "\"input\" must be text");
      drop(r, "input is not text");
    }
    List<String> unknown = new ArrayList<>();
    r.json.fieldNames().forEachRemaining(k -> {
      if (!Set.of("instruction", "input", "output", "system", "history").contains(k)) {
        unknown.add(k);
      }
    });
    for (String k : unknown) {
      warning(r.line, "unrecognized_key", "unknown key \"" + k + "\"");
      ((ObjectNode) r.json).remove(k);
      changes.add(new Change(r.line, "removed unknown key \"" + k + "\""));
    }
    if (!r.dropped) {
      long n = tokens.count(r.json.path("instruction").asText()) + tokens.count(r.json.path("input").asText()) + tokens.count(r.json.path("output").asText());
      countLength(r, n, lengths);
    }
  }

  // ---- legacy prompt/completion (prepare_data) ----

  private void checkPromptCompletion(List<Row> rows, List<Long> lengths) {
    List<Row> ok = new ArrayList<>();
    for (Row r : rows) {
      if (r.json == null) {
        continue;
      }
      if (!r.json.path("prompt").isTextual() || !r.json.path("completion").isTextual()) {
        error(r.line, "missing_prompt_or_completion", "needs text \"prompt\" and \"completion\"");
        drop(r, "no prompt or completion text");
        continue;
      }
      Iterator<String> keys = r.json.fieldNames();
      List<String> unknown = new ArrayList<>();
      keys.forEachRemaining(k -> {
        if (!k.equals("prompt") && !k.equals("completion")) {
          unknown.add(k);
        }
      });
      for (String k : unknown) {
        warning(r.line, "unrecognized_key", "unknown key \"" + k + "\"");
        ((ObjectNode) r.json).remove(k);
        changes.add(new Change(r.line, "removed unknown key \"" + k + "\""));
      }
      if (r.json.path("completion").asText().isBlank()) {
        error(r.line, "empty_completion", "the completion is empty");
        drop(r, "empty completion");
        continue;
      }
      ok.add(r);
    }
    if (ok.isEmpty()) {
      return;
    }
    String separator = mostCommonSuffix(ok, "prompt", PromptCompletion.DEFAULT_SEPARATORS);
    if (separator == null) {
      separator = firstAbsent(ok, "prompt", PromptCompletion.DEFAULT_SEPARATORS);
    }
    String stop = mostCommonSuffix(ok, "completion", PromptCompletion.DEFAULT_STOPS);
    if (stop == null) {
      stop = firstAbsent(ok, "completion", PromptCompletion.DEFAULT_STOPS);
    }
    Map<String, Integer> seen = new HashMap<>();
    for (Row r : ok) {
      ObjectNode o = (ObjectNode) r.json;
      String prompt = o.path("prompt").asText();
      String completion = o.path("completion").asText();
      String body = prompt.endsWith(separator) ? prompt.substring(0, prompt.length() - separator.length()) : prompt;
      if (body.contains(separator)) {
        error(r.line, "separator_inside_prompt", "the separator " + Json.write(separator) + " appears inside the prompt, not only at its end");
        drop(r, "separator inside the prompt");
        continue;
      }
      if (!prompt.endsWith(separator)) {
        error(r.line, "separator_missing", "the prompt does not end with the separator " + Json.write(separator) + " that the other prompts end with");
        o.put("prompt", prompt + separator);
        changes.add(new Change(r.line, "appended separator " + Json.write(separator) + " to the prompt"));
      }
      if (!completion.startsWith(" ")) {
        error(r.line, "completion_no_leading_space", "the completion does not start with a space");
        completion = " " + completion;
        o.put("completion", completion);
        changes.add(new Change(r.line, "added a leading space to the completion"));
      }
      if (!completion.endsWith(stop)) {
        error(r.line, "stop_missing", "the completion does not end with the stop sequence " + Json.write(stop));
        o.put("completion", completion + stop);
        changes.add(new Change(r.line, "appended stop sequence " + Json.write(stop) + " to the completion"));
      }
      String key = o.path("prompt").asText() + "\u0000" + o.path("completion").asText();
      Integer first = seen.putIfAbsent(key, r.line);
      if (first != null) {
        warning(r.line, "duplicate", "same prompt and completion as line " + first);
        drop(r, "duplicate of line " + first);
        continue;
      }
      countLength(r, tokens.count(o.path("prompt").asText()) + tokens.count(o.path("completion").asText()), lengths);
    }
    List<Row> kept = ok.stream().filter(r -> !r.dropped).toList();
    if (kept.size() >= 2) {
      String prefix = kept.get(0).json.path("prompt").asText();
      for (Row r : kept) {
        String p = r.json.path("prompt").asText();
        int i = 0;
        while (i < prefix.length() && i < p.length() && prefix.charAt(i) == p.charAt(i)) {
          i++;
        }
        prefix = prefix.substring(0, i);
      }
      if (!prefix.isBlank()) {
        warning(kept.get(0).line, "shared_prompt_prefix", "all " + kept.size() + " prompts (lines " + kept.get(0).line + "-" + kept.get(kept.size() - 1).line
            + ") start with " + Json.write(prefix) + "; it teaches nothing and costs tokens, consider removing it");
      }
    }
  }

  private static String mostCommonSuffix(List<Row> rows, String key, List<String> candidates) {
    String best = null;
    int bestCount = 0;
    for (String c : candidates) {
      int n = 0;
      for (Row r : rows) {
        if (r.json.path(key).asText().endsWith(c)) {
          n++;
        }
      }
      // a longer candidate ending the same texts wins ties ("\n\n###\n\n" over "\n")
      if (n > bestCount || (n == bestCount && n > 0 && best != null && c.length() > best.length())) {
        best = c;
        bestCount = n;
      }
    }
    return best;
  }

  private static String firstAbsent(List<Row> rows, String key, List<String> candidates) {
    for (String c : candidates) {
      if (rows.stream().noneMatch(r -> r.json.path(key).asText().contains(c))) {
        return c;
      }
    }
    return candidates.get(0);
  }
}
