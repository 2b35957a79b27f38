package dev.seedforge.quality;

import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import opennlp.tools.doccat.BagOfWordsFeatureGenerator;
import opennlp.tools.doccat.DoccatFactory;
import opennlp.tools.doccat.DoccatModel;
import opennlp.tools.doccat.DocumentCategorizerME;
import opennlp.tools.doccat.DocumentSample;
import opennlp.tools.doccat.FeatureGenerator;
import opennlp.tools.doccat.NGramFeatureGenerator;
import opennlp.tools.util.CollectionObjectStream;
import opennlp.tools.util.TrainingParameters;

/**
 * Label consistency: an OpenNLP maxent document categorizer (bag of words + word bigrams of the
 * normalised text) trained on the seeds and the labels' descriptions judges whether a candidate
 * reads like its intended label. Rejected when another label is the most likely one by more than
 * {@code margin} in probability, or when the
 * intended label's probability is below {@code minProbability}. Score: p(intended label);
 * threshold: p(best label) when another label wins, else {@code minProbability}; the reason names
 * the winning label.
 *
 * <p>The trained model travels with the filter as bytes (a few kB for a seed set) and is loaded
 * once per JVM and filter instance; training is deterministic (maxent GIS, one thread).
 */
public final class LabelFilter implements Filter {
  public static final String NAME = "label_consistency";
  private static final long serialVersionUID = 1L;
  public static final int ITERATIONS = 100;

  /** A text and its label, for training. */
  public record Example(String text, String label) implements java.io.Serializable {}

  private final byte[] model;
  private final double minProbability;
  private final double margin;
  private final TaskType task;
  // volatile: one gate per JVM serves every worker thread
  private transient volatile ThreadLocal<DocumentCategorizerME> categorizer;

  private LabelFilter(byte[] model, double minProbability, double margin, TaskType task) {
    this.model = model;
    this.minProbability = minProbability;
    this.margin = margin;
    this.task = task;
  }

  /** Trains on the examples plus one example per label description. */
  public static LabelFilter train(List<Example> examples, Map<String, String> descriptions, double minProbability, TaskType task) {
    return train(examples, descriptions, minProbability, 0.0, task);
  }

  /** @param margin another label must beat the intended one by more than this to reject */
  public static LabelFilter train(List<Example> examples, Map<String, String> descriptions, double minProbability, double margin, TaskType task) {
    return new LabelFilter(serialize(trainModel(examples, descriptions)), minProbability, margin, task);
  }

  static DoccatModel trainModel(List<Example> examples, Map<String, String> descriptions) {
    List<DocumentSample> samples = new ArrayList<>();
    for (Example e : examples) {
      samples.add(new DocumentSample(e.label(), words(e.text())));
    }
    descriptions.forEach((label, description) ->
        samples.add(new DocumentSample(label, words(label.replace('_', ' ') + " " + (description == null ? "" : description)))));
    TrainingParameters params = new TrainingParameters();
    params.put(TrainingParameters.ALGORITHM_PARAM, "MAXENT");
    params.put(TrainingParameters.ITERATIONS_PARAM, ITERATIONS);
    params.put(TrainingParameters.CUTOFF_PARAM, 1);
    params.put(TrainingParameters.THREADS_PARAM, 1);
    try {
      FeatureGenerator[] features = {new BagOfWordsFeatureGenerator(), new NGramFeatureGenerator(2, 2)};
      return DocumentCategorizerME.train("en", new CollectionObjectStream<>(samples), params, new DoccatFactory(features));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot train the label model", e);
    }
  }

  /**
   * The share of examples whose label a model trained on the other folds predicts ({@code folds}-fold
   * cross-validation, folds dealt round-robin in the given order; descriptions always train).
   */
  public static double crossValidatedAccuracy(List<Example> examples, Map<String, String> descriptions, int folds) {
    return dev.seedforge.util.Futures.join(crossValidation(examples, descriptions, folds));
  }

  /**
   * Starts {@link #crossValidatedAccuracy} on a background thread, so that it runs while the job
   * does and the manifest finds it done; the later call waits for this one instead of training
   * again. The figure is the same either way (each fold's model is trained on one thread).
   */
  public static void crossValidateInBackground(List<Example> examples, Map<String, String> descriptions, int folds) {
    crossValidation(examples, descriptions, folds);
  }

  /** What a cross-validation depends on: the examples and the descriptions, in their order, and the folds. */
  private record CrossValidation(List<Example> examples, List<Map.Entry<String, String>> descriptions, int folds) {}

