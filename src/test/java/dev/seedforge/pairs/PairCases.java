package dev.seedforge.pairs;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompts with a good and a worse answer, written for these tests, and the loopback server's side
 * of each pair call: generation calls get the prompts in turn, answer calls the good answer,
 * degrading calls the worse one, except for the prompts marked {@code same}, whose "worse" answer
 * is the good one again (a model that ignored the instruction), which the gate must reject as
 * identical_pair.
 */
final class PairCases {
  record Case(String prompt, String good, String worse, boolean same) {}

  /** The prompts the generation calls hand out, in turn. */
  static final List<Case> CASES = List.of(
      new Case("How can I keep fresh basil from wilting in the kitchen? Answer in two or three sentences.",
          "Treat basil like cut flowers: trim the stems and stand them in a glass of water on the counter, away from direct sun. "
              + "Do not put it in the fridge, because the cold turns the leaves black within a day or two. Change the water every other day and it keeps for about a week.",
          "Put the basil in the fridge in a sealed plastic bag, the colder the better. It will keep for a month or more that way.", false),
      new Case("What is a simple way to start a budget if I have never made one?",
          "Start by writing down your monthly take-home pay, then list your fixed costs such as rent, utilities and loan payments. "
              + "Track every other expense for one month in a notes app or spreadsheet, and sort it into a few groups like food, transport and fun. "
              + "Then set a limit for each group and put a small fixed amount into savings on payday, before you spend anything else.",
          "Budgets are simple, honestly. Just spend less than you earn and you will be fine; there is not much more to it.", false),
      new Case("Explain in plain words why bread goes stale.",
          "Bread goes stale mostly because the starch in it slowly recrystallises as it cools and ages, pushing water out and making the crumb firm and dry. "
              + "It happens fastest in the fridge, so bread actually stales sooner there than on the counter. "
              + "Warming stale bread in the oven for a few minutes reverses part of the process for a while.",
          "Bread goes stale because it simply loses all of its water to the air, so putting it in the fridge is the best way to stop it.", true),
      new Case("Give me three tips for sleeping better when I work night shifts, as a numbered list.",
          "1. Make your bedroom truly dark with blackout curtains or an eye mask, and keep it cool and quiet with earplugs or a fan.\n"
              + "2. Keep the same sleep window every day, even on days off, as far as you can.\n"
              + "3. Avoid caffeine in the last four hours of your shift and wear sunglasses on the way home so the morning light does not wake your body up.",
          "Sleep is mostly about willpower. Try to sleep whenever you feel like it and drink coffee if you get tired.", false),
      new Case("How do I politely decline a meeting invitation from a colleague? Write a short example message.",
          "Here is a short, friendly example: \"Hi Sam, thanks for the invite. I will not be able to join on Thursday because I am finishing the quarterly report, "
              + "but I would be glad to read the notes afterwards or to meet briefly next week if that helps.\" "
              + "It thanks them, gives a brief reason and offers an alternative.",
          "Just ignore the invitation. People get too many meetings anyway and nobody will notice that you did not reply.", false),
      new Case("What should I check before buying a used bicycle?",
          "Check that the frame has no cracks or dents, especially around the joints, and that the wheels spin straight without wobbling. "
              + "Squeeze both brakes to make sure they stop the wheels firmly, and shift through all the gears to see that they change smoothly. "
              + "Look at the chain and the teeth of the gears for heavy wear, and ask for proof of purchase so you know it is not stolen.",
          "Used bicycles are all basically the same, so buy the cheapest one you can find and do not bother checking anything.", true),
      new Case("Why do onions make people cry, and how can I avoid it?",
          "Cutting an onion breaks its cells and releases enzymes that turn its sulfur compounds into a gas called syn-propanethial-S-oxide. "
              + "When that gas reaches your eyes it irritates them and they water. "
              + "Chilling the onion for 30 minutes, using a very sharp knife and cutting the root end last all reduce the amount of gas you get.",
          "Onions make you cry because they are acidic. There is nothing you can do about it, so just put up with it.", false),
      new Case("Suggest a quick breakfast with at least 20 grams of protein that needs no cooking.",
          "Mix 200 grams of Greek yogurt with a tablespoon of peanut butter and a handful of berries, and sprinkle a few spoonfuls of granola on top. "
              + "The yogurt gives you about 18 to 20 grams of protein and the peanut butter adds about 4 more, so you pass 20 grams without turning on the stove. "
              + "It takes about two minutes to put together.",
          "Eat a banana and a glass of orange juice. That gives you plenty of protein to start the day.", false),
      new Case("How often should I replace my toothbrush, and why?",
          "Replace your toothbrush, or the head of an electric one, about every three months, and sooner if the bristles look frayed or splayed. "
              + "Worn bristles clean much less plaque off your teeth and gums. "
              + "It is also sensible to change it after you have had a cold or the flu.",
          "A toothbrush lasts for years if you rinse it. Only replace it when it breaks.", false),
      new Case("Write a two-sentence thank-you note to a neighbour who watered my plants while I was away.",
          "Dear Priya, thank you so much for looking after my plants while I was away; they look happier than when I left! "
              + "Please let me know if I can ever return the favour, and enjoy the small box of chocolates I left at your door.",
          "Thanks for the plants. See you around.", false));

