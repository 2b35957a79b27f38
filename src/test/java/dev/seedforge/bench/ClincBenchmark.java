package dev.seedforge.bench;

import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.Runner;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import opennlp.tools.doccat.DoccatFactory;
import opennlp.tools.doccat.DoccatModel;
import opennlp.tools.doccat.DocumentCategorizerME;
import opennlp.tools.doccat.DocumentSample;
import opennlp.tools.util.CollectionObjectStream;
import opennlp.tools.util.TrainingParameters;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality gate on a real intent data set, as a user meets it: a pack of twelve close CLINC150
 * banking intents with 8 seeds each (the first 8 training queries of each), and a loopback LLM
 * that answers every generation call with real CLINC training queries that are not seeds, 20% of
 * them of another of the twelve intents (wrong labels), and refusals, exact duplicates, non-English
 * text and CLINC out-of-scope queries mixed in. The real pipeline runs on it; the benchmark prints
 * label precision of the output, retention of the correctly labelled candidates, leakage per
 * injected kind, and the CLINC test accuracy of an OpenNLP doccat classifier trained on the output,
 * on as many unfiltered served examples, and on as many correctly labelled ones.
 *
 * <p>Run with {@code mvn -B test -Pbench -Dtest=ClincBenchmark}. {@code -Dbench.label_features=words|embeddings}
 * sets quality.label_features, {@code -Dbench.quality_extra='label_margin: 0'} adds lines to the quality section;
 * {@code -Dbench.pipeline_extra=FILE} appends a YAML fragment to the pipeline file;
 * {@code -Dbench.judge=on} switches the LLM judge on (rubric and blind relabelling;
 * {@code -Dbench.judge_disagreement=consensus|reject|report}, default consensus), whose loopback
 * answers give the true intent {@value #JUDGE_ACCURACY} of the time and a low score to refusals,
 * foreign and off-topic texts (see {@link #judgeAnswer}).
 */
@Tag("benchmark")
class ClincBenchmark {
  static final int SEEDS_PER_INTENT = 8;
  static final double WRONG = 0.20;
  static final double REFUSAL = 0.04;
  static final double DUPLICATE = 0.04;
  static final double FOREIGN = 0.04;
  static final double OFF_TOPIC = 0.04;
  private static final Pattern TARGET = Pattern.compile("Target intent: ([a-z_]+)");
  private static final Pattern COUNT = Pattern.compile("Return exactly (\\d+)");

  /** What a served example really is. */
  enum Kind { CORRECT, WRONG_LABEL, REFUSAL, DUPLICATE, FOREIGN, OFF_TOPIC }

  /** An example as served: its text, the label it was served under, and what it is. */
  record Served(String text, String label, Kind kind) {}

  /** How often the loopback judge names a query's true intent. */
  static final double JUDGE_ACCURACY = 0.9;

  static boolean judgeOn() {
    return "on".equals(System.getProperty("bench.judge", "off"));
  }

  /**
   * A judge that is right {@value #JUDGE_ACCURACY} of the time, decided per text (the same text gets
   * the same verdict in every call): a real banking query gets score 4 and its true intent, or, when
   * the judge errs, another intent; a text that is no banking query (refusal, foreign, off-topic)
   * gets score 1 and some intent.
   */
  static LoopbackLlmServer.JudgeAnswer judgeAnswer(String text, Map<String, String> trueIntent, List<String> intents) {
    Random r = new Random(text.hashCode() * 31L + 17);
    String truth = trueIntent.get(text);
    String other = intents.get(r.nextInt(intents.size()));
    if (truth == null) {
      return new LoopbackLlmServer.JudgeAnswer(1.0, other, "not a banking query");
    }
    boolean right = r.nextDouble() < JUDGE_ACCURACY;
    while (!right && other.equals(truth)) {
      other = intents.get(r.nextInt(intents.size()));
    }
    return new LoopbackLlmServer.JudgeAnswer(4.0, right ? truth : other, right ? "fits the intent" : "reads as " + other);
  }

  // Real refusals and non-English messages: the gate's own fixtures and the Self-Instruct outputs.
  static final List<String> REFUSALS = List.of(
      "As an AI language model, I cannot access your bank account or card details.",
      "I'm sorry, but I can't help with that request.",
      "I'm sorry, I cannot assist with requests involving personal financial information.",
      "As a large language model, I don't have access to your account details.",
      "I apologize, but I am unable to provide that information.");

  @TempDir Path dir;

  @Test
  void label_precision_retention_leakage_and_downstream_accuracy_on_clinc_banking() throws Exception {
    assumeThat(ClincData.available()).as("no CLINC150 data").isTrue();
    Set<String> intents = new LinkedHashSet<>(ClincData.BANKING);
    Map<String, List<String>> seeds = new LinkedHashMap<>();
    Map<String, List<String>> pool = new LinkedHashMap<>();
    Map<String, String> trueIntent = new HashMap<>();
    for (ClincData.Query q : ClincData.split("train", intents)) {
      trueIntent.put(q.text(), q.intent());
      List<String> s = seeds.computeIfAbsent(q.intent(), k -> new ArrayList<>());
      (s.size() < SEEDS_PER_INTENT ? s : pool.computeIfAbsent(q.intent(), k -> new ArrayList<>())).add(q.text());
    }
    List<String> offTopic = ClincData.split("oos_train").stream().map(ClincData.Query::text).toList();
    List<String> foreign = foreignTexts();
    Map<String, Served> served = new ConcurrentHashMap<>();
    List<Served> servedList = Collections.synchronizedList(new ArrayList<>());

    Path pack = writePack(seeds);
    try (LoopbackLlmServer server = new LoopbackLlmServer(7)) {
      List<String> intentList = List.copyOf(intents);
      server.judge(text -> judgeAnswer(text, trueIntent, intentList));
      server.responder((system, user) -> {
        Matcher t = TARGET.matcher(user);
        Matcher n = COUNT.matcher(system);
        if (!t.find()) {
          return null;
        }
        int count = n.find() ? Integer.parseInt(n.group(1)) : 5;
        List<Served> answer = answer(t.group(1), count, new Random(user.hashCode()), pool, offTopic, foreign);
        for (Served s : answer) {
          servedList.add(s);
          served.putIfAbsent(s.text() + "\u0000" + s.label(), s);
        }
        return examplesJson(answer);
      });
      Path out = dir.resolve("out");
      Runner.Outcome o = run(writePipeline(pack, server.baseUrl()), out);
      List<String[]> output = readOutput(out);
      System.out.println("BENCH clinc rejected ids digest per filter: " + rejectedDigests(out));
      report(o.manifest(), output, servedList, trueIntent, seeds, offTopic, foreign, intents);
    }
  }

  /** {@code count} served examples for a call asking for {@code label}, drawn by {@code r}. */
  static List<Served> answer(String label, int count, Random r, Map<String, List<String>> pool, List<String> offTopic, List<String> foreign) {
    List<String> labels = new ArrayList<>(pool.keySet());
    List<Served> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      double x = r.nextDouble();
      List<String> own = pool.get(label);
      if ((x -= WRONG) < 0) {
        String other;
        do {
          other = labels.get(r.nextInt(labels.size()));
        } while (other.equals(label));
        List<String> texts = pool.get(other);
        out.add(new Served(texts.get(r.nextInt(texts.size())), label, Kind.WRONG_LABEL));
      } else if ((x -= REFUSAL) < 0) {
        out.add(new Served(REFUSALS.get(r.nextInt(REFUSALS.size())), label, Kind.REFUSAL));
      } else if ((x -= DUPLICATE) < 0 && !out.isEmpty() && out.get(0).kind() == Kind.CORRECT) {
        out.add(new Served(out.get(0).text(), label, Kind.DUPLICATE));
      } else if ((x -= FOREIGN) < 0) {
        out.add(new Served(foreign.get(r.nextInt(foreign.size())), label, Kind.FOREIGN));
      } else if ((x -= OFF_TOPIC) < 0) {
        out.add(new Served(offTopic.get(r.nextInt(offTopic.size())), label, Kind.OFF_TOPIC));
      } else {
        out.add(new Served(own.get(r.nextInt(own.size())), label, Kind.CORRECT));
      }
    }
    return out;
  }

  /**
   * Non-English messages: the gate's language fixtures (real-world style support messages in
   * French, German, Spanish, Italian, Portuguese) and the Self-Instruct seed tasks' translations.
   */
  static List<String> foreignTexts() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/quality/fixtures.jsonl"))) {
      JsonNode n = Json.mapper().readTree(line);
      if (n.path("expect").asText().equals("language")) {
        out.add(n.path("text").asText());
      }
    }
    Path si = Path.of("../shared/data/self-instruct/seed_tasks.jsonl");
    if (Files.exists(si)) {
      for (String line : Files.readAllLines(si)) {
        JsonNode n = Json.mapper().readTree(line);
        if (n.path("name").asText().equals("english_to_chinese_translation")) {
          n.path("instances").forEach(i -> out.add(i.path("output").asText()));
        }
      }
    }
    return out;
  }

  static String examplesJson(List<Served> answer) {
    ObjectNode root = Json.mapper().createObjectNode();
    ArrayNode arr = root.putArray("examples");
    answer.forEach(s -> arr.addObject().put("text", s.text()));
    return Json.write(root);
  }

  Path writePack(Map<String, List<String>> seeds) throws IOException {
    Path pack = dir.resolve("clinc-banking");
    Files.createDirectories(pack.resolve("templates"));
    StringBuilder y = new StringBuilder();
    y.append("domain: clinc-banking\ntask: classification\n");
    y.append("description: Short queries that users type or say to a banking assistant.\n");
    y.append("system_prompt: You write realistic short queries that users send to a banking assistant.\n");
    y.append("labels:\n");
    seeds.keySet().forEach(l -> y.append("  ").append(l).append(": The user's query is about ").append(l.replace('_', ' ')).append(".\n"));
    y.append("seeds: seeds.jsonl\nstrategies:\n  new_example:\n    basis: label\n    template: templates/new_example.txt\n");
    Files.writeString(pack.resolve("pack.yaml"), y.toString());
    Files.writeString(pack.resolve("templates/new_example.txt"),
        "Write new user queries for a banking assistant ({{domain}}).\nThe intents are:\n{{labels}}\n\n"
            + "Target intent: {{label}} ({{label_description}})\n\n<examples>\n{{examples}}\n</examples>\n\n"
            + "Now write {{n}} new queries for the intent {{label}}.\n");
    StringBuilder s = new StringBuilder();
    seeds.forEach((label, texts) -> texts.forEach(t -> s.append(Json.write(Map.of("text", t, "label", label))).append('\n')));
    Files.writeString(pack.resolve("seeds.jsonl"), s.toString());
    return pack;
  }

  Path writePipeline(Path pack, String baseUrl) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("name: clinc-banking\npack: ").append(pack).append("\nseed: 42\n");
    b.append("llm:\n  provider: openai\n  model: gpt-4o-mini\n  max_tokens: 1024\n  base_url: ").append(baseUrl).append('\n');
    b.append("  cache: ").append(dir.resolve("cache.sqlite")).append('\n');
    b.append("generation:\n  calls_per_label: 6\n  examples_per_call: 10\n  few_shot: 3\n  max_rounds: 1\n");
    b.append("quality:\n  language: en\n");
    String features = System.getProperty("bench.label_features", "");
    if (!features.isEmpty()) {
      b.append("  label_features: ").append(features).append('\n');
    }
    System.getProperty("bench.quality_extra", "").lines().forEach(l -> b.append("  ").append(l.strip()).append('\n'));
    b.append("targets:\n  per_label: 1000\n");
    b.append("split:\n  validation: 0.1\n");
    if (judgeOn()) {
      b.append("judge:\n  enabled: true\n  mode: [rubric, relabel]\n  threshold: 3\n  on_disagreement: ")
          .append(System.getProperty("bench.judge_disagreement", "consensus")).append('\n');
    }
    String extra = System.getProperty("bench.pipeline_extra", "");
    if (!extra.isEmpty()) {
      b.append(Files.readString(Path.of(extra)));
    }
    Path f = dir.resolve("clinc-banking.yaml");
    Files.writeString(f, b.toString());
    return f;
  }

  static Runner.Outcome run(Path pipeline, Path out) throws IOException {
    PipelineSpec spec = SpecLoader.load(pipeline, Map.of(), new SpecLoader.Overrides(null, null, null, null, out.toString()));
    return Runner.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());
  }

  /** A short digest of the rejected record ids of each filter, to tell which stage differs between two runs. */
  static Map<String, String> rejectedDigests(Path out) throws IOException {
    Map<String, List<String>> ids = new TreeMap<>();
    for (String line : Files.readAllLines(out.resolve("rejected.jsonl"))) {
      JsonNode n = Json.mapper().readTree(line);
      ids.computeIfAbsent(n.path("stage").asText() + "/" + n.path("filter").asText(), k -> new ArrayList<>()).add(n.path("id").asText());
    }
    Map<String, String> digests = new TreeMap<>();
    ids.forEach((f, list) -> {
      Collections.sort(list);
      digests.put(f, list.size() + ":" + com.google.common.hash.Hashing.sha256().hashString(String.join(",", list), java.nio.charset.StandardCharsets.UTF_8).toString().substring(0, 8));
    });
    return digests;
  }

  /** The output's records as (text, label), train and validation. */
  static List<String[]> readOutput(Path out) throws IOException {
    List<String[]> records = new ArrayList<>();
    for (String file : List.of("train.jsonl", "validation.jsonl")) {
      for (String line : Files.readAllLines(out.resolve(file))) {
        JsonNode messages = Json.mapper().readTree(line).path("messages");
        String user = null;
        String assistant = null;
        for (JsonNode m : messages) {
          if (m.path("role").asText().equals("user")) {
            user = m.path("content").asText();
          } else if (m.path("role").asText().equals("assistant")) {
            assistant = m.path("content").asText();
          }
        }
        records.add(new String[] {user, assistant});
      }
    }
    return records;
  }

  static void report(JsonNode manifest, List<String[]> output, List<Served> servedList, Map<String, String> trueIntent,
      Map<String, List<String>> seeds, List<String> offTopic, List<String> foreign, Set<String> intents) throws IOException {
    Set<String> seedTexts = new java.util.HashSet<>();
    seeds.values().forEach(seedTexts::addAll);
    Set<String> refusals = Set.copyOf(REFUSALS);
    Set<String> foreignSet = Set.copyOf(foreign);
    Set<String> offSet = Set.copyOf(offTopic);
    int generated = 0;
    int right = 0;
    Map<Kind, Integer> leaked = new TreeMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String[] r : output) {
      if (seedTexts.contains(r[0])) {
        continue;
      }
      generated++;
      if (seen.merge(r[0] + "\u0000" + r[1], 1, Integer::sum) > 1) {
        leaked.merge(Kind.DUPLICATE, 1, Integer::sum);
      }
      if (refusals.contains(r[0])) {
        leaked.merge(Kind.REFUSAL, 1, Integer::sum);
      } else if (foreignSet.contains(r[0])) {
        leaked.merge(Kind.FOREIGN, 1, Integer::sum);
      } else if (offSet.contains(r[0])) {
        leaked.merge(Kind.OFF_TOPIC, 1, Integer::sum);
      } else if (r[1].equals(trueIntent.get(r[0]))) {
        right++;
      } else {
        leaked.merge(Kind.WRONG_LABEL, 1, Integer::sum);
      }
    }
    // the unique (text, label) pairs served, by kind: what the gate could keep or had to drop
    Map<String, Kind> unique = new LinkedHashMap<>();
    Map<Kind, Integer> injected = new TreeMap<>();
    for (Served s : servedList) {
      injected.merge(s.kind(), 1, Integer::sum);
      Kind k = s.kind() == Kind.DUPLICATE ? Kind.CORRECT : s.kind();
      unique.putIfAbsent(s.text() + "\u0000" + s.label(), k);
    }
    long correctUnique = unique.entrySet().stream()
        .filter(e -> e.getValue() == Kind.CORRECT && !seedTexts.contains(e.getKey().substring(0, e.getKey().indexOf('\u0000')))).count();
    double precision = generated == 0 ? 0 : (double) right / generated;
    double retention = correctUnique == 0 ? 0 : (double) right / correctUnique;
    String features = manifest.path("quality").path("label_check").path("features").asText("?");
    System.out.printf(Locale.ROOT, "BENCH clinc banking (%d intents, %d seeds each, label features %s): served %d examples (%s), %d unique correctly labelled; output %d generated records%n",
        intents.size(), SEEDS_PER_INTENT, features, servedList.size(), injected, correctUnique, generated);
    System.out.printf(Locale.ROOT, "BENCH clinc label precision of the output %.4f (%d of %d generated records correctly labelled); retention of correctly labelled candidates %.4f (%d of %d)%n",
        precision, right, generated, retention, right, correctUnique);
    for (Kind k : List.of(Kind.WRONG_LABEL, Kind.REFUSAL, Kind.DUPLICATE, Kind.FOREIGN, Kind.OFF_TOPIC)) {
      System.out.printf(Locale.ROOT, "BENCH clinc leakage %s: %d of %d injected reached the output%n",
          k.name().toLowerCase(Locale.ROOT), leaked.getOrDefault(k, 0), injected.getOrDefault(k, 0));
    }
    System.out.println("BENCH clinc rejections by filter: " + manifest.path("rejections").path("by_filter"));
    System.out.println("BENCH clinc estimated wrong-label share per label: " + manifest.path("quality").path("label_check").path("estimated_wrong_share"));
    System.out.println("BENCH clinc domain relevance bound: " + manifest.path("quality").path("domain_relevance"));
    if (manifest.has("judge")) {
      System.out.println("BENCH clinc judge: " + manifest.path("judge"));
    }
    List<String> lines = new ArrayList<>();
    output.forEach(r -> lines.add(r[0] + "\t" + r[1]));
    Collections.sort(lines);
    System.out.println("BENCH clinc output digest (candidate ids include the loopback server's port, so folds, and the output, differ from run to run): "
        + com.google.common.hash.Hashing.sha256().hashString(String.join("\n", lines), java.nio.charset.StandardCharsets.UTF_8).toString().substring(0, 16));
    downstream(output, servedList, trueIntent, seeds, intents);
  }

  /** Doccat trained on the output, on as many unfiltered served examples, and on as many clean ones; CLINC test accuracy. */
  static void downstream(List<String[]> output, List<Served> servedList, Map<String, String> trueIntent, Map<String, List<String>> seeds, Set<String> intents) throws IOException {
    List<String[]> seedRecords = new ArrayList<>();
    Set<String> seedTexts = new java.util.HashSet<>();
    seeds.forEach((l, ts) -> ts.forEach(t -> {
      seedRecords.add(new String[] {t, l});
      seedTexts.add(t);
    }));
    int size = output.size();
    List<ClincData.Query> test = ClincData.split("test", intents);
    // the baselines are random samples: averaged over several draws so the gap is not one draw's luck
    double onUnfiltered = 0;
    double onClean = 0;
    int draws = 5;
    for (int d = 0; d < draws; d++) {
      Random r = new Random(11 + d);
      List<String[]> unfiltered = new ArrayList<>(seedRecords);
      List<Served> shuffled = new ArrayList<>(servedList);
      shuffled.sort(java.util.Comparator.comparing((Served s) -> s.text() + s.label() + s.kind()));
      Collections.shuffle(shuffled, r);
      for (Served s : shuffled) {
        if (unfiltered.size() >= size) {
          break;
        }
        unfiltered.add(new String[] {s.text(), s.label()});
      }
      List<String[]> clean = new ArrayList<>(seedRecords);
      Set<String> used = new java.util.HashSet<>(seedTexts);
      for (Served s : shuffled) {
        if (clean.size() >= size) {
          break;
        }
        if (s.label().equals(trueIntent.get(s.text())) && used.add(s.text())) {
          clean.add(new String[] {s.text(), s.label()});
        }
      }
      onUnfiltered += accuracy(unfiltered, test) / draws;
      onClean += accuracy(clean, test) / draws;
    }
    double onOutput = accuracy(output, test);
    double closed = onClean == onUnfiltered ? Double.NaN : (onOutput - onUnfiltered) / (onClean - onUnfiltered);
    System.out.printf(Locale.ROOT, "BENCH clinc downstream doccat accuracy on CLINC test (%d queries): trained on the output %.4f (%d records), on as many unfiltered served %.4f, on as many clean served %.4f (both the mean of %d draws); gap closed %.0f%%%n",
        test.size(), onOutput, size, onUnfiltered, onClean, draws, 100 * closed);
  }
  static double accuracy(List<String[]> train, List<ClincData.Query> test) throws IOException {
    List<DocumentSample> samples = new ArrayList<>();
    for (String[] t : train) {
      samples.add(new DocumentSample(t[1], tokens(t[0])));
    }
    TrainingParameters params = new TrainingParameters();
    params.put(TrainingParameters.ALGORITHM_PARAM, "MAXENT");
    params.put(TrainingParameters.ITERATIONS_PARAM, 100);
    params.put(TrainingParameters.CUTOFF_PARAM, 1);
    params.put(TrainingParameters.THREADS_PARAM, 1);
    DoccatModel model = DocumentCategorizerME.train("en", new CollectionObjectStream<>(samples), params, new DoccatFactory());
    DocumentCategorizerME cat = new DocumentCategorizerME(model);
    int right = 0;
    for (ClincData.Query q : test) {
      if (q.intent().equals(cat.getBestCategory(cat.categorize(tokens(q.text()))))) {
        right++;
      }
    }
    return (double) right / test.size();
  }

  static String[] tokens(String text) {
    return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}' ]", " ").trim().split("\\s+");
  }
}
