package dev.seedforge.quality;

import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an instruction asks for, as far as the noise filters care: an answer in another language,
 * links, code, a table, a grid, a formula, a template or structured data. Read once per candidate from the
 * instruction by a table of words built once ({@link CandidateText#asks}); a filter then judges the
 * output against what was asked (a requested table may be mostly pipes and digits, a requested
 * translation is not in the pack's language).
 *
 * @param asks the kinds of output asked for
 * @param language the ISO 639-1 code of the language the answer is asked in ("into French"), if
 *     the instruction names one
 */
public record InstructionAsks(Set<Ask> asks, Optional<String> language) {
  public static final InstructionAsks NONE = new InstructionAsks(Set.of(), Optional.empty());

  /**
   * A kind of output an instruction asks for, and the words that ask for it: single words, word
   * prefixes ending in {@code *} ("translat*": translate, translation) and two- or three-word
   * phrases, all lower case.
   */
  public enum Ask {
    /** A translation, or an answer in a named or another language. */
    OTHER_LANGUAGE("translat*", "languages", "dialect", "dialects"),
    LINKS("link", "links", "url", "urls", "hyperlink", "hyperlinks", "website", "websites", "webpage", "webpages", "web page",
        "web pages", "web address", "web addresses", "email address", "email addresses", "e mail address", "source", "sources",
        "reference", "references", "citation", "citations"),
    CODE("code", "coding", "program", "programs", "programming", "script", "scripts", "snippet", "function", "functions",
        "implement*", "python", "java", "javascript", "typescript", "sql", "html", "css", "regex", "regular expression", "bash",
        "shell", "c++", "c#", "rust", "golang", "api", "algorithm", "class", "method", "compil*", "debug*", "leetcode"),
    TABLE("table", "tables", "tabular", "spreadsheet", "column", "columns", "row", "rows", "matrices"),
    GRID("grid", "grids", "sudoku", "crossword", "board", "tic tac toe", "chess", "maze"),
    FORMULA("formula", "formulas", "formulae", "equation", "equations", "calculat*", "comput*", "solve", "solving", "math*",
        "arithmetic", "algebra*", "derivative", "integral", "sum", "digit", "digits", "number", "numbers", "numerical",
        "statistic", "statistics"),
    /** A template, an e-mail or a letter, whose slots ("[Name]", "[Your Company]") stand for the people in it. */
    TEMPLATE("template", "templates", "placeholder", "placeholders", "fill in", "form letter", "form letters", "mad libs",
        "email", "emails", "e mail", "e mails", "letter", "letters"),
    /** A title, a name, verse or a short form that does not end in a full stop. */
    TITLE_OR_VERSE("title", "titles", "headline", "headlines", "slogan", "slogans", "tagline", "taglines", "name", "names",
        "lyrics", "poem", "poems", "poetry", "haiku", "haikus", "limerick", "limericks", "verse", "verses", "song", "songs",
        "subject line"),
    STRUCTURED_DATA("json", "xml", "yaml", "csv", "markdown", "latex", "structured", "key value", "schema", "format as",
        "formatted as", "sort", "sorted", "sorting");

    private final List<String> words;

    Ask(String... words) {
      this.words = List.of(words);
    }

    /** The words, prefixes and phrases that ask for it. */
    public List<String> words() {
      return words;
    }
  }

  /** Asks under which the output may be built mostly of symbols, digits or repeated cells. */
  public static final Set<Ask> STRUCTURE = Collections.unmodifiableSet(EnumSet.of(Ask.CODE, Ask.TABLE, Ask.GRID, Ask.FORMULA, Ask.STRUCTURED_DATA));

  // one table of words and phrases, one of prefixes: reading an instruction is a hash look-up per
  // word and per two- and three-word phrase, not a scan of every pattern over the text
  private static final Map<String, Set<Ask>> WORDS = new HashMap<>();
  private static final Map<String, Set<Ask>> PREFIXES = new HashMap<>();
  private static final Pattern WORD_BREAK = Pattern.compile("[^\\p{L}\\p{N}+#]+");

  static {
    for (Ask a : Ask.values()) {
      for (String w : a.words) {
        boolean prefix = w.endsWith("*");
        (prefix ? PREFIXES : WORDS).computeIfAbsent(prefix ? w.substring(0, w.length() - 1) : w, k -> EnumSet.noneOf(Ask.class)).add(a);
      }
    }
  }

  /** English names of the languages the detector knows, to their ISO 639-1 codes. */
  private static final Map<String, String> LANGUAGE_NAMES = languageNames();
  private static final Set<String> BEFORE_A_LANGUAGE = Set.of("in", "into", "to");
  /** Words that may follow the answer's language; any other word makes it an adjective ("in French cinema"). */
  private static final Set<String> AFTER_A_LANGUAGE = Set.of(
      "and", "or", "about", "please", "only", "with", "without", "using", "for", "so", "that", "then", "as", "from", "if",
      "language", "translation", "but", "while", "when", "keeping", "too", "also", "instead", "of", "on");
  private static final Set<String> ARTICLES = Set.of("the", "a", "an", "any");
  private static final Set<String> LANGUAGE_ADJECTIVES = Set.of(
      "original", "plain", "simple", "modern", "formal", "informal", "standard", "brazilian", "mexican", "canadian", "american", "british");

  public InstructionAsks {
    asks = asks.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(asks));
  }

  /** What {@code instruction} asks for; {@link #NONE} for a blank one. */
  public static InstructionAsks of(String instruction) {
    if (instruction == null || instruction.isBlank()) {
      return NONE;
    }
    String[] w = WORD_BREAK.split(instruction.toLowerCase(Locale.ROOT).strip());
    EnumSet<Ask> found = EnumSet.noneOf(Ask.class);
    for (int i = 0; i < w.length; i++) {
      addAll(found, WORDS.get(w[i]));
      if (i + 1 < w.length) {
        addAll(found, WORDS.get(w[i] + " " + w[i + 1]));
        if (i + 2 < w.length) {
          addAll(found, WORDS.get(w[i] + " " + w[i + 1] + " " + w[i + 2]));
        }
      }
      for (int n = Math.min(w[i].length(), 9); n >= 4; n--) {
        addAll(found, PREFIXES.get(w[i].substring(0, n)));
      }
    }
    Optional<String> language = targetLanguage(w);
    if (language.isPresent()) {
      found.add(Ask.OTHER_LANGUAGE);
    }
    return found.isEmpty() ? NONE : new InstructionAsks(found, language);
  }

  private static void addAll(EnumSet<Ask> found, Set<Ask> asks) {
    if (asks != null) {
      found.addAll(asks);
    }
  }

  /**
   * The language the answer is asked in: the last one named after "in", "into" or (in a
   * translation) "to" and not followed by a noun ("translate from German into French" asks for
   * French, "in the original Italian" for Italian, "in French cinema" for none); "from X" names
   * the source, not the answer.
   */
  private static Optional<String> targetLanguage(String[] w) {
    String last = null;
    boolean translation = false;
    for (String word : w) {
      translation |= word.startsWith("translat");
    }
    for (int i = 0; i < w.length - 1; i++) {
      // "to French" is the answer's language in a translation, an adjective elsewhere ("to French customers")
      if (!BEFORE_A_LANGUAGE.contains(w[i]) || (w[i].equals("to") && !translation)) {
        continue;
      }
      int j = i + 1;
      if (j < w.length - 1 && ARTICLES.contains(w[j])) {
        j++;
      }
      if (j < w.length - 1 && LANGUAGE_ADJECTIVES.contains(w[j])) {
        j++;
      }
      String code = LANGUAGE_NAMES.get(w[j]);
      if (code != null && (j == w.length - 1 || AFTER_A_LANGUAGE.contains(w[j + 1]))) {
        last = code;
      }
    }
    return Optional.ofNullable(last);
  }

  public boolean has(Ask ask) {
    return asks.contains(ask);
  }

  /** True when the instruction asks for any of {@code kinds}. */
  public boolean any(Set<Ask> kinds) {
    for (Ask a : asks) {
      if (kinds.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /** For a reason in rejected.jsonl or a test: {@code [code, table]}. */
  public List<String> names() {
    return asks.stream().map(a -> a.name().toLowerCase(Locale.ROOT)).sorted().toList();
  }

  private static Map<String, String> languageNames() {
    Map<String, String> out = new HashMap<>();
    for (String code : Locale.getISOLanguages()) {
      String iso3;
      try {
        iso3 = LanguageCodes.toIso3(code);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (LanguageCodes.SUPPORTED.contains(iso3)) {
        String name = Locale.forLanguageTag(code).getDisplayLanguage(Locale.ENGLISH).toLowerCase(Locale.ROOT);
        // one word names only ("norwegian bokmål" is written "norwegian"), and the first code wins
        if (name.matches("\\p{L}+")) {
          out.putIfAbsent(name, code);
        }
      }
    }
    out.putIfAbsent("norwegian", "no");
    out.putIfAbsent("mandarin", "zh");
    out.putIfAbsent("farsi", "fa");
    return Map.copyOf(out);
  }
}
