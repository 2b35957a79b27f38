package dev.seedforge.generate.lexical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.PipelineSpec;
import dev.seedforge.generate.Candidate;
import dev.seedforge.nlp.NlpModels;
import dev.seedforge.seed.Seed;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Hashes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LexicalAugmenterTest {

  private static final PipelineSpec.Lexical DEFAULTS = new PipelineSpec.Lexical(4, 0.1, 0.1, 0.1, 0.1);

  private static final List<String> TEXTS =
      List.of(
          "The delivery was late and the package arrived damaged. I asked for a refund but nobody answered my emails.",
          "I want to purchase two tickets for the quick show in New York.",
          "love this product, works great and shipping was fast",
          "The battery drains quickly and the screen flickers when I open the camera app.",
          "Customer service solved my problem in five minutes, very helpful staff!");

  @BeforeAll
  static void loadModelsOnce() {
    // The models are per-JVM singletons: load them once here so each test measures only its work.
    long t0 = System.nanoTime();
    NlpModels.tokenizerModel();
    NlpModels.posModel();
    NlpModels.sentenceModel();
    long t1 = System.nanoTime();
    NlpModels.wordnet();
    long t2 = System.nanoTime();
    System.out.printf(
        "[lexical] OpenNLP tokenizer+pos+sentence models loaded in %d ms, WordNet 3.1 dictionary in %d ms%n",
        (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
  }

  private static Seed classification(String text) {
    return Seed.of("review", Map.of("text", text), "seeds.jsonl", 1);
  }

  private static String key(String s) {
    return s.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }

  @Test
  void sameInputs_giveIdenticalVariants_evenFromSeparateInstances() {
    // given two augmenters built from the same config and pipeline seed
    LexicalAugmenter first = new LexicalAugmenter(DEFAULTS, 42, TaskType.CLASSIFICATION);
    LexicalAugmenter second = new LexicalAugmenter(DEFAULTS, 42, TaskType.CLASSIFICATION);
    for (String text : TEXTS) {
      Seed seed = classification(text);
      // when both vary the same seed (twice on the first)
      List<Candidate> a = first.variants(seed);
      List<Candidate> b = second.variants(seed);
      List<Candidate> again = first.variants(seed);
      // then the candidates are equal, ids and provenance included
      assertThat(a).isNotEmpty().isEqualTo(b).isEqualTo(again);
    }
  }

  @Test
  void differentPipelineSeed_givesDifferentVariants() {
    // given augmenters differing only by pipeline seed
    LexicalAugmenter a = new LexicalAugmenter(DEFAULTS, 1, TaskType.CLASSIFICATION);
    LexicalAugmenter b = new LexicalAugmenter(DEFAULTS, 2, TaskType.CLASSIFICATION);
    // when they vary the same seeds
    List<String> textsA = new ArrayList<>();
    List<String> textsB = new ArrayList<>();
    for (String text : TEXTS) {
      a.variants(classification(text)).forEach(c -> textsA.add(c.field("text")));
      b.variants(classification(text)).forEach(c -> textsB.add(c.field("text")));
    }
    // then the variant texts differ
    assertThat(textsA).isNotEmpty();
    assertThat(textsA).isNotEqualTo(textsB);
  }

  @Test
  void variants_differFromTheSeedAndFromEachOther() {
    LexicalAugmenter augmenter = new LexicalAugmenter(DEFAULTS, 7, TaskType.CLASSIFICATION);
    for (String text : TEXTS) {
      // given a seed of ordinary length
      Seed seed = classification(text);
      // when it is varied
      List<Candidate> variants = augmenter.variants(seed);
      // then every variant is new text, distinct from the others, and all four were possible
      Set<String> keys = new HashSet<>();
      keys.add(key(text));
      for (Candidate c : variants) {
        assertThat(keys.add(key(c.field("text"))))
            .as("variant %s of %s is new", c.field("text"), text)
            .isTrue();
      }
      assertThat(variants).hasSize(4);
      assertThat(variants).extracting(Candidate::id).doesNotHaveDuplicates();
    }
  }

  @Test
  void classificationVariant_keepsLabelAndRecordsProvenance() {
    // given a labelled classification seed
    Seed seed = classification(TEXTS.get(0));
    LexicalAugmenter augmenter = new LexicalAugmenter(DEFAULTS, 42, TaskType.CLASSIFICATION);
    // when it is varied
    List<Candidate> variants = augmenter.variants(seed);
    // then each candidate keeps the label and says where it came from
    assertThat(variants).isNotEmpty();
    for (int k = 0; k < variants.size(); k++) {
      Candidate c = variants.get(k);
      assertThat(c.label()).isEqualTo("review");
      assertThat(c.fields()).containsOnlyKeys("text");
      Candidate.Provenance p = c.provenance();
      assertThat(p.seedIds()).containsExactly(seed.id());
      assertThat(p.strategy()).isEqualTo("eda");
      assertThat(p.templateId()).isNull();
      assertThat(p.generator()).isEqualTo("lexical");
      assertThat(p.model()).isEqualTo(LexicalAugmenter.MODEL).isEqualTo("eda-wordnet-3.1");
      assertThat(p.round()).isZero();
      assertThat(p.requestId()).hasSize(16);
    }
    // and the request id of variant i is Hashes.id("lexical", seed id, i)
    assertThat(variants.get(0).provenance().requestId())
        .isEqualTo(Hashes.id("lexical", seed.id(), "0"));
  }

  @Test
  void instructionVariant_changesOnlyTheInstruction() {
    // given an instruction seed with input and output
    Seed seed =
        Seed.of(
            "summarize",
            Map.of(
                "instruction", "Summarize the following customer review in one short sentence.",
                "input", "The phone arrived quickly, but the battery died after two days.",
                "output", "Fast delivery, poor battery life."),
            "seeds.jsonl",
            3);
    LexicalAugmenter augmenter = new LexicalAugmenter(DEFAULTS, 42, TaskType.INSTRUCTION);
    // when it is varied
    List<Candidate> variants = augmenter.variants(seed);
    // then input and output are copied byte for byte, and the instruction is new
    assertThat(variants).hasSize(4);
    for (Candidate c : variants) {
      assertThat(c.label()).isEqualTo("summarize");
      assertThat(c.field("input")).isEqualTo(seed.field("input"));
      assertThat(c.field("output")).isEqualTo(seed.field("output"));
      assertThat(key(c.field("instruction"))).isNotEqualTo(key(seed.field("instruction")));
    }
  }

  @Test
  void instructionWithoutInput_staysWithoutInput() {
    // given an instruction seed that has no input field
    Seed seed =
        Seed.of(
            "explain",
            Map.of("instruction", "Explain why the sky looks blue on a clear day.", "output", "Rayleigh scattering."),
            "seeds.jsonl",
            4);
    // when it is varied
    List<Candidate> variants = new LexicalAugmenter(DEFAULTS, 5, TaskType.INSTRUCTION).variants(seed);
    // then no input appears and the output is unchanged
    assertThat(variants).isNotEmpty();
    assertThat(variants).allSatisfy(c -> assertThat(c.fields()).containsOnlyKeys("instruction", "output"));
    assertThat(variants).allSatisfy(c -> assertThat(c.field("output")).isEqualTo("Rayleigh scattering."));
  }

  @Test
  void synonymReplacement_usesARealWordNetSynonymOfTheReplacedWord() throws Exception {
    // given only synonym replacement, at a high rate, on a text with "purchase" and "quick"
    PipelineSpec.Lexical onlySynonyms = new PipelineSpec.Lexical(6, 0.5, 0, 0, 0);
    String text = "I want to purchase a quick car";
    Seed seed = classification(text);
    // when it is varied
    List<Candidate> variants = new LexicalAugmenter(onlySynonyms, 42, TaskType.CLASSIFICATION).variants(seed);
    // then words change one for one, and each new word is in WordNet's synonym set of the old one
    assertThat(variants).isNotEmpty();
    String[] before = text.split(" ");
    int replacements = 0;
    for (Candidate c : variants) {
      String[] after = c.field("text").split(" ");
      assertThat(after).hasSameSizeAs(before);
      for (int k = 0; k < before.length; k++) {
        if (!after[k].equalsIgnoreCase(before[k])) {
          assertThat(wordnetSynonyms(before[k]))
              .as("%s replaced by %s", before[k], after[k])
              .contains(after[k].toLowerCase(Locale.ROOT));
          replacements++;
        }
      }
    }
    assertThat(replacements).isGreaterThanOrEqualTo(variants.size());
  }

  /** Every lemma of every sense of the word, in any part of speech: a real WordNet lookup. */
  private static Set<String> wordnetSynonyms(String word) throws Exception {
    Set<String> out = new HashSet<>();
    for (POS pos : POS.getAllPOS()) {
      IndexWord iw = NlpModels.wordnet().lookupIndexWord(pos, word.toLowerCase(Locale.ROOT));
      if (iw == null) {
        continue;
      }
      for (Synset sense : iw.getSenses()) {
        for (Word w : sense.getWords()) {
          out.add(w.getLemma().toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  @Test
  void synonymReplacement_keepsCapitalisationAndLeavesNamesAndNumbersAlone() {
    // given a sentence whose first word is a content word, with a name and a number in it
    PipelineSpec.Lexical onlySynonyms = new PipelineSpec.Lexical(4, 1.0, 0, 0, 0);
    String text = "Buy 3 cars for Madonna tonight.";
    // when every content word is replaced
    List<Candidate> variants =
        new LexicalAugmenter(onlySynonyms, 11, TaskType.CLASSIFICATION).variants(classification(text));
    // then the first word stays capitalised and the number and the name are untouched
    assertThat(variants).isNotEmpty();
    for (Candidate c : variants) {
      String out = c.field("text");
      assertThat(Character.isUpperCase(out.charAt(0))).as(out).isTrue();
      assertThat(out).contains(" 3 ").contains(" Madonna ");
    }
  }

  @Test
  void output_isNeverEmpty_andPunctuationStaysAttached() {
    // given high rates for every operation
    PipelineSpec.Lexical aggressive = new PipelineSpec.Lexical(5, 0.5, 0.5, 0.5, 0.9);
    LexicalAugmenter augmenter = new LexicalAugmenter(aggressive, 3, TaskType.CLASSIFICATION);
    List<String> texts = new ArrayList<>(TEXTS);
    texts.addAll(List.of("Great phone!", "Terrible.", "ok", "Not worth the money at all."));
    for (String text : texts) {
      // when each text is varied
      for (Candidate c : augmenter.variants(classification(text))) {
        String out = c.field("text");
        // then the output has words, and no space precedes closing punctuation
        assertThat(out).as(text).isNotBlank().containsPattern("\\p{L}");
        assertThat(out).as(text).doesNotContain(" ,").doesNotContain(" .").doesNotContain(" !");
      }
    }
  }

  @Test
  void deletion_neverShortensTextsUnderFourWords_andNeverDeletesEverything() {
    // given deletion only, with every word doomed
    PipelineSpec.Lexical onlyDelete = new PipelineSpec.Lexical(4, 0, 0, 0, 1.0);
    LexicalAugmenter augmenter = new LexicalAugmenter(onlyDelete, 9, TaskType.CLASSIFICATION);
    // when a three-word text is varied, then nothing can change, so there are no variants
    assertThat(augmenter.variants(classification("Really great phone!"))).isEmpty();
    // when a four-word text is varied, then words go but at least one stays
    List<Candidate> variants = augmenter.variants(classification("Battery died very quickly."));
    assertThat(variants).isNotEmpty();
    for (Candidate c : variants) {
      assertThat(c.field("text")).containsPattern("\\p{L}{2,}");
      assertThat(c.field("text").split("\\s+").length).isLessThan(4);
    }
  }

  @Test
  void emptyTextOrAllRatesZero_giveNoVariants() {
    LexicalAugmenter normal = new LexicalAugmenter(DEFAULTS, 1, TaskType.CLASSIFICATION);
    LexicalAugmenter idle = new LexicalAugmenter(new PipelineSpec.Lexical(4, 0, 0, 0, 0), 1, TaskType.CLASSIFICATION);
    assertThat(normal.variants(classification("   "))).isEmpty();
    assertThat(idle.variants(classification(TEXTS.get(0)))).isEmpty();
  }

  @Test
  void invalidRates_areRejected() {
    assertThatThrownBy(
            () -> new LexicalAugmenter(new PipelineSpec.Lexical(4, 1.5, 0, 0, 0), 1, TaskType.CLASSIFICATION))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("synonym_rate");
    assertThatThrownBy(
            () -> new LexicalAugmenter(new PipelineSpec.Lexical(-1, 0.1, 0, 0, 0), 1, TaskType.CLASSIFICATION))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void augmenter_survivesJavaSerialization_andGivesTheSameVariants() throws Exception {
    // given an augmenter shipped to a worker by Java serialization
    LexicalAugmenter original = new LexicalAugmenter(DEFAULTS, 42, TaskType.CLASSIFICATION);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(original);
    }
    LexicalAugmenter copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (LexicalAugmenter) in.readObject();
    }
    // then it is small (no models inside) and behaves the same
    assertThat(bytes.size()).isLessThan(2_000);
    Seed seed = classification(TEXTS.get(1));
    assertThat(copy.variants(seed)).isEqualTo(original.variants(seed));
  }

  @Test
  void concurrentCalls_giveTheSameVariantsAsSequentialOnes() throws Exception {
    // given one augmenter shared by several threads, as on a Beam worker
    LexicalAugmenter augmenter = new LexicalAugmenter(DEFAULTS, 99, TaskType.CLASSIFICATION);
    List<List<Candidate>> sequential = new ArrayList<>();
    for (String text : TEXTS) {
      sequential.add(augmenter.variants(classification(text)));
    }
    // when the same seeds are varied in parallel
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Candidate>>> futures = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (String text : TEXTS) {
          futures.add(pool.submit(() -> augmenter.variants(classification(text))));
        }
      }
      // then each result equals the sequential one
      for (int k = 0; k < futures.size(); k++) {
        assertThat(futures.get(k).get()).isEqualTo(sequential.get(k % TEXTS.size()));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
