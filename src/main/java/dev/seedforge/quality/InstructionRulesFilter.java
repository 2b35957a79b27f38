package dev.seedforge.quality;

import dev.seedforge.dedup.TextNormalizer;
import dev.seedforge.generate.Candidate;
import dev.seedforge.seed.TaskType;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Self-Instruct filtering rules for instruction data (Wang et al. 2023, §2.3), and the typical
 * failures of a weak base model's answers:
 *
 * <ul>
 *   <li>an instruction of fewer than {@code minWords} or more than {@code maxWords} words;
 *   <li>an instruction that needs a non-text modality a language model cannot use (image, graph,
 *       picture, file, map, draw, plot, go to), where the word is used that way: "the plot of the
 *       movie", "draw a conclusion", "draw the board" (a grid or a table) and "files" in a request for
 *       code ask for text;
 *   <li>an output that only repeats the input, or echoes the instruction;
 *   <li>an output that runs on into the next prompt block ("Instruction:", "### Response", or an
 *       "Input:" line followed by an "Output:" line when no code was asked for);
 *   <li>an output with no letter or digit, or only a label ("Output:").
 * </ul>
 *
 * Filter name {@code instruction_rules}; score: the word count, 1 for the other rules.
 */
public final class InstructionRulesFilter implements Filter {
  public static final String NAME = "instruction_rules";
  private static final long serialVersionUID = 1L;
  public static final List<String> MODALITY_WORDS =
      List.of("image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps", "draw", "plot", "go to");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern MODALITY =
      Pattern.compile("\\b(?:" + String.join("|", MODALITY_WORDS) + ")\\b", Pattern.CASE_INSENSITIVE);
  /** Uses of the modality words that ask for text: the plot of a story, drawing a conclusion, a map of ideas. */
  private static final Pattern TEXT_SENSE = Pattern.compile(
      "\\b(?:the|a|an|its|his|her|their|this|that|whose|main|whole|entire|basic|central|movie's|film's|story's|book's|novel's|show's|game's)\\s+plot\\b"
          + "|\\bplot\\s+(?:of|summary|summaries|twists?|lines?|points?|holes?|synopsis|outline|devices?|structure)\\b"
          + "|\\bdraw\\s+(?:a\\s+|an\\s+|the\\s+|any\\s+|some\\s+|your\\s+|up\\s+)?(?:conclusions?|inferences?|comparisons?|parallels?|attention|lessons?|distinctions?|upon|on|from|up)\\b"
          + "|\\bfile\\s+(?:a|an|your)\\s+(?:complaint|claim|report|return|lawsuit|appeal|petition)\\b",
      Pattern.CASE_INSENSITIVE);
  /** A line that starts another prompt block: a weak base model does not stop after its answer. */
  private static final Pattern NEXT_BLOCK = Pattern.compile(
      "(?im)^\\s*(?:#{1,4}\\s*)?(?:instruction|task(?:\\s*#?\\d+)?)\\s*:|^\\s*#{1,4}\\s*(?:instruction|input|output|response)\\b");
  private static final Pattern INPUT_LINE = Pattern.compile("(?im)^\\s*input\\s*:");
  private static final Pattern OUTPUT_LINE = Pattern.compile("(?im)^\\s*output\\s*:");
  private static final Pattern LABEL_ONLY = Pattern.compile("(?i)\\s*(?:output|answer|response|solution|result|a)\\s*[:.-]?\\s*");

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
    return check(new CandidateText(c, TaskType.INSTRUCTION));
  }

  @Override
  public Verdict check(CandidateText text) {
    Candidate c = text.candidate();
    String instruction = c.field("instruction").strip();
    int words = instruction.isEmpty() ? 0 : SPACES.split(instruction).length;
    if (words < minWords) {
      return Verdict.reject("instruction of " + words + " words, fewer than " + minWords, (double) words, (double) minWords);
    }
    if (words > maxWords) {
      return Verdict.reject("instruction of " + words + " words, more than " + maxWords, (double) words, (double) maxWords);
    }
    Matcher m = MODALITY.matcher(TEXT_SENSE.matcher(instruction).replaceAll(" "));
    while (m.find()) {
      String word = m.group().toLowerCase(Locale.ROOT);
      if (!textSense(word, text.asks())) {
        return Verdict.reject("asks for a non-text modality (\"" + word + "\")", 1.0, 1.0);
      }
    }
    return judgeOutput(text, instruction);
  }

  /** Files are text when code is asked for ("count the lines of all Java files"); a drawn board or table is text. */
  private static boolean textSense(String word, InstructionAsks asks) {
    return switch (word) {
      case "file", "files" -> asks.has(InstructionAsks.Ask.CODE);
      case "draw" -> asks.has(InstructionAsks.Ask.GRID) || asks.has(InstructionAsks.Ask.TABLE);
      default -> false;
    };
  }

  private static Verdict judgeOutput(CandidateText text, String instruction) {
    String rawOutput = text.output();
    String output = text.normalizedOutput();
    String input = TextNormalizer.normalize(text.candidate().field("input"));
    if (!input.isEmpty() && input.equals(output)) {
      return Verdict.reject("the output repeats the input", 1.0, 1.0);
    }
    if (output.isEmpty() || LABEL_ONLY.matcher(rawOutput).matches()) {
      return Verdict.reject("no answer: the output has no words or numbers", 1.0, 1.0);
    }
    String asked = TextNormalizer.normalize(instruction);
    if (output.startsWith(asked)) {
      return Verdict.reject("the output echoes the instruction", 1.0, 1.0);
    }
    Matcher block = NEXT_BLOCK.matcher(rawOutput);
    if (block.find()) {
      return Verdict.reject("the output runs on into another prompt block (\"" + block.group().strip() + "\")", 1.0, 1.0);
    }
    Matcher in = INPUT_LINE.matcher(rawOutput);
    if (in.find() && OUTPUT_LINE.matcher(rawOutput).find(in.end()) && !text.asks().has(InstructionAsks.Ask.CODE)) {
      return Verdict.reject("the output runs on into another example (\"Input:\" … \"Output:\")", 1.0, 1.0);
    }
    return Verdict.KEEP;
  }

  @Override
  public String toString() {
    return NAME + "[" + minWords + ".." + maxWords + " words]";
  }
}
