package dev.seedforge.quality;

import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an instruction asks for, as far as the noise filters care: an answer in another language,
 * links, code, a table, a grid, a formula, a template or structured data. Read once per candidate from the
 * instruction by precompiled patterns ({@link CandidateText#asks}); a filter then judges the
 * output against what was asked (a requested table may be mostly pipes and digits, a requested
 * translation is not in the pack's language).
 *
 * @param asks the kinds of output asked for
 * @param language the ISO 639-1 code of the language the answer is asked in ("into French"), if
 *     the instruction names one
 */
public record InstructionAsks(Set<Ask> asks, Optional<String> language) {
  public static final InstructionAsks NONE = new InstructionAsks(Set.of(), Optional.empty());

  /** A kind of output an instruction asks for. */
  public enum Ask {
    /** A translation, or an answer in a named or another language. */
    OTHER_LANGUAGE("\\btranslat\\w*|\\b(?:languages|dialects?)\\b"),
    LINKS("\\b(?:links?|urls?|hyperlinks?|websites?|web ?pages?|web addresses|e-?mail address(?:es)?|sources?|references?|citations?)\\b"),
    CODE("\\b(?:code|coding|program|programs|programming|script|snippet|functions?|implement\\w*|python|java|javascript|typescript|sql|html|css|regex|regular expression|bash|shell|c\\+\\+|c#|rust|golang|api|algorithm|class|method|compile\\w*|debug\\w*|leetcode)\\b"),
    TABLE("\\b(?:tables?|tabular|spreadsheet|columns?|rows?|matrices)\\b"),
    GRID("\\b(?:grids?|sudoku|crossword|board|tic[- ]tac[- ]toe|chess|maze)\\b"),
    FORMULA("\\b(?:formulas?|formulae|equations?|calculat\\w*|comput\\w*|solve|solving|math\\w*|arithmetic|algebra\\w*|derivative|integral|sum|digits?|numbers?|numerical|statistics?)\\b"),
    /** A template, an e-mail or a letter, whose slots ("[Name]", "[Your Company]") stand for the people in it. */
    TEMPLATE("\\b(?:templates?|placeholders?|fill-in|fill in the blanks?|form letters?|mad ?libs?|e-?mails?|letters?)\\b"),
    /** A title, a name, verse or a short form that does not end in a full stop. */
    TITLE_OR_VERSE("\\b(?:titles?|headlines?|slogans?|taglines?|names?|lyrics|poems?|poetry|haikus?|limericks?|verses?|songs?|subject lines?)\\b"),
    STRUCTURED_DATA("\\b(?:json|xml|yaml|csv|markdown|latex|structured|key-value|schema|format(?:ted)? as|sort|sorted|sorting)\\b");

    private final Pattern pattern;

    Ask(String regex) {
      this.pattern = Pattern.compile(regex);
    }
  }

  /** Asks under which the output may be built mostly of symbols, digits or repeated cells. */
  public static final Set<Ask> STRUCTURE = Collections.unmodifiableSet(EnumSet.of(Ask.CODE, Ask.TABLE, Ask.GRID, Ask.FORMULA, Ask.STRUCTURED_DATA));

  /** English names of the languages the detector knows, to their ISO 639-1 codes. */
  private static final Map<String, String> LANGUAGE_NAMES = languageNames();
  private static final Pattern NAMED_LANGUAGE = Pattern.compile(
      "\\b(?:in|into|to|from)\\s+(?:the\\s+|a\\s+|an\\s+|any\\s+)?(?:(?:original|plain|simple|modern|formal|informal|standard|brazilian|mexican|canadian|american|british)\\s+)?(" + String.join("|", LANGUAGE_NAMES.keySet()) + ")\\b");
  private static final Pattern TRANSLATE = Pattern.compile("\\btranslat\\w*");
  private static final Pattern FROM_LANGUAGE = Pattern.compile("\\bfrom\\s+(?:the\\s+)?(" + String.join("|", LANGUAGE_NAMES.keySet()) + ")\\b");

  public InstructionAsks {
    asks = asks.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(asks));
  }

  /** What {@code instruction} asks for; {@link #NONE} for a blank one. */
  public static InstructionAsks of(String instruction) {
    if (instruction == null || instruction.isBlank()) {
      return NONE;
    }
    String t = instruction.toLowerCase(Locale.ROOT);
    EnumSet<Ask> found = EnumSet.noneOf(Ask.class);
    for (Ask a : Ask.values()) {
      if (a.pattern.matcher(t).find()) {
        found.add(a);
      }
    }
    Optional<String> language = targetLanguage(t);
    if (language.isPresent()) {
      found.add(Ask.OTHER_LANGUAGE);
    }
    return found.isEmpty() ? NONE : new InstructionAsks(found, language);
  }

  /**
   * The language the answer is asked in: the last one named after "in", "into" or "to" ("translate
   * from German into French" asks for French); "from X" alone names the source, not the answer.
   */
  private static Optional<String> targetLanguage(String t) {
    Matcher m = NAMED_LANGUAGE.matcher(t);
    String last = null;
    while (m.find()) {
      if (!m.group().startsWith("from")) {
        last = m.group(1);
      }
    }
    if (last == null && TRANSLATE.matcher(t).find() && FROM_LANGUAGE.matcher(t).find()) {
      // "translate from Spanish" without a target: the answer's language is not named
      return Optional.empty();
    }
    return Optional.ofNullable(last).map(LANGUAGE_NAMES::get);
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
