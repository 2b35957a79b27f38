package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The label model on the example pack's real seeds, with labels deliberately swapped. */
public class LabelFilterTest {
  public static List<LabelFilter.Example> seeds() throws IOException {
    List<LabelFilter.Example> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("prompts/customer-support/seeds.jsonl"))) {
      JsonNode n = Json.mapper().readTree(line);
      out.add(new LabelFilter.Example(n.path("text").asText(), n.path("label").asText()));
    }
    return out;
  }

  public static Map<String, String> descriptions() throws IOException {
    JsonNode pack = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(Path.of("prompts/customer-support/pack.yaml").toFile());
    Map<String, String> out = new java.util.TreeMap<>();
    pack.path("labels").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().path("description").asText()));
    return out;
  }

  /** Rejection precision and recall when every 5th held-out example gets another label (5-fold). */
  public static double[] swappedLabelScores(List<LabelFilter.Example> all, Map<String, String> descriptions, double margin) {
    List<String> labels = all.stream().map(LabelFilter.Example::label).distinct().sorted().toList();
    int folds = 5;
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int f = 0; f < folds; f++) {
      List<LabelFilter.Example> train = new ArrayList<>();
      List<LabelFilter.Example> test = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        (i % folds == f ? test : train).add(all.get(i));
      }
      LabelFilter filter = LabelFilter.train(train, descriptions, 0.0, margin, TaskType.CLASSIFICATION);
      for (int i = 0; i < test.size(); i++) {
        LabelFilter.Example e = test.get(i);
        boolean swapped = i % 5 == 2;
        String label = swapped ? labels.get((labels.indexOf(e.label()) + 1 + i % (labels.size() - 1)) % labels.size()) : e.label();
        boolean rejected = !filter.judge(e.text(), label).keep();
        if (rejected && swapped) {
          tp++;
        } else if (rejected) {
          fp++;
        } else if (swapped) {
          fn++;
        }
      }
    }
    return new double[] {tp + fp == 0 ? 0 : (double) tp / (tp + fp), tp + fn == 0 ? 0 : (double) tp / (tp + fn)};
  }

  @Test
  void should_keep_seeds_with_their_own_label_and_reject_them_under_another() throws IOException {
    LabelFilter f = LabelFilter.train(seeds(), descriptions(), 0.0, TaskType.CLASSIFICATION);
    String text = "Please cancel order #64102, I ordered the wrong size by mistake.";
    assertThat(f.judge(text, "cancel_order").keep()).isTrue();
    Verdict v = f.judge(text, "damaged_item");
    assertThat(v.keep()).isFalse();
    assertThat(v.reason()).startsWith("reads like cancel_order");
    assertThat(v.score()).isLessThan(v.threshold());
    // a new message, not a seed
    assertThat(f.judge("my parcel came today and the lamp inside is smashed to pieces", "damaged_item").keep()).isTrue();
    assertThat(f.judge("my parcel came today and the lamp inside is smashed to pieces", "account_access").keep()).isFalse();
  }

  @Test
  void should_reject_most_swapped_labels_on_held_out_seeds() throws IOException {
    for (double m : new double[] {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6}) {
      double[] x = swappedLabelScores(seeds(), descriptions(), m);
      System.out.printf("label filter on held-out seeds, 20%% swapped, margin %.1f: precision %.2f, recall %.2f%n", m, x[0], x[1]);
    }
    // only ~6 training seeds per label: the margin trades recall for precision
    double[] any = swappedLabelScores(seeds(), descriptions(), 0.0);
    double[] confident = swappedLabelScores(seeds(), descriptions(), 0.2);
    assertThat(any[1]).as("recall of swapped labels, margin 0").isGreaterThanOrEqualTo(0.8);
    assertThat(confident[0]).as("precision of rejections, margin 0.2").isGreaterThanOrEqualTo(0.6);
    assertThat(confident[0]).isGreaterThan(any[0]);
  }

  @Test
  void should_cross_validate_the_seed_set_and_fall_when_labels_are_noise() throws IOException {
    List<LabelFilter.Example> seeds = seeds();
    double acc = LabelFilter.crossValidatedAccuracy(seeds, descriptions(), 5);
    List<String> labels = seeds.stream().map(LabelFilter.Example::label).toList();
    List<LabelFilter.Example> shuffled = new ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      shuffled.add(new LabelFilter.Example(seeds.get(i).text(), labels.get((i * 7 + 3) % labels.size())));
    }
    double noise = LabelFilter.crossValidatedAccuracy(shuffled, Map.of(), 5);
    System.out.printf("label model cross-validated accuracy: seeds %.2f, shuffled labels %.2f%n", acc, noise);
    assertThat(acc).isGreaterThan(0.35);
    assertThat(noise).isLessThan(0.15);
  }

  @Test
  void survives_java_serialization() throws Exception {
    LabelFilter f = LabelFilter.train(seeds(), descriptions(), 0.0, TaskType.CLASSIFICATION);
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(f);
    }
    LabelFilter back = (LabelFilter) new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())).readObject();
    assertThat(back.judge("Please cancel order #64102, I ordered the wrong size by mistake.", "damaged_item").keep()).isFalse();
  }
}
