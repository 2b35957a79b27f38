package dev.seedforge.quality;

import dev.seedforge.generate.Candidate;
import dev.seedforge.quality.InstructionAsks.Ask;
import dev.seedforge.seed.TaskType;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Character-level noise, one measure per instance (its {@link Kind} names the filter):
 *
 * <ul>
 *   <li>{@code mean_word_length}: mean length of the alphabetic words; rejected outside
 *       [{@code min}, {@code max}] (keyboard mash, hashes and glued words are long; spelled-out
 *       letters are short). Judged from {@link #MIN_WORDS} words.
 *   <li>{@code symbol_ratio}: share of the non-space characters that are neither letters nor
 *       digits (emoji strings, ASCII art, markup debris).
 *   <li>{@code digit_ratio}: share of the non-space characters that are digits (tables of numbers,
 *       ids without words).
 *   <li>{@code url_ratio}: share of the non-space characters inside URLs or e-mail addresses.
 * </ul>
 *
 * For an instruction that asks for output made of such characters ({@link InstructionAsks}) the
 * maximum is raised to {@link Kind#relaxedMax}: code, tables, grids, formulas and structured data
 * may be half symbols and digits, a requested list of links mostly URLs, and a translation into
 * a language without spaces is one long "word".
 *
 * <p>Score: the measure; threshold: the bound crossed.
 */
public final class TextStatsFilter implements Filter {
  private static final long serialVersionUID = 1L;
  public static final int MIN_WORDS = 3;
  private static final Pattern WORD = Pattern.compile("\\p{L}+");
  private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?://|www\\.)\\S+|\\b[\\w.+-]+@[\\w-]+\\.[\\w.]+");

  public enum Kind {
    MEAN_WORD_LENGTH(Double.POSITIVE_INFINITY, EnumSet.of(Ask.OTHER_LANGUAGE, Ask.CODE, Ask.LINKS, Ask.STRUCTURED_DATA)),
    SYMBOL_RATIO(0.6, EnumSet.of(Ask.CODE, Ask.TABLE, Ask.GRID, Ask.FORMULA, Ask.STRUCTURED_DATA, Ask.LINKS)),
    DIGIT_RATIO(0.9, EnumSet.of(Ask.CODE, Ask.TABLE, Ask.GRID, Ask.FORMULA, Ask.STRUCTURED_DATA)),
    URL_RATIO(1.0, EnumSet.of(Ask.LINKS, Ask.CODE));

    private final double relaxedMax;
    private final Set<Ask> relaxedBy;

    Kind(double relaxedMax, Set<Ask> relaxedBy) {
      this.relaxedMax = relaxedMax;
      this.relaxedBy = relaxedBy;
    }

    public String filterName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The maximum when the instruction asks for one of {@link #relaxedBy()}. */
    public double relaxedMax() {
      return relaxedMax;
    }

    /** The asks that raise the maximum to {@link #relaxedMax()}. */
    public Set<Ask> relaxedBy() {
      return relaxedBy;
    }
  }

  private final Kind kind;
  private final double min;
  private final double max;
  private final TaskType task;

  public TextStatsFilter(Kind kind, double min, double max, TaskType task) {
    if (min > max) {
      throw new IllegalArgumentException(kind.filterName() + ": min > max");
    }
    this.kind = kind;
    this.min = min;
    this.max = max;
    this.task = task;
  }

  @Override
  public String name() {
    return kind.filterName();
  }

  @Override
  public Verdict check(Candidate candidate) {
    return check(new CandidateText(candidate, task));
  }

  @Override
  public Verdict check(CandidateText text) {
    InstructionAsks asks = text.asks();
    if (asks.any(kind.relaxedBy) && kind.relaxedMax > max) {
      return judge(text.text(), kind.relaxedMax, asks);
    }
    return judge(text.text());
  }

  /** The measure on a text, or NaN when the text is too short to judge. */
  public double measure(String text) {
    return switch (kind) {
      case MEAN_WORD_LENGTH -> meanWordLength(text);
      case SYMBOL_RATIO -> ratio(text, c -> !Character.isLetterOrDigit(c));
      case DIGIT_RATIO -> ratio(text, Character::isDigit);
      case URL_RATIO -> urlRatio(text);
    };
  }

  public Verdict judge(String text) {
    return judge(text, max, InstructionAsks.NONE);
  }

  private Verdict judge(String text, double max, InstructionAsks asks) {
    double m = measure(text);
    if (Double.isNaN(m)) {
      return Verdict.KEEP;
    }
    String what = kind.filterName().replace('_', ' ');
    if (m > max) {
      String why = asks.asks().isEmpty() ? "" : String.format(Locale.ROOT, " (raised from %.2f: the instruction asks for %s)",
          this.max, String.join(", ", asks.names()));
      return Verdict.reject(String.format(Locale.ROOT, "%s %.2f above the maximum %.2f%s", what, m, max, why), m, max);
    }
    if (m < min) {
      return Verdict.reject(String.format(Locale.ROOT, "%s %.2f below the minimum %.2f", what, m, min), m, min);
    }
    return Verdict.KEEP;
  }

  static double meanWordLength(String text) {
    Matcher m = WORD.matcher(text);
    int words = 0;
    int chars = 0;
    while (m.find()) {
      words++;
      chars += m.end() - m.start();
    }
    return words < MIN_WORDS ? Double.NaN : (double) chars / words;
  }

  private interface CharTest {
    boolean test(int c);
  }

  static double ratio(String text, CharTest t) {
    int total = 0;
    int hits = 0;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (Character.isWhitespace(c)) {
        continue;
      }
      total++;
      if (t.test(c)) {
        hits++;
      }
    }
    return total < 8 ? Double.NaN : (double) hits / total;
  }

  static double urlRatio(String text) {
    int total = nonSpace(text);
    if (total < 8) {
      return Double.NaN;
    }
    // every match of URL holds "://", "www." or "@": most texts hold none and skip the regex
    if (text.indexOf('@') < 0 && text.indexOf("://") < 0 && !containsWww(text)) {
      return 0.0;
    }
    return urlShare(text, total);
  }

  /** The share by the regex alone, without the shortcut (for its test). */
  static double urlRatioByRegex(String text) {
    int total = nonSpace(text);
    return total < 8 ? Double.NaN : urlShare(text, total);
  }

  private static int nonSpace(String text) {
    int total = 0;
    for (int i = 0; i < text.length(); i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        total++;
      }
    }
    return total;
  }

  private static double urlShare(String text, int total) {
    int inUrls = 0;
    Matcher m = URL.matcher(text);
    while (m.find()) {
      inUrls += m.end() - m.start();
    }
    return (double) inUrls / total;
  }

  private static boolean containsWww(String text) {
    for (int i = text.indexOf('.'); i >= 0; i = text.indexOf('.', i + 1)) {
      if (i >= 3 && text.regionMatches(true, i - 3, "www", 0, 3)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return name() + "[" + min + ".." + max + "]";
  }
}
