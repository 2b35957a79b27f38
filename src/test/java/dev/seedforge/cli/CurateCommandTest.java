package dev.seedforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curate on a file of chat and plain records built from the example pack's seeds. */
class CurateCommandTest {
  @TempDir Path dir;

  static String chat(String user, String assistant) {
    ObjectNode n = Json.mapper().createObjectNode();
    ArrayNode m = n.putArray("messages");
    m.addObject().put("role", "system").put("content", "Classify the message.");
    m.addObject().put("role", "user").put("content", user);
    m.addObject().put("role", "assistant").put("content", assistant);
    return Json.write(n);
  }

  static String plain(String text, String label) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("text", text).put("label", label);
    return Json.write(n);
  }

  @Test
  void should_curate_chat_and_plain_records_through_gate_dedup_and_split() throws IOException {
    List<JsonNode> seeds = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of("prompts/customer-support/seeds.jsonl"))) {
      seeds.add(Json.mapper().readTree(l));
    }
    List<String> lines = new ArrayList<>();
    JsonNode s0 = seeds.get(0);
    JsonNode s4 = seeds.get(4); // a long seed: one extra word keeps it a near copy
    lines.add(chat(s0.path("text").asText(), s0.path("label").asText())); // exact copy of a seed
    lines.add(chat(s4.path("text").asText() + " Thanks", s4.path("label").asText())); // near copy
    lines.add(plain("Hi, I ordered the [insert product name] last week and it still hasn't arrived.", "order_status"));
    lines.add(plain("My new kettle arrived today with a big crack down the side and it leaks everywhere.", "damaged_item"));
    lines.add(plain("Where is my parcel? It was due yesterday.", "not_a_label"));
    lines.add("{this is not json");
    lines.add(chat("Please cancel my order 55102, I bought the wrong colour by mistake and want the blue one instead.", "cancel_order"));
    lines.add(chat("Please cancel my order 55102, I bought the wrong colour by mistake and want the blue one instead!", "cancel_order"));
    Path input = dir.resolve("records.jsonl");
    Files.write(input, lines);
    Path out = dir.resolve("out");

    Runner.Outcome o = CurateCommand.curate(input, Path.of("pipelines/support-intents.yaml"), out.toString(), null, PipelineOptionsFactory.create(), null);

    Map<String, String> filterOf = new HashMap<>();
    for (String l : Files.readAllLines(out.resolve("rejected.jsonl"))) {
      JsonNode r = Json.mapper().readTree(l);
      filterOf.put(r.path("stage").asText() + "/" + r.path("filter").asText(), r.path("relatedId").asText(""));
    }
    assertThat(filterOf).containsKeys("input/not_json", "input/unknown_label", "quality/placeholder", "dedup/copy_of_seed", "dedup/near_copy_of_seed", "dedup/exact_duplicate");
    long written = Files.readAllLines(out.resolve("train.jsonl")).size() + Files.readAllLines(out.resolve("validation.jsonl")).size();
    assertThat(written).isEqualTo(seeds.size() + 2); // the kettle and one of the two cancel messages
    JsonNode m = o.manifest();
    assertThat(m.path("generator").path("kind").asText()).isEqualTo("curate");
    assertThat(m.path("stages").path("generated").path("total").asLong()).isEqualTo(6);
    assertThat(m.path("acceptance").path("by_strategy").path("curate").path("kept").asLong()).isEqualTo(2);
  }

  private int curateCli(Path input, java.io.StringWriter err) {
    return Main.execute(new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true),
        "curate", input.toString(), "--pipeline", "pipelines/support-intents.yaml", "--out", dir.resolve("out").toString());
  }

  @Test
  void should_exit_2_when_no_line_of_the_input_is_a_record() throws IOException {
    // given: nothing curate can read
    Path input = dir.resolve("records.jsonl");
    Files.write(input, List.of("{this is not json", "[1, 2, 3]", "", "{\"txt\": \"hello\", \"lbl\": \"order_status\"}", plain("Where is it?", "no_such_label")));
    java.io.StringWriter err = new java.io.StringWriter();

    // when
    int code = curateCli(input, err);

    // then
    assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString())
        .contains("records.jsonl: no line is a record to curate (4 lines; not a JSON object: 2, without the needed fields: 1, with a label not in the pack: 1)")
        .contains("line 1: not a JSON object")
        .contains("line 4: a classification record needs \"text\" and \"label\" (or \"messages\")")
        .contains("line 5: label \"no_such_label\" is not one of the pack's labels");
    assertThat(dir.resolve("out/manifest.json")).doesNotExist();
  }

  @Test
  void should_say_how_many_lines_were_readable_when_most_are_not() throws IOException {
    // given: 2 records among 8 unreadable lines
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      lines.add("not json " + i);
    }
    lines.add(plain("My new kettle arrived today with a big crack down the side and it leaks everywhere.", "damaged_item"));
    lines.add(plain("Hi, where is my order 1234? It was due on Monday and tracking has not moved.", "order_status"));
    Path input = dir.resolve("records.jsonl");
    Files.write(input, lines);
    java.io.StringWriter err = new java.io.StringWriter();

    // when
    int code = curateCli(input, err);

    // then
    assertThat(code).isZero();
    assertThat(err.toString()).containsPattern("seedforge: warning: \\S*records\\.jsonl: only 2 of 10 lines").contains("records.jsonl: only 2 of 10 lines are readable records (not a JSON object: 8); the others go to rejected.jsonl (stage input)");
  }
  @Test
  void should_curate_conversations_judging_each_one_and_naming_the_broken_turn() throws IOException {
    // given: a seed conversation again, the same with its roles swapped, and a new one
    List<String> seedLines = Files.readAllLines(Path.of("prompts/support-chat/seeds.jsonl"));
    String swapped = seedLines.get(2).replace("\"role\": \"user\"", "\"role\": \"x\"").replace("\"role\": \"assistant\"", "\"role\": \"user\"")
        .replace("\"role\": \"x\"", "\"role\": \"assistant\"");
    ObjectNode fresh = Json.mapper().createObjectNode();
    ArrayNode m = fresh.putArray("messages");
    m.addObject().put("role", "system").put("content", "You are a helpful store assistant.");
    m.addObject().put("role", "user").put("content", "Hello, my espresso machine from order 88120 leaks water from the bottom after two days.");
    m.addObject().put("role", "assistant").put("content", "I'm sorry to hear that. A leak that soon is a defect, so we'll replace the machine free of charge. Could you confirm the delivery address?");
    m.addObject().put("role", "user").put("content", "Same address as the order, thanks.");
    m.addObject().put("role", "assistant").put("content", "Thank you. The replacement ships tomorrow, and the courier will collect the faulty machine when it delivers the new one.");
    Path input = dir.resolve("chats.jsonl");
    Files.write(input, List.of(seedLines.get(0), swapped, Json.write(fresh)));
    Path out = dir.resolve("out");

    // when
    CurateCommand.curate(input, Path.of("pipelines/support-chat.yaml"), out.toString(), null, PipelineOptionsFactory.create(), null);

    // then
    Map<String, String> reasonOf = new HashMap<>();
    for (String l : Files.readAllLines(out.resolve("rejected.jsonl"))) {
      JsonNode r = Json.mapper().readTree(l);
      reasonOf.put(r.path("stage").asText() + "/" + r.path("filter").asText(), r.path("reason").asText());
    }
    assertThat(reasonOf).containsOnlyKeys("quality/roles_out_of_order", "dedup/copy_of_seed");
    assertThat(reasonOf.get("quality/roles_out_of_order")).startsWith("turn 1 is \"assistant\" where user was due");
    List<String> train = Files.readAllLines(out.resolve("openai-chat/train.jsonl"));
    List<String> validation = Files.readAllLines(out.resolve("openai-chat/validation.jsonl"));
    assertThat(train.size() + validation.size()).isEqualTo(seedLines.size() + 1);
    assertThat(String.join("\n", train) + String.join("\n", validation)).contains("You are a helpful store assistant.", "espresso machine from order 88120");
  }
}
