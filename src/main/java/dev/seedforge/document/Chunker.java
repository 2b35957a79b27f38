package dev.seedforge.document;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a document's sections into chunks with LangChain4j's recursive splitter (paragraphs,
 * then lines, sentences and words) of at most {@code size} characters, {@code overlap} of them
 * shared with the previous chunk. The splitter rejoins what it splits with its own whitespace, so
 * each segment is found again in the section (whitespace-tolerant) and the chunk keeps the
 * original text and its exact offsets.
 */
public final class Chunker {
  private final int size;
  private final int overlap;

  public Chunker(int size, int overlap) {
    com.google.common.base.Preconditions.checkArgument(size > 0 && overlap >= 0 && overlap < size, "chunk size %s, overlap %s", size, overlap);
    this.size = size;
    this.overlap = overlap;
  }

  List<Chunk> chunks(String document, DocumentReader.Read read) {
    DocumentSplitter splitter = DocumentSplitters.recursive(size, overlap);
    List<Chunk> out = new ArrayList<>();
    for (Section s : read.sections()) {
      int from = 0;
      for (TextSegment seg : splitter.split(Document.from(s.text()))) {
        int[] span = locate(s.text(), seg.text(), from);
        out.add(Chunk.of(document, out.size(), s.page(), s.heading(), s.offset() + span[0], s.offset() + span[1],
            s.text().substring(span[0], span[1])));
        from = span[0] + 1;
      }
    }
    return out;
  }

  /** Where {@code segment} occurs in {@code text} at or after {@code from}, any run of whitespace matching any other. */
  static int[] locate(String text, String segment, int from) {
    String[] words = segment.strip().split("\\s+");
    StringBuilder regex = new StringBuilder();
    for (String w : words) {
      regex.append(regex.length() == 0 ? "" : "\\s+").append(Pattern.quote(w));
    }
    Matcher m = Pattern.compile(regex.toString()).matcher(text);
    if (m.find(Math.min(from, text.length())) || m.find(0)) {
      return new int[] {m.start(), m.end()};
    }
    throw new IllegalStateException("the splitter returned text that is not in the document: " + segment.substring(0, Math.min(60, segment.length())));
  }
}
