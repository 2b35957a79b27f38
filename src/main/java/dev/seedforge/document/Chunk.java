package dev.seedforge.document;

import dev.seedforge.util.Hashes;
import java.io.Serializable;

/**
 * A passage of a source document that grounded strategies generate from. {@code document} is the
 * file's path relative to the pack folder (stable wherever the run starts); {@code start} and
 * {@code end} are character offsets into the document's extracted text; {@code page} (PDF, from 1)
 * and {@code heading} (Markdown, HTML) are null when the format has none. The id hashes the
 * document and the offsets, so it survives re-runs and changes only when the passage moves.
 */
public record Chunk(String id, String document, int index, Integer page, String heading, int start, int end, String text)
    implements Serializable {

  public static Chunk of(String document, int index, Integer page, String heading, int start, int end, String text) {
    return new Chunk(Hashes.id("chunk", document, String.valueOf(start), String.valueOf(end)), document, index, page, heading, start, end, text);
  }

  /** Where the passage is, for prompts and messages: {@code guide.md, section "Install"} or {@code manual.pdf, page 3}. */
  public String location() {
    StringBuilder b = new StringBuilder(document);
    if (page != null) {
      b.append(", page ").append(page);
    }
    if (heading != null && !heading.isBlank()) {
      b.append(", section \"").append(heading).append('"');
    }
    return b.toString();
  }
}
