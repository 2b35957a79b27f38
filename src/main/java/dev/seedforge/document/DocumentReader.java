package dev.seedforge.document;

import dev.langchain4j.data.document.BlankDocumentException;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.loader.FileSystemDocumentLoader;
import dev.langchain4j.data.document.parser.TextDocumentParser;
import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.SpecLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;

/**
 * Reads one document into its text and sections, by file type: plain text and Markdown through
 * LangChain4j's {@link TextDocumentParser}, HTML with jsoup (block elements, headings start
 * sections), PDF with PDFBox (one section per page). A file that cannot be used (unknown type,
 * empty, unreadable or text-less PDF, binary content) is an {@link InvalidInputException} naming
 * it and saying what to do: a run never skips a document silently.
 */
public final class DocumentReader {
  /** File name endings read, by kind. */
  public enum Kind {
    TEXT, MARKDOWN, HTML, PDF;

    static Kind of(Path file) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".txt") || name.endsWith(".text")) {
        return TEXT;
      }
      if (name.endsWith(".md") || name.endsWith(".markdown")) {
        return MARKDOWN;
      }
      if (name.endsWith(".html") || name.endsWith(".htm")) {
        return HTML;
      }
      if (name.endsWith(".pdf")) {
        return PDF;
      }
      return null;
    }
  }

  /** What one file gave: its full extracted text and the sections chunks stay within. */
  record Read(String text, List<Section> sections) {}

  private static final Pattern MD_HEADING = Pattern.compile("(?m)^ {0,3}#{1,6}[ \\t]+(.+?)[ \\t#]*$");
  private static final String HTML_BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,pre,blockquote,dt,dd,th,td,caption,figcaption";

  private DocumentReader() {}

  static Read read(Path file) {
    Kind kind = Kind.of(file);
    String where = SpecLoader.display(file);
    if (kind == null) {
      throw new InvalidInputException(where + ": unknown document type; documents are .txt, .md, .html or .pdf files (rename the file, or convert it to one of these)");
    }
    Read read = switch (kind) {
      case TEXT -> new Read(plainText(file, where), null);
      case MARKDOWN -> markdown(plainText(file, where));
      case HTML -> html(plainText(file, where), where);
      case PDF -> pdf(file, where);
    };
    if (read.sections() == null) {
      read = new Read(read.text(), List.of(new Section(read.text(), null, null, 0)));
    }
    if (read.text().isBlank()) {
      throw new InvalidInputException(where + ": the document has no text; remove it from documents.paths or fill it in");
    }
    return read;
  }

  private static String plainText(Path file, String where) {
    Document d;
    try {
      d = FileSystemDocumentLoader.loadDocument(file, new TextDocumentParser());
    } catch (BlankDocumentException e) {
      throw new InvalidInputException(where + ": the document is empty; remove it from documents.paths or fill it in");
    } catch (RuntimeException e) {
      throw new InvalidInputException(where + ": cannot read the document: " + e.getMessage());
    }
    String text = d.text();
    if (text.indexOf('\u0000') >= 0 || text.chars().filter(c -> c == '\uFFFD').count() > Math.max(3, text.length() / 100)) {
      throw new InvalidInputException(where + ": not UTF-8 text (binary content or another encoding); convert it to UTF-8 text");
    }
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /** Each heading starts a section that runs to the next heading; text before the first has no heading. */
  static Read markdown(String text) {
    List<Section> sections = new ArrayList<>();
    Matcher m = MD_HEADING.matcher(text);
    int start = 0;
    String heading = null;
    while (m.find()) {
      add(sections, text, start, m.start(), null, heading);
      start = m.start();
      heading = m.group(1).strip();
    }
    add(sections, text, start, text.length(), null, heading);
    return new Read(text, sections);
  }

  /** The text of the body's block elements, one paragraph each; a heading element starts a section. */
  static Read html(String source, String where) {
    org.jsoup.nodes.Document doc = Jsoup.parse(source);
    StringBuilder text = new StringBuilder();
    List<int[]> bounds = new ArrayList<>();
    List<String> headings = new ArrayList<>();
    String heading = doc.title().isBlank() ? null : doc.title().strip();
    int sectionStart = 0;
    for (Element e : doc.body().select(HTML_BLOCKS)) {
      if (hasBlockAncestor(e)) {
        continue;
      }
      String t = e.normalName().equals("pre") ? e.wholeText().strip() : e.text().strip();
      if (t.isEmpty()) {
        continue;
      }
      if (e.normalName().matches("h[1-6]")) {
        if (text.length() > sectionStart) {
          bounds.add(new int[] {sectionStart, text.length()});
          headings.add(heading);
        }
        sectionStart = text.length();
        heading = t;
      }
      text.append(t).append("\n\n");
    }
    if (text.length() > sectionStart) {
      bounds.add(new int[] {sectionStart, text.length()});
      headings.add(heading);
    }
    String all = text.toString();
    if (all.isBlank()) {
      throw new InvalidInputException(where + ": the HTML page has no text in its body (paragraphs, lists, headings); fill it in or remove it from documents.paths");
    }
    List<Section> sections = new ArrayList<>();
    for (int i = 0; i < bounds.size(); i++) {
      add(sections, all, bounds.get(i)[0], bounds.get(i)[1], null, headings.get(i));
    }
    return new Read(all, sections);
  }

  private static boolean hasBlockAncestor(Element e) {
    for (Element p = e.parent(); p != null; p = p.parent()) {
      if (p.is(HTML_BLOCKS)) {
        return true;
      }
    }
    return false;
  }

  /** One section per page, pages joined by a blank line. */
  static Read pdf(Path file, String where) {
    try (PDDocument pdf = Loader.loadPDF(file.toFile())) {
      PDFTextStripper stripper = new PDFTextStripper();
      StringBuilder text = new StringBuilder();
      List<Section> sections = new ArrayList<>();
      for (int page = 1; page <= pdf.getNumberOfPages(); page++) {
        stripper.setStartPage(page);
        stripper.setEndPage(page);
        String pageText = stripper.getText(pdf).strip();
        if (!pageText.isEmpty()) {
          sections.add(new Section(pageText, page, null, text.length()));
          text.append(pageText).append("\n\n");
        }
      }
      if (sections.isEmpty()) {
        throw new InvalidInputException(where + ": the PDF has no extractable text (" + pdf.getNumberOfPages()
            + " pages; a scanned PDF needs OCR first); run it through OCR or remove it from documents.paths");
      }
      return new Read(text.toString(), sections);
    } catch (IOException e) {
      throw new InvalidInputException(where + ": not a readable PDF (" + e.getMessage()
          + "); re-export it, or remove it from documents.paths");
    }
  }

  private static void add(List<Section> sections, String text, int start, int end, Integer page, String heading) {
    if (!text.substring(start, end).isBlank()) {
      sections.add(new Section(text.substring(start, end), page, heading, start));
    }
  }
}
