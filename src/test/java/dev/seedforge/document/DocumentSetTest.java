package dev.seedforge.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Documents named by a pipeline: read by type, chunked with offsets and sections, every bad file named. */
class DocumentSetTest {
  @TempDir Path dir;
  Path pack;
  Path docs;

  @BeforeEach
  void setUp() throws IOException {
    pack = Files.createDirectories(dir.resolve("prompts/p"));
    docs = Files.createDirectories(pack.resolve("documents"));
    Files.createDirectories(dir.resolve("pipelines"));
    Files.writeString(pack.resolve("pack.yaml"), "system_prompt: s\ntask: instruction\nstrategies:\n  qa: {template: t.txt, basis: chunk}\n");
    Files.writeString(pack.resolve("t.txt"), "{{chunk}}\n");
    Files.writeString(pack.resolve("seeds.jsonl"), "{\"instruction\": \"What is it?\", \"output\": \"It is a test.\"}\n");
  }

  private PipelineSpec spec(String documents) throws IOException {
    Path file = dir.resolve("pipelines/p.yaml");
    Files.writeString(file, "pack: ../prompts/p\ndocuments:\n" + documents);
    return SpecLoader.load(file, Map.of(), SpecLoader.Overrides.none());
  }

  /** The shipped packs' sample documents, read from the packs, and the test's own fixtures. */
  private static final java.util.Map<String, Path> SHIPPED = java.util.Map.of(
      "rfc2119.txt", Path.of("prompts/technical-docs/documents/rfc2119.txt"),
      "handwashing.html", Path.of("prompts/public-health/documents/handwashing.html"));

  private void copy(String fixture) throws IOException {
    Files.copy(SHIPPED.getOrDefault(fixture, Path.of("src/test/resources/documents", fixture)), docs.resolve(fixture));
  }

  @Test
  void should_chunk_plain_text_with_offsets_that_point_at_the_chunk_text() throws IOException {
    // given
    copy("rfc2119.txt");
    String text = Files.readString(docs.resolve("rfc2119.txt"));

    // when
    List<Chunk> chunks = DocumentSet.load(spec("  paths: [../prompts/p/documents/rfc2119.txt]\n  chunk_size: 600\n  chunk_overlap: 100\n"));

    // then
    assertThat(chunks).hasSizeGreaterThan(4);
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.document()).isEqualTo("documents/rfc2119.txt");
      assertThat(c.text()).isEqualTo(text.substring(c.start(), c.end()));
      assertThat(c.text().length()).isLessThanOrEqualTo(600);
      assertThat(c.page()).isNull();
    });
    assertThat(chunks).extracting(Chunk::id).doesNotHaveDuplicates();
    assertThat(String.join(" ", chunks.stream().map(Chunk::text).toList()).replaceAll("\\s+", " ")).contains("absolute prohibition of the specification");
  }

  @Test
  void should_give_the_same_chunk_ids_on_every_load() throws IOException {
    // given
    copy("rfc2119.txt");
    PipelineSpec spec = spec("  paths: [../prompts/p/documents/*.txt]\n");

    // when / then
    assertThat(DocumentSet.load(spec)).extracting(Chunk::id).isEqualTo(DocumentSet.load(spec).stream().map(Chunk::id).toList());
  }

  @Test
  void should_keep_the_markdown_heading_of_each_chunk() throws IOException {
    // given
    copy("constitution-article-1.md");

    // when
    List<Chunk> chunks = DocumentSet.load(spec("  paths: [../prompts/p/documents]\n  chunk_size: 400\n  chunk_overlap: 0\n"));

    // then
    assertThat(chunks).filteredOn(c -> c.text().contains("two Senators from each State"))
        .singleElement().satisfies(c -> assertThat(c.heading()).isEqualTo("Article I, Section 3"));
    assertThat(chunks).filteredOn(c -> c.text().contains("We the People"))
        .singleElement().satisfies(c -> assertThat(c.location()).isEqualTo("documents/constitution-article-1.md, section \"Preamble\""));
  }

  @Test
  void should_read_the_body_text_of_html_under_its_headings() throws IOException {
    // given
    copy("handwashing.html");

    // when
    List<Chunk> chunks = DocumentSet.load(spec("  paths: ['../prompts/p/documents/*.htm*']\n"));

    // then
    assertThat(chunks).filteredOn(c -> c.text().contains("at least 60% alcohol"))
        .singleElement().satisfies(c -> assertThat(c.heading()).isEqualTo("Use hand sanitizer when you can't use soap and water"));
    assertThat(chunks).noneSatisfy(c -> assertThat(c.text()).contains("<li>").contains("Handwashing</a>"));
    assertThat(chunks).anySatisfy(c -> assertThat(c.text()).contains("Scrub your hands for at least 20 seconds."));
  }

  @Test
  void should_keep_the_page_of_each_pdf_chunk() throws IOException {
    // given
    writePdf(docs.resolve("constitution.pdf"),
        List.of("All legislative Powers herein granted shall be vested in a Congress of the United States.",
            "The Senate of the United States shall be composed of two Senators from each State."));

    // when
    List<Chunk> chunks = DocumentSet.load(spec("  paths: [../prompts/p/documents/*.pdf]\n"));

    // then
    assertThat(chunks).hasSize(2);
    assertThat(chunks.get(0).page()).isEqualTo(1);
    assertThat(chunks.get(1)).satisfies(c -> {
      assertThat(c.page()).isEqualTo(2);
      assertThat(c.text()).contains("two Senators from each State");
      assertThat(c.location()).isEqualTo("documents/constitution.pdf, page 2");
    });
  }

  @Test
  void should_name_a_broken_pdf_an_empty_file_and_an_unknown_type_all_at_once() throws IOException {
    // given
    Files.writeString(docs.resolve("broken.pdf"), "%PDF-1.7 this is not really a PDF");
    Files.writeString(docs.resolve("empty.txt"), "  \n");
    Files.writeString(docs.resolve("table.xlsx"), "PK");

    // when / then
    assertThatThrownBy(() -> DocumentSet.load(spec("  paths: [../prompts/p/documents]\n")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("broken.pdf: not a readable PDF").contains("re-export it"))
            .anySatisfy(p -> assertThat(p).contains("empty.txt: the document is empty"))
            .anySatisfy(p -> assertThat(p).contains("table.xlsx: unknown document type; documents are .txt, .md, .html or .pdf")));
  }

  @Test
  void should_refuse_a_glob_that_matches_nothing_and_a_document_outside_the_pack() throws IOException {
    // given
    Files.writeString(dir.resolve("secret.txt"), "the secret that must not reach the model\n");

    // when / then
    assertThatThrownBy(() -> DocumentSet.load(spec("  paths: [../prompts/p/documents/*.md, ../secret.txt]\n")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("documents.paths: \"../prompts/p/documents/*.md\" matches no file"))
            .anySatisfy(p -> assertThat(p).contains("secret.txt resolves outside the pack folder").contains("pack_allow_outside_paths: true")));
  }

  static void writePdf(Path file, List<String> pages) throws IOException {
    try (PDDocument pdf = new PDDocument()) {
      for (String line : pages) {
        PDPage page = new PDPage();
        pdf.addPage(page);
        try (PDPageContentStream s = new PDPageContentStream(pdf, page)) {
          s.beginText();
          s.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 11);
          s.newLineAtOffset(50, 700);
          s.showText(line);
          s.endText();
        }
      }
      pdf.save(file.toFile());
    }
  }
}