  /**
   * The pack's seeds as cases (they are paired too): their own answer is the good one, the worse
   * one opens dismissively and keeps only the first sentence.
   */
  static final List<Case> SEEDS = seeds();

  private static List<Case> seeds() {
    List<Case> out = new java.util.ArrayList<>();
    try {
      for (String line : java.nio.file.Files.readAllLines(PreferenceEndToEndTest.PACK.resolve("seeds.jsonl"))) {
        com.fasterxml.jackson.databind.JsonNode n = dev.seedforge.util.Json.mapper().readTree(line);
        String good = n.path("chosen").asText();
        out.add(new Case(n.path("prompt").asText(), good,
            "That is an easy one, and you could have searched for it. " + firstSentence(good) + " You can work out the rest yourself.", false));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return List.copyOf(out);
  }

  static String firstSentence(String s) {
    int end = s.indexOf(". ");
    int line = s.indexOf('\n');
    int cut = end < 0 ? line : line < 0 ? end + 1 : Math.min(end + 1, line);
    return cut <= 0 ? s : s.substring(0, cut);
  }

  /** Every prompt a run pairs: the generated ones and the seeds. */
  static List<Case> all() {
    List<Case> out = new java.util.ArrayList<>(CASES);
    out.addAll(SEEDS);
    return out;
  }

  private static final Pattern GOOD_ANSWER = Pattern.compile("The good answer:\\n(.*)\\z", Pattern.DOTALL);

  private final AtomicInteger next = new AtomicInteger();

  /** How many generation calls were answered. */
  final AtomicInteger generationCalls = new AtomicInteger();

  /** The strong (or only) server's content for any call of a preference run. */
  String strong(String system, String user) {
    if (system.contains("Return exactly")) {
      return generation(system);
    }
    if (system.startsWith(PairPrompts.DEGRADE_SYSTEM.substring(0, 40))) {
      Matcher m = GOOD_ANSWER.matcher(user);
      Case c = byGood(m.find() ? m.group(1).strip() : "");
      return c.same() ? c.good() : c.worse();
    }
    return byPrompt(user).good();
  }

  /** The weaker server's answer (method models): worse, or the good answer again for the prompts marked same. */
  String weak(String system, String user) {
    Case c = byPrompt(user);
    return c.same() ? c.good() : c.worse();
  }

  private String generation(String system) {
    generationCalls.incrementAndGet();
    Matcher m = Pattern.compile("Return exactly (\\d+)").matcher(system);
    int n = m.find() ? Integer.parseInt(m.group(1)) : 1;
    StringBuilder b = new StringBuilder("{\"examples\": [");
    for (int i = 0; i < n; i++) {
      Case c = CASES.get(next.getAndIncrement() % CASES.size());
      b.append(i == 0 ? "" : ", ").append("{\"prompt\": ").append(quote(c.prompt())).append('}');
    }
    return b.append("]}").toString();
  }

  static Case byPrompt(String user) {
    return all().stream().filter(c -> user.strip().equals(c.prompt())).findFirst()
        .orElseThrow(() -> new IllegalStateException("no case for prompt " + user));
  }

  static Case byGood(String answer) {
    return all().stream().filter(c -> answer.equals(c.good())).findFirst()
        .orElseThrow(() -> new IllegalStateException("no case for answer " + answer));
  }

  static long same() {
    return CASES.stream().filter(Case::same).count();
  }

  static String quote(String s) {
    return dev.seedforge.util.Json.write(s);
  }

  /** Per prompt, how many answers it has been given so far (judge_rank's N answers arrive in any order). */
  final ConcurrentHashMap<String, AtomicInteger> answered = new ConcurrentHashMap<>();
}
