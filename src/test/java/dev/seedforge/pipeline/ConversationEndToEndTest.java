package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.format.ModelLimits;
import dev.seedforge.format.Validator;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The support-chat pack end to end: offline, and through the loopback LLM answering with whole conversations. */
class ConversationEndToEndTest {
  static final Path PIPELINE = Path.of("pipelines/support-chat.yaml");
  static final List<String> FORMATS = List.of("openai-chat", "sharegpt", "trl-messages");
  static final Pattern TURNS = Pattern.compile("each with (\\d+) assistant turns");
  @TempDir Path out;

  static PipelineSpec spec(String provider, String baseUrl, Path out) {
    return SpecLoader.load(PIPELINE, Map.of("XDG_CACHE_HOME", out.resolve("cache").toString()),
        new SpecLoader.Overrides(provider, null, baseUrl, null, out.toString()));
  }

  static Runner.Outcome run(PipelineSpec spec) throws IOException {
    return Runner.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());
  }

  @Test
  void should_reject_each_malformed_conversation_by_its_filter_and_write_the_rest_in_every_format() throws IOException {
    // given: a server answering every call with three conversations of the turns asked for; the
    // first three calls each carry one malformed conversation
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger conversations = new AtomicInteger();
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      server.responder((system, user) -> reply(user, calls.getAndIncrement(), conversations));

      // when
      Runner.Outcome outcome = run(spec("openai", server.baseUrl(), out));

      // then
      List<JsonNode> rejected = PipelineEndToEndTest.lines(out.resolve("rejected.jsonl"));
      List<JsonNode> quality = rejected.stream().filter(r -> r.path("stage").asText().equals("quality")).toList();
      assertThat(quality).extracting(r -> r.path("filter").asText())
          .containsExactlyInAnyOrder("roles_out_of_order", "empty_turn", "repeated_turn");
      assertThat(quality).filteredOn(r -> r.path("filter").asText().equals("roles_out_of_order"))
          .singleElement().satisfies(r -> assertThat(r.path("reason").asText()).startsWith("turn 2 is \"user\" where assistant was due"));
      assertThat(quality).filteredOn(r -> r.path("filter").asText().equals("empty_turn"))
          .singleElement().satisfies(r -> assertThat(r.path("reason").asText()).isEqualTo("turn 4 (assistant) is empty"));
      assertThat(quality).filteredOn(r -> r.path("filter").asText().equals("repeated_turn"))
          .singleElement().satisfies(r -> assertThat(r.path("reason").asText()).startsWith("turn 4 (assistant) repeats turn 2 (assistant)"));

      // each conversation carries the setting its call was drawn with
      assertThat(quality).allSatisfy(r -> {
        assertThat(r.path("fields").path("scenario").asText()).startsWith("A ");
        assertThat(r.path("fields").path("persona").asText()).startsWith("A ");
        assertThat(r.path("fields").path("system").asText()).startsWith("You are");
      });

      JsonNode m = outcome.manifest();
      assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());
      long generated = m.path("stages").path("generated").path("total").asLong();
      assertThat(generated).isEqualTo(3L * server.requestCount());
      long seeds = m.path("seeds").path("total").asLong();
      for (String format : FORMATS) {
        List<JsonNode> train = PipelineEndToEndTest.lines(out.resolve(format).resolve("train.jsonl"));
        List<JsonNode> validation = PipelineEndToEndTest.lines(out.resolve(format).resolve("validation.jsonl"));
        // every candidate and seed is written or rejected, and nothing but the three malformed ones by the gate
        assertThat(train.size() + validation.size() + rejected.size()).as(format).isEqualTo(generated + seeds);
        Validator.Report report = Validator.validate(Files.readAllBytes(out.resolve(format).resolve("train.jsonl")), null,
            ModelLimits.load().find("gpt-4o-mini"));
        assertThat(report.hasErrors()).as(format + ": " + report.issues()).isFalse();
      }
      JsonNode first = PipelineEndToEndTest.lines(out.resolve("openai-chat").resolve("train.jsonl")).get(0).path("messages");
      assertThat(first.get(0).path("role").asText()).isEqualTo("system");
      assertThat(first.size()).isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void should_top_up_a_pack_without_labels_until_its_target_paying_each_call_once() throws IOException {
    // given: the support-chat pack has no labels; round 0's 6 calls give 18 conversations, short of 60
    AtomicInteger calls = new AtomicInteger(100);
    AtomicInteger conversations = new AtomicInteger();
    try (LoopbackLlmServer server = new LoopbackLlmServer(5)) {
      server.responder((system, user) -> reply(user, calls.getAndIncrement(), conversations));

      // when
      Runner.Outcome outcome = TopUp.run(RunPlan.prepare(spec("openai", server.baseUrl(), out), Map.of()), PipelineOptionsFactory.create());

      // then: more rounds, each new call paid once, and the one group filled
      JsonNode m = outcome.manifest();
      assertThat(m.path("rounds").size()).isGreaterThan(1);
      assertThat(m.path("rounds").get(1).path("new_requests").asLong()).isPositive();
      assertThat(m.path("calls").path("made").path("total").asLong()).isEqualTo(server.requestCount());
      assertThat(m.path("calls").path("planned").path("total").asLong()).isEqualTo(server.requestCount());
      List<JsonNode> train = PipelineEndToEndTest.lines(out.resolve("openai-chat").resolve("train.jsonl"));
      List<JsonNode> validation = PipelineEndToEndTest.lines(out.resolve("openai-chat").resolve("validation.jsonl"));
      assertThat(train.size() + validation.size()).isEqualTo(60);
    }
  }

  @Test
  void should_run_offline_with_reworded_seed_conversations() throws IOException {
    // when
    Runner.Outcome outcome = run(spec("auto", null, out));

    // then
    assertThat(outcome.manifest().path("generator").path("kind").asText()).isEqualTo("lexical");
    List<JsonNode> train = PipelineEndToEndTest.lines(out.resolve("openai-chat").resolve("train.jsonl"));
    assertThat(train).hasSizeGreaterThan(20);
    assertThat(train).allSatisfy(r -> {
      JsonNode messages = r.path("messages");
      assertThat(messages.get(1).path("role").asText()).isEqualTo("user");
      assertThat(messages.get(messages.size() - 1).path("role").asText()).isEqualTo("assistant");
    });
    List<JsonNode> share = PipelineEndToEndTest.lines(out.resolve("sharegpt").resolve("train.jsonl"));
    assertThat(share).hasSameSizeAs(train);
    assertThat(share.get(0).path("conversations").get(1).path("from").asText()).isEqualTo("human");
  }

  /** Three conversations with the turns the prompt asks for; calls 0, 1 and 2 make one of them malformed. */
  static String reply(String user, int call, AtomicInteger conversations) {
    Matcher t = TURNS.matcher(user);
    int turns = t.find() ? Integer.parseInt(t.group(1)) : 2;
    ObjectNode root = Json.mapper().createObjectNode();
    ArrayNode examples = root.putArray("examples");
    for (int i = 0; i < 3; i++) {
      List<String[]> c = conversation(conversations.getAndIncrement(), Math.max(turns, 2));
      if (i == 0 && call == 0) {
        c.set(1, new String[] {"user", c.get(1)[1]});
      } else if (i == 0 && call == 1) {
        c.set(3, new String[] {"assistant", ""});
      } else if (i == 0 && call == 2) {
        c.set(3, new String[] {"assistant", c.get(1)[1]});
      }
      ArrayNode messages = examples.addObject().putArray("messages");
      c.forEach(turn -> messages.addObject().put("role", turn[0]).put("content", turn[1]));
    }
    return Json.write(root);
  }

  static final String[] PRODUCTS = {"wireless earbuds", "air fryer", "linen duvet cover", "children's scooter", "espresso machine",
      "hiking backpack", "smart doorbell", "wool coat", "board game", "desk lamp", "robot vacuum", "electric kettle", "yoga mat"};
  static final String[] COURIERS = {"ParcelLink", "SwiftPost", "CityCourier", "NorthFreight"};
  static final String[] OPENINGS = {
      "Hi, I ordered a %s (order %d) and it still hasn't arrived.",
      "hello, the %s from order %d came broken, the box was crushed",
      "Good afternoon. I was charged twice for the %s on order %d.",
      "My %s, order number %d, is not what I ordered at all.",
      "hey can you check order %d? the %s was due on friday"};
  static final String[] ANSWERS = {
      "I'm sorry about that. I can see order %d was handed to %s on Tuesday; let me open a trace so they look for the parcel today.",
      "Thanks for your patience. The %s is covered by our policy, so I've arranged a free replacement that ships tomorrow with %s.",
      "I understand. One of the two payments for order %d is only a pending authorisation, and your bank releases it within five business days; %s has nothing to do with it.",
      "Sorry for the mix-up. I've emailed a prepaid %s return label for order %d, and the right item ships today.",
      "Good news: order %d is at the local %s depot and is out for delivery tomorrow morning."};
  static final String[] FOLLOW_UPS = {
      "Thanks. How long will that take?", "ok and do I need to send anything back?", "Will I get an email when it's done?",
      "Could you also check whether the receipt is in my account?", "great, what if it still doesn't come by monday"};
  static final String[] CLOSINGS = {
      "It usually takes one to two business days, and I'll email you the moment %s replies about order %d.",
      "No need to send the damaged %s back; please recycle it, and keep the order %d email for your records.",
      "Yes, you'll get an email as soon as it's done, and the tracking link for order %d will work from tonight with %s.",
      "The receipt for order %d is under Orders in your account, and I've re-sent it to your email with the %s details.",
      "If order %d hasn't arrived by Monday evening, reply to this chat and I'll refund it in full; %s is usually on time though."};

  /** A support conversation of {@code turns} assistant turns, different for every {@code k}. */
  static List<String[]> conversation(int k, int turns) {
    String product = PRODUCTS[k % PRODUCTS.length];
    String courier = COURIERS[(k / PRODUCTS.length) % COURIERS.length];
    int order = 40_000 + 37 * k;
    List<String[]> out = new java.util.ArrayList<>();
    boolean orderFirst = k % OPENINGS.length == OPENINGS.length - 1;
    out.add(new String[] {"user", orderFirst ? String.format(OPENINGS[k % OPENINGS.length], order, product)
        : String.format(OPENINGS[k % OPENINGS.length], product, order)});
    String a = ANSWERS[(k + 1) % ANSWERS.length];
    out.add(new String[] {"assistant", a.startsWith("Thanks for") ? String.format(a, product, courier)
        : a.contains("label") ? String.format(a, courier, order) : String.format(a, order, courier)});
    for (int i = 1; i < turns; i++) {
      out.add(new String[] {"user", FOLLOW_UPS[(k + i) % FOLLOW_UPS.length] + " (ref " + (order + i) + ")"});
      String c = CLOSINGS[(k + 2 * i) % CLOSINGS.length];
      out.add(new String[] {"assistant", c.startsWith("No need") ? String.format(c, product, order + i)
          : c.startsWith("It usually") ? String.format(c, courier, order + i) : String.format(c, order + i, courier)});
    }
    return out;
  }
}
