package dev.seedforge.document;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The documents a pipeline names ({@code documents.paths}: files, folders or globs relative to the
 * pipeline file), read and chunked. Like a pack's own files, every document must resolve inside the
 * pack folder, symbolic links followed, unless {@code pack_allow_outside_paths: true}: a pipeline
 * from elsewhere must not be able to send any file of the machine to the model. Every problem (a
 * glob matching nothing, a file outside, an unreadable or empty document) is reported at once.
 */
public final class DocumentSet {
  private DocumentSet() {}

  /** The chunks of every document, documents in path order; empty when the pipeline names none. */
  public static List<Chunk> load(PipelineSpec spec) {
    if (!spec.documents().any()) {
      return List.of();
    }
    Path base = Path.of(spec.sourceFile()).getParent();
    Path packDir = Path.of(spec.packDir());
    String specFile = SpecLoader.display(Path.of(spec.sourceFile()));
    List<String> problems = new ArrayList<>();
    Map<String, Path> files = new TreeMap<>();
    for (String pattern : spec.documents().paths()) {
      List<Path> matched = resolve(base, pattern);
      if (matched.isEmpty()) {
        problems.add(specFile + ": documents.paths: \"" + pattern + "\" matches no file (paths are relative to the pipeline file, "
            + SpecLoader.display(base) + ")");
      }
      for (Path f : matched) {
        String outside = outside(f, packDir, spec.packAllowOutsidePaths());
        if (outside != null) {
          problems.add(specFile + ": documents.paths: " + SpecLoader.display(f) + " resolves outside the pack folder (to " + outside
              + "); documents must be inside " + SpecLoader.display(packDir) + ": move them into the pack, or set pack_allow_outside_paths: true");
        } else {
          files.put(name(f, packDir, base), f);
        }
      }
    }
    Chunker chunker = new Chunker(spec.documents().chunkSize(), spec.documents().chunkOverlap());
    List<Chunk> chunks = new ArrayList<>();
    files.forEach((name, file) -> {
      try {
        chunks.addAll(chunker.chunks(name, DocumentReader.read(file)));
      } catch (InvalidInputException e) {
        problems.addAll(e.problems());
      }
    });
    if (!problems.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    return List.copyOf(chunks);
  }

  /** The files a pattern names: the file itself, every file under a folder, or the files a glob matches. */
  static List<Path> resolve(Path base, String pattern) {
    int glob = firstGlobChar(pattern);
    if (glob < 0) {
      Path p = base.resolve(pattern).normalize();
      if (Files.isRegularFile(p)) {
        return List.of(p);
      }
      return Files.isDirectory(p) ? walk(p, null) : List.of();
    }
    int slash = pattern.lastIndexOf('/', glob);
    Path root = base.resolve(slash < 0 ? "." : pattern.substring(0, slash + 1)).normalize();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    String rest = pattern.substring(slash + 1);
    return walk(root, FileSystems.getDefault().getPathMatcher("glob:" + rest));
  }

  private static List<Path> walk(Path root, PathMatcher matcher) {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(f -> matcher == null || matcher.matches(root.relativize(f)))
          .filter(f -> matcher != null || !f.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new InvalidInputException(SpecLoader.display(root) + ": cannot list the folder: " + e.getMessage());
    }
  }

  private static int firstGlobChar(String s) {
    for (int i = 0; i < s.length(); i++) {
      if ("*?[{".indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** The real path of {@code f} when it lies outside the pack folder (and that is not allowed), else null. */
  private static String outside(Path f, Path packDir, boolean allowed) {
    if (allowed) {
      return null;
    }
    try {
      Path real = f.toRealPath();
      return real.startsWith(packDir.toRealPath()) ? null : real.toString();
    } catch (IOException e) {
      return f.toString();
    }
  }

  /** The name a document goes by in records and the manifest: relative to the pack folder, else to the pipeline file. */
  private static String name(Path f, Path packDir, Path base) {
    Path abs = f.toAbsolutePath().normalize();
    Path pack = packDir.toAbsolutePath().normalize();
    return (abs.startsWith(pack) ? pack.relativize(abs) : base.relativize(abs)).toString().replace('\\', '/');
  }
}
