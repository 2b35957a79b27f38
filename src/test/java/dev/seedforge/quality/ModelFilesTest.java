package dev.seedforge.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  /** A real model resource inside LangChain4j's jar (the tokenizer: small, so the test is quick). */
  static final String RESOURCE = "all-minilm-l6-v2-tokenizer.json";

  @TempDir Path dir;

  @Test
  void should_keep_a_jar_entrys_bytes_in_a_file_and_read_them_from_there_unless_they_changed() throws Exception {
    byte[] fromJar;
    try (InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      fromJar = in.readAllBytes();
    }

    // when a first start reads the entry
    byte[] first = ModelFiles.bytes(RESOURCE, dir);

    // then it wrote one file named by the entry's CRC-32 and size, with the entry's bytes
    assertThat(first).isEqualTo(fromJar);
    Path file = dir.resolve(ModelFiles.fileName(RESOURCE, ModelFiles.crc(fromJar), fromJar.length));
    assertThat(dir.toFile().list()).containsExactly(file.getFileName().toString());
    assertThat(Files.readAllBytes(file)).isEqualTo(fromJar);

    // and a later start does not use a file whose bytes no longer have the entry's CRC-32: it writes it anew
    byte[] damaged = fromJar.clone();
    damaged[damaged.length / 2] ^= 0x5a;
    Files.write(file, damaged);
    assertThat(ModelFiles.bytes(RESOURCE, dir)).isEqualTo(fromJar);
    assertThat(Files.readAllBytes(file)).as("the damaged file is written anew").isEqualTo(fromJar);

    // a truncated file likewise, and no half-written file is left behind
    Files.write(file, java.util.Arrays.copyOf(fromJar, fromJar.length / 3));
    assertThat(ModelFiles.bytes(RESOURCE, dir)).isEqualTo(fromJar);
    assertThat(dir.toFile().list()).containsExactly(file.getFileName().toString());
  }

  @Test
  void should_keep_one_file_per_model_when_the_jar_changes() throws Exception {
    // given the file an earlier jar's entry left (another CRC-32 and size), another model's, and a file of the user's
    Path older = Files.writeString(dir.resolve(ModelFiles.fileName(RESOURCE, 0x1234abcdL, 42)), "old");
    Path otherModel = Files.writeString(dir.resolve(ModelFiles.fileName("all-minilm-l6-v2-q-tokenizer.json", 0x1234abcdL, 42)), "other");
    Path users = Files.writeString(dir.resolve("notes.txt"), "mine");

    // when this jar's entry is written
    ModelFiles.bytes(RESOURCE, dir);

    // then the earlier version is gone, the rest stays
    assertThat(older).doesNotExist();
    assertThat(otherModel).exists();
    assertThat(users).exists();
    assertThat(dir.toFile().list()).hasSize(3);
  }

  @Test
  void should_read_from_the_jar_when_the_cache_is_off_or_cannot_be_written() throws Exception {
    byte[] off = ModelFiles.bytes(RESOURCE, null);
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
    byte[] unwritable = ModelFiles.bytes(RESOURCE, notADirectory.resolve("models"));
    assertThat(unwritable).isEqualTo(off).hasSizeGreaterThan(100_000);
    assertThatThrownBy(() -> ModelFiles.bytes("no-such-model.onnx", dir)).hasMessageContaining("no-such-model.onnx is not on the classpath");
  }
}