  private static final Map<CrossValidation, java.util.concurrent.CompletableFuture<Double>> CROSS_VALIDATIONS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static java.util.concurrent.CompletableFuture<Double> crossValidation(List<Example> examples, Map<String, String> descriptions, int folds) {
    CrossValidation key = new CrossValidation(List.copyOf(examples),
        descriptions.entrySet().stream().<Map.Entry<String, String>>map(e -> new java.util.AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue())).toList(),
        folds);
    return CROSS_VALIDATIONS.computeIfAbsent(key, k -> {
      java.util.concurrent.CompletableFuture<Double> result = new java.util.concurrent.CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          result.complete(dev.seedforge.util.Timings.time("label model cross-validation", () -> crossValidate(k.examples(), descriptions, folds)));
        } catch (RuntimeException | Error e) {
          result.completeExceptionally(e);
        }
      }, "seedforge-label-model-cv");
      t.setDaemon(true);
      t.start();
      return result;
    });
  }

  private static double crossValidate(List<Example> examples, Map<String, String> descriptions, int folds) {
    if (examples.size() < folds || folds < 2) {
      return Double.NaN;
    }
    int right = 0;
    for (int f = 0; f < folds; f++) {
      List<Example> train = new ArrayList<>();
      List<Example> test = new ArrayList<>();
      for (int i = 0; i < examples.size(); i++) {
        (i % folds == f ? test : train).add(examples.get(i));
      }
      DocumentCategorizerME cat = new DocumentCategorizerME(trainModel(train, descriptions));
      for (Example e : test) {
        if (e.label().equals(cat.getBestCategory(cat.categorize(words(e.text()))))) {
          right++;
        }
      }
    }
    return (double) right / examples.size();
  }

  /**
   * The categorizer's tokens: normalised words cut to their first {@link #STEM} letters (a crude
   * stemmer: cancel, cancelled, cancelling meet), numbers and codes as one token ("#").
   */
  static String[] words(String text) {
    return stems(TextNormalizer.normalize(text));
  }

  private static String[] stems(String norm) {
    if (norm.isEmpty()) {
      return new String[] {"<empty>"};
    }
    String[] w = norm.split(" ");
    for (int i = 0; i < w.length; i++) {
      String t = w[i];
      boolean digit = false;
      for (int k = 0; k < t.length() && !digit; k++) {
        digit = Character.isDigit(t.charAt(k));
      }
      w[i] = digit ? "#" : t.length() > STEM ? t.substring(0, STEM) : t;
    }
    return w;
  }

  public static final int STEM = 5;

  private static byte[] serialize(DoccatModel m) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      m.serialize(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private DocumentCategorizerME categorizer() {
    if (categorizer == null) {
      synchronized (this) {
        if (categorizer == null) {
          DoccatModel m;
          try {
            m = new DoccatModel(new ByteArrayInputStream(model));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot load the label model", e);
          }
          categorizer = ThreadLocal.withInitial(() -> new DocumentCategorizerME(m));
        }
      }
    }
    return categorizer.get();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void warmUp() {
    categorizer();
  }

  /** The probability of each label for a text. */
  public double probability(String text, String label) {
    DocumentCategorizerME cat = categorizer();
    int i = cat.getIndex(label);
    return i < 0 ? 0 : cat.categorize(words(text))[i];
  }

  @Override
  public Verdict check(Candidate c) {
    return judge(Texts.of(c, task), c.label());
  }

  @Override
  public Verdict check(CandidateText text) {
    return judgeWords(text.candidate().label() == null ? null : stems(text.normalizedText()), text.candidate().label());
  }

  public Verdict judge(String text, String label) {
    return judgeWords(label == null ? null : words(text), label);
  }

  private Verdict judgeWords(String[] words, String label) {
    if (label == null) {
      return Verdict.KEEP;
    }
    DocumentCategorizerME cat = categorizer();
    double[] p = cat.categorize(words);
    int i = cat.getIndex(label);
    double pLabel = i < 0 ? 0 : p[i];
    String best = cat.getBestCategory(p);
    double pBest = p[cat.getIndex(best)];
    if (!best.equals(label) && pBest - pLabel > margin) {
      return Verdict.reject(String.format(Locale.ROOT, "reads like %s (%.2f), not %s (%.2f)", best, pBest, label, pLabel), pLabel, pBest);
    }
    if (pLabel < minProbability) {
      return Verdict.reject(String.format(Locale.ROOT, "p(%s) %.2f below %.2f", label, pLabel, minProbability), pLabel, minProbability);
    }
    return Verdict.KEEP;
  }

  @Override
  public String toString() {
    return NAME + "[maxent bow+bigrams, " + model.length + " bytes, min p " + minProbability + "]";
  }
}
