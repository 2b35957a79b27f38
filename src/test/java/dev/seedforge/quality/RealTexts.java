package dev.seedforge.quality;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real text for checks that a fast path agrees with the model it stands in for: the quality
 * fixtures (always), and when the shared data is there, every CLINC150 query and every Self-Instruct
 * instruction, input, output and their joined form (the text the gate judges for instructions).
 */
public final class RealTexts {
  static final Path CLINC = Path.of("../shared/data/clinc150/data_full.json");
  static final Path SELF_INSTRUCT = Path.of("../shared/data/self-instruct/seed_tasks.jsonl");

  private RealTexts() {}

  public static List<String> fixtures() {
    List<String> out = new ArrayList<>();
    for (String f : List.of("/quality/fixtures.jsonl", "/quality/noise-fixtures.jsonl")) {
      try (var in = RealTexts.class.getResourceAsStream(f)) {
        for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            out.add(Json.mapper().readTree(line).path("text").asText());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  public static List<String> clinc() throws IOException {
    List<String> out = new ArrayList<>();
    if (Files.isRegularFile(CLINC)) {
      Json.mapper().readTree(CLINC.toFile()).fields().forEachRemaining(split -> {
        for (JsonNode pair : split.getValue()) {
          out.add(pair.get(0).asText());
        }
      });
    }
    return out;
  }

  public static List<String> selfInstruct() throws IOException {
    List<String> out = new ArrayList<>();
    if (Files.isRegularFile(SELF_INSTRUCT)) {
      for (String line : Files.readAllLines(SELF_INSTRUCT)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode task = Json.mapper().readTree(line);
        String instruction = task.path("instruction").asText();
        out.add(instruction);
        for (JsonNode instance : task.path("instances")) {
          String input = instance.path("input").asText();
          String output = instance.path("output").asText();
          out.add(input);
          out.add(output);
          out.add(String.join("\n", instruction, input, output).strip());
        }
      }
    }
    return out;
  }

  /** All of the above. */
  public static List<String> all() throws IOException {
    List<String> out = new ArrayList<>(fixtures());
    out.addAll(clinc());
    out.addAll(selfInstruct());
    return out;
  }
}
