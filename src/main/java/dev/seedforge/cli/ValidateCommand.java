package dev.seedforge.cli;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.format.ModelLimits;
import dev.seedforge.format.Validator;
import dev.seedforge.util.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seedforge validate FILE.jsonl}: checks a fine-tuning file before it is uploaded. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks a fine-tuning JSONL file: OpenAI cookbook format checks (chat), Azure OpenAI upload rules,",
      "legacy prompt/completion rules (separator, leading space, stop sequence), the model's per-example",
      "token limit; prints token statistics and the default epochs and cost of a fine-tuning job.",
      "Exit codes: 0 no errors (warnings allowed), 2 errors found or bad input."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "The file to check")
  Path file;

  @Option(names = "--format", paramLabel = "F",
      description = "chat (also openai-chat, trl-messages), prompt-completion, alpaca, sharegpt, trl-prompt-completion, openai-preference,"
          + " trl-preference (default: detected from the first record)")
  String format;

  @Option(names = "--base-model", paramLabel = "M", defaultValue = "gpt-4o-mini",
      description = "The base model to fine-tune: its per-example token limit, tokenizer and training price apply (default: ${DEFAULT-VALUE})")
  String baseModel;

  @Option(names = "--fix", paramLabel = "OUT", description = "Write a corrected copy to OUT and list every change with its line number")
  Path fix;

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = commandSpec.commandLine().getOut();
    PrintWriter err = commandSpec.commandLine().getErr();
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(file + ": no such file");
    }
    ModelLimits limits = ModelLimits.load();
    ModelLimits.Model m = limits.find(baseModel);
    Validator.Report r = Validator.validate(Files.readAllBytes(file), format, m);
    for (Validator.Issue i : r.issues()) {
      out.printf("%s%s: %s: %s: %s%n", file, i.line() > 0 ? ":" + i.line() : "", i.severity().name().toLowerCase(Locale.ROOT), i.code(), i.message());
    }
    long errors = r.issues().stream().filter(i -> i.severity() == Validator.Severity.ERROR).count();
    out.printf("%s: %s format, %d examples, %d errors, %d warnings%n", file, r.format(), r.examples(), errors, r.issues().size() - errors);
    Validator.TokenStats t = r.tokens();
    out.printf("tokens per example (%s, %s): min %d, median %d, p90 %d, max %d; limit %,d (table of %s)%n",
        m.name(), m.encoding(), t.min(), t.median(), t.p90(), t.max(), m.maxTokensPerExample(), limits.asOf());
    out.printf("billed tokens per epoch %,d; default epochs %d; about %,d training tokens, USD %.2f at %.2f per 1M%n",
        r.billingTokens(), r.epochs(), r.billingTokens() * r.epochs(), r.costUsd(), m.usdPerMillionTrainingTokens());
    if (fix != null) {
      AtomicFiles.writeString(fix, r.fixedLines().isEmpty() ? "" : String.join("\n", r.fixedLines()) + "\n");
      for (Validator.Change c : r.changes()) {
        out.printf("%s:%d: fixed: %s%n", file, c.line(), c.what());
      }
      out.printf("wrote %s: %d records, %d changes%n", fix, r.fixedLines().size(), r.changes().size());
    }
    out.flush();
    return errors > 0 ? ExitCodes.BAD_INPUT : ExitCodes.OK;
  }
}
