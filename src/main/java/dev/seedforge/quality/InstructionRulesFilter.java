package dev.seedforge.quality;

import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Self-Instruct filtering rules for instruction data (Wang et al. 2023, §2.3): an instruction
 * of fewer than {@code minWords} or more than {@code maxWords} words; an instruction that needs a
 * non-text modality a language model cannot use (image, graph, picture, file, map, draw, plot,
 * go to); an output that only repeats the input. Filter name {@code instruction_rules}; score: the
 * word count, 1 for a modality word or an echoed input.
 */
public final class InstructionRulesFilter implements Filter {
  public static final String NAME = "instruction_rules";
  private static final long serialVersionUID = 1L;
  public static final List<String> MODALITY_WORDS =
      List.of("image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps", "draw", "plot", "go to");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern MODALITY =
      Pattern.compile("\\b(?:" + String.join("|", MODALITY_WORDS) + ")\\b", Pattern.CASE_INSENSITIVE);

  private final int minWords;
  private final int maxWords;

  public InstructionRulesFilter(int minWords, int maxWords) {
    this.minWords = minWords;
    this.maxWords = maxWords;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Verdict check(Candidate c) {
    String instruction = c.field("instruction").strip();
    int words = instruction.isEmpty() ? 0 : SPACES.split(instruction).length;
    if (words < minWords) {
      return Verdict.reject("instruction of " + words + " words, fewer than " + minWords, (double) words, (double) minWords);
    }
    if (words > maxWords) {
      return Verdict.reject("instruction of " + words + " words, more than " + maxWords, (double) words, (double) maxWords);
    }
    Matcher m = MODALITY.matcher(instruction);
    if (m.find()) {
      return Verdict.reject("asks for a non-text modality (\"" + m.group().toLowerCase(Locale.ROOT) + "\")", 1.0, 1.0);
    }
    String input = TextNormalizer.normalize(c.field("input"));
    if (!input.isEmpty() && input.equals(TextNormalizer.normalize(c.field("output")))) {
      return Verdict.reject("the output repeats the input", 1.0, 1.0);
    }
    return Verdict.KEEP;
  }

  @Override
  public String toString() {
    return NAME + "[" + minWords + ".." + maxWords + " words]";
  }
}
