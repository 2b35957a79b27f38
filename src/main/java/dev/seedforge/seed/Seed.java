package dev.seedforge.seed;

import com.google.common.collect.ImmutableSortedMap;
import dev.seedforge.util.Hashes;
import dev.seedforge.util.Json;
import java.io.Serializable;
import java.util.Map;

/**
 * One hand-written example. The id is a hash of the label and the content, so the same seed has
 * the same id in every run, whatever file or line it came from.
 */
public record Seed(String id, String label, Map<String, String> fields, String source, int line)
    implements Serializable {

  public Seed {
    fields = ImmutableSortedMap.copyOf(fields);
  }

  public static Seed of(String label, Map<String, String> fields, String source, int line) {
    Map<String, String> sorted = ImmutableSortedMap.copyOf(fields);
    return new Seed(Hashes.id("seed", label, Json.write(sorted)), label, sorted, source, line);
  }

  public String field(String name) {
    return fields.getOrDefault(name, "");
  }
}
