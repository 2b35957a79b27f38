package dev.seedforge.generate.lexical;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.Conversation;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Hashes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The offline generator: EDA-style variants (Wei &amp; Zou 2019) of a seed, made with WordNet 3.1
 * synonyms (extJWNL) and the OpenNLP UD English tokenizer and tagger.
 *
 * <p>Variant {@code i} of a seed draws from a {@link SplittableRandom} seeded with {@code
 * Hashes.draw(pipelineSeed, "lexical|" + seed.id() + "|" + i)}. It picks one enabled operation
 * (rate &gt; 0) as its main edit and adds each other enabled operation with probability {@value
 * #EXTRA_OPERATION_CHANCE}, then applies them in the order synonym replacement, random insertion,
 * random swap, random deletion. A result equal to the seed or to an earlier variant (ignoring case
 * and spacing) is discarded and the same generator draws again, up to {@value #ATTEMPTS} times;
 * so variants are distinct, and a seed that cannot be varied yields fewer of them. Same inputs,
 * same outputs.
 *
 * <p>Serializable and cheap to ship: the models live in per-JVM holders ({@code NlpModels}), not in
 * the instance.
 */
public final class LexicalAugmenter implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String MODEL = "eda-wordnet-3.1";

  static final double EXTRA_OPERATION_CHANCE = 0.25;
  static final int ATTEMPTS = 6;

  private enum Operation {
    SYNONYM,
    INSERT,
    SWAP,
    DELETE
  }

  private final PipelineSpec.Lexical config;
  private final long pipelineSeed;
  private final TaskType task;

  public LexicalAugmenter(PipelineSpec.Lexical config, long pipelineSeed, TaskType task) {
    this.config = Objects.requireNonNull(config, "config");
    this.task = Objects.requireNonNull(task, "task");
    this.pipelineSeed = pipelineSeed;
    if (config.variantsPerSeed() < 0) {
      throw new IllegalArgumentException("variants_per_seed must be >= 0");
    }
    checkRate("synonym_rate", config.synonymRate());
    checkRate("insert_rate", config.insertRate());
    checkRate("swap_rate", config.swapRate());
    checkRate("delete_rate", config.deleteRate());
  }

  private static void checkRate(String name, double rate) {
    if (!(rate >= 0.0 && rate <= 1.0)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], was " + rate);
    }
  }

  /** The task whose fields the variants carry. */
  public TaskType task() {
    return task;
  }

  /** variants_per_seed candidates for the seed; deterministic from pipelineSeed and the seed id. */
  public List<Candidate> variants(Seed seed) {
    if (task == TaskType.CONVERSATION) {
      return conversationVariants(seed);
    }
    // Classification: the text carries the label, so varying it gives new examples of the label.
    // Instruction: only the instruction is varied; input and output are copied unchanged, because
    // the output is the correct answer to this exact instruction and input - rewording the output
    // (swapping, deleting or replacing its words) would break its correctness.
    String field = task == TaskType.CLASSIFICATION ? "text" : "instruction";
    String original = seed.field(field);
    List<Operation> enabled = enabledOperations();
    if (original.isBlank() || enabled.isEmpty() || config.variantsPerSeed() == 0) {
      return List.of();
    }
    TextAnalysis.Analysis analysis = TextAnalysis.analyse(original);
    Set<String> seen = new HashSet<>();
    seen.add(TextAnalysis.key(original));
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < config.variantsPerSeed(); i++) {
      SplittableRandom rnd =
          new SplittableRandom(Hashes.draw(pipelineSeed, "lexical|" + seed.id() + "|" + i));
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        String text = augment(analysis, enabled, rnd);
        if (!text.isBlank() && seen.add(TextAnalysis.key(text))) {
          out.add(candidate(seed, field, text, i));
          break;
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * Conversation seeds: every turn, user's and assistant's, is varied on its own (each with its own
   * draws), so a variant is the same dialogue reworded throughout; roles and order stay.
   */
  private List<Candidate> conversationVariants(Seed seed) {
    List<Conversation.Turn> turns = Conversation.turns(seed.fields());
    List<Operation> enabled = enabledOperations();
    if (turns.isEmpty() || enabled.isEmpty() || config.variantsPerSeed() == 0) {
      return List.of();
    }
    List<TextAnalysis.Analysis> analyses = turns.stream().map(t -> TextAnalysis.analyse(t.content())).toList();
    Set<String> seen = new HashSet<>();
    seen.add(Conversation.write(turns));
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < config.variantsPerSeed(); i++) {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        List<Conversation.Turn> varied = new ArrayList<>();
        for (int t = 0; t < turns.size(); t++) {
          SplittableRandom rnd = new SplittableRandom(Hashes.draw(pipelineSeed, "lexical|" + seed.id() + "|" + i + "|" + attempt + "|" + t));
          String text = augment(analyses.get(t), enabled, rnd);
          varied.add(new Conversation.Turn(turns.get(t).role(), text.isBlank() ? turns.get(t).content() : text));
        }
        String messages = Conversation.write(varied);
        if (seen.add(messages)) {
          out.add(candidate(seed, Conversation.MESSAGES, messages, i));
          break;
        }
      }
    }
    return List.copyOf(out);
  }

  private List<Operation> enabledOperations() {
    List<Operation> ops = new ArrayList<>();
    if (config.synonymRate() > 0) {
      ops.add(Operation.SYNONYM);
    }
    if (config.insertRate() > 0) {
      ops.add(Operation.INSERT);
    }
    if (config.swapRate() > 0) {
      ops.add(Operation.SWAP);
    }
    if (config.deleteRate() > 0) {
      ops.add(Operation.DELETE);
    }
    return ops;
  }

  private String augment(
      TextAnalysis.Analysis analysis, List<Operation> enabled, SplittableRandom rnd) {
    Operation main = enabled.get(rnd.nextInt(enabled.size()));
    List<Token> tokens = analysis.copyTokens();
    for (Operation op : enabled) {
      // Non-short-circuit on purpose: every operation consumes one draw, main or not, so the
      // draws that follow do not depend on which operation was the main one.
      boolean apply = op == main | rnd.nextDouble() < EXTRA_OPERATION_CHANCE;
      if (!apply) {
        continue;
      }
      switch (op) {
        case SYNONYM -> EdaEdits.replaceSynonyms(tokens, config.synonymRate(), rnd);
        case INSERT -> EdaEdits.insertSynonyms(tokens, config.insertRate(), rnd);
        case SWAP -> EdaEdits.swapWords(tokens, config.swapRate(), rnd);
        case DELETE -> EdaEdits.deleteWords(tokens, config.deleteRate(), rnd);
      }
    }
    return analysis.render(tokens);
  }

  private Candidate candidate(Seed seed, String field, String text, int i) {
    Map<String, String> fields = new LinkedHashMap<>(seed.fields());
    fields.put(field, text);
    Candidate.Provenance provenance =
        new Candidate.Provenance(
            List.of(seed.id()),
            "eda",
            null,
            "lexical",
            MODEL,
            Hashes.id("lexical", seed.id(), String.valueOf(i)),
            0);
    return Candidate.of(seed.label(), fields, provenance, i);
  }
}
