package dev.seedforge.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void should_replace_the_file_whole_leave_no_temp_file_and_keep_the_usual_permissions() throws Exception {
    Path target = dir.resolve("sub/manifest.json");
    AtomicFiles.writeString(target, "{\"a\":1}\n");
    AtomicFiles.writeString(target, "{\"a\":2}\n");
    assertThat(Files.readString(target)).isEqualTo("{\"a\":2}\n");
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("manifest.json");
    }
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path plain = dir.resolve("plain.json");
    Files.writeString(plain, "x");
    // the same permissions as any file this process writes (the umask), not owner-only
    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(Files.getPosixFilePermissions(plain));
  }
}
