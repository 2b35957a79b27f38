package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.config.PipelineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorCacheTest {
  @TempDir Path dir;

  /** Texts no other test embeds, so this JVM's encoder has never seen them. */
  private static List<String> freshTexts(int n) throws java.io.IOException {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> texts = new ArrayList<>();
    List<String> real = RealTexts.clinc();
    for (int i = 0; i < n; i++) {
      texts.add(real.get(i * 7) + " (" + run + " " + i + ")");
    }
    texts.add("order status please ".repeat(200) + run); // longer than the model's window: LangChain4j's model
    return texts;
  }

  @Test
  void should_embed_nothing_in_a_new_process_that_an_earlier_run_embedded() throws Exception {
    // given a run that embedded its texts with the cache in a file
    SentenceEncoder encoder = SentenceEncoder.of(PipelineSpec.Relevance.MINILM);
    List<String> texts = freshTexts(150);
    Path file = dir.resolve("vectors.sqlite");
    long before = encoder.embedded();
    List<float[]> first = encoder.embedAll(texts, Optional.of(VectorCache.separate(file, VectorCache.MAX_VECTORS)));
    assertThat(encoder.embedded() - before).isEqualTo(texts.size());

    // when a new process (nothing in memory, its own connection to the file) embeds them again
    encoder.forgetRecent();
    long again = encoder.embedded();
    List<float[]> second = encoder.embedAll(texts, Optional.of(VectorCache.separate(file, VectorCache.MAX_VECTORS)));

    // then the model ran on none of them, and each vector is bit for bit the computed one
    assertThat(encoder.embedded() - again).isZero();
    encoder.forgetRecent();
    List<float[]> computed = encoder.embedAll(texts, Optional.empty());
    for (int i = 0; i < texts.size(); i++) {
      assertThat(second.get(i)).as(texts.get(i)).containsExactly(first.get(i)).containsExactly(computed.get(i));
    }
  }

  @Test
  void should_embed_only_the_texts_the_file_does_not_hold() throws Exception {
    // given a file holding the vectors of some texts
    SentenceEncoder encoder = SentenceEncoder.of(PipelineSpec.Relevance.MINILM);
    List<String> texts = freshTexts(40);
    Path file = dir.resolve("vectors.sqlite");
    encoder.embedAll(texts.subList(0, 30), Optional.of(VectorCache.separate(file, VectorCache.MAX_VECTORS)));
    encoder.forgetRecent();

    // when all of them are embedded
    long before = encoder.embedded();
    encoder.embedAll(texts, Optional.of(VectorCache.separate(file, VectorCache.MAX_VECTORS)));

    // then only the others ran through the model
    assertThat(encoder.embedded() - before).isEqualTo(texts.size() - 30);
  }

  @Test
  void should_keep_at_most_its_bound_of_vectors() {
    // given a cache bounded to 10 vectors
    VectorCache cache = VectorCache.separate(dir.resolve("small.sqlite"), 10);

    // when 25 are stored, in three writes
    for (int w = 0; w < 3; w++) {
      Map<String, float[]> batch = new HashMap<>();
      for (int i = 0; i < (w == 2 ? 5 : 10); i++) {
        batch.put("text " + w + " " + i, new float[] {w, i});
      }
      cache.putAll("m", batch);
    }

    // then it holds no more than 10, and what it holds reads back exactly
    assertThat(cache.size()).isBetween(1L, 10L);
    assertThat(cache.getAll("m", List.of("text 2 4"))).hasEntrySatisfying("text 2 4", v -> assertThat(v).containsExactly(2f, 4f));
  }

  @Test
  void should_tell_models_apart() {
    VectorCache cache = VectorCache.separate(dir.resolve("models.sqlite"), 100);
    cache.putAll("a", Map.of("hello", new float[] {1f, 2f}));

    assertThat(cache.getAll("b", List.of("hello"))).isEmpty();
    assertThat(cache.getAll("a", List.of("hello")).get("hello")).containsExactly(1f, 2f);
  }

  @Test
  void should_move_a_file_that_is_not_a_database_aside_and_start_anew() throws Exception {
    // given a damaged cache file
    Path file = dir.resolve("vectors.sqlite");
    Files.write(file, "this is not a SQLite database, it is a broken download ".repeat(100).getBytes());

    // when it is opened and used
    VectorCache cache = VectorCache.separate(file, 100);
    cache.putAll("m", Map.of("hello", new float[] {0.5f, -0.25f}));

    // then the run goes on with a new file, and the old one is kept for a look
    assertThat(cache.failed()).isFalse();
    assertThat(cache.getAll("m", List.of("hello")).get("hello")).containsExactly(0.5f, -0.25f);
    assertThat(dir.resolve("vectors.sqlite.corrupt")).exists();
  }

  @Test
  void should_lose_no_vector_when_two_processes_write_the_same_file_at_once() throws Exception {
    // given two connections to one file (two workers), each storing 300 texts of which 200 the other stores too
    Path file = dir.resolve("shared.sqlite");
    VectorCache one = VectorCache.separate(file, VectorCache.MAX_VECTORS);
    VectorCache two = VectorCache.separate(file, VectorCache.MAX_VECTORS);
    Map<String, float[]> expected = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      expected.put("text " + i, new float[] {i, -i, i / 3f});
    }

    // when both write, ten texts at a time, at once
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        VectorCache cache = w == 0 ? one : two;
        int from = w * 100;
        done.add(pool.submit(() -> {
          for (int b = from; b < from + 300; b += 10) {
            Map<String, float[]> batch = new HashMap<>();
            for (int i = b; i < b + 10; i++) {
              batch.put("text " + i, expected.get("text " + i));
            }
            cache.putAll("m", batch);
            cache.getAll("m", batch.keySet());
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    // then each sees every vector, as written
    for (VectorCache cache : List.of(one, two)) {
      assertThat(cache.failed()).isFalse();
      Map<String, float[]> read = cache.getAll("m", expected.keySet());
      assertThat(read).hasSize(400);
      expected.forEach((t, v) -> assertThat(read.get(t)).containsExactly(v));
    }
  }

  @Test
  void should_be_off_when_set_off_and_else_in_the_folder_of_the_default_response_cache() {
    String was = System.getProperty(VectorCache.PROPERTY);
    try {
      System.setProperty(VectorCache.PROPERTY, "off");
      assertThat(VectorCache.shared()).isEmpty();
      System.setProperty(VectorCache.PROPERTY, dir.resolve("set.sqlite").toString());
      assertThat(VectorCache.shared()).map(VectorCache::file).contains(dir.resolve("set.sqlite").toAbsolutePath().normalize());
    } finally {
      if (was == null) {
        System.clearProperty(VectorCache.PROPERTY);
      } else {
        System.setProperty(VectorCache.PROPERTY, was);
      }
    }
    assertThat(VectorCache.defaultFile("/x/cache")).isEqualTo(Path.of("/x/cache/seedforge/vectors.sqlite"));
  }
}
