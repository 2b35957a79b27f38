package dev.seedforge.cli;

import dev.seedforge.config.InvalidInputException;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.prompt.PackScaffold;
import dev.seedforge.seed.TaskType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seedforge init DOMAIN}: a new domain's pack and pipeline file, ready for estimate. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Scaffolds prompts/DOMAIN/ (pack.yaml with the labels found in the seeds and descriptions to fill in,",
      "the seeds, a template per default strategy) and pipelines/DOMAIN.yaml, and prints the next two",
      "commands. Never overwrites: an existing prompts/DOMAIN or pipelines/DOMAIN.yaml stops it.",
      "Exit codes: 0 ok, 2 bad input (unreadable seeds, a file that exists)."
    })
public final class InitCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain's name: names prompts/DOMAIN, pipelines/DOMAIN.yaml and the output folder")
  String domain;

  @Option(names = "--seeds", paramLabel = "FILE",
      description = "Seeds (JSONL or CSV: text and label, or instruction, input, output); copied into the pack. Without it, placeholder seeds are written to replace")
  Path seeds;

  @Option(names = "--task", paramLabel = "TASK",
      description = "classification or instruction (default: instruction when the seeds have an instruction column, else classification)")
  String task;

  @Option(names = "--dir", paramLabel = "ROOT", defaultValue = ".",
      description = "The project folder that holds prompts/ and pipelines/ (default: ${DEFAULT-VALUE})")
  Path root;

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = commandSpec.commandLine().getOut();
    TaskType type = null;
    if (task != null) {
      type = TaskType.parse(task);
      if (type == null || type == TaskType.CONVERSATION) {
        throw new InvalidInputException("--task: expected classification or instruction, got \"" + task + "\""
            + (type == null ? "" : "; init does not scaffold conversation packs yet: copy prompts/support-chat and pipelines/support-chat.yaml"));
      }
    }
    PackScaffold.Result r = PackScaffold.create(root, domain, seeds, type);
    out.printf("seedforge: wrote a %s pack with %d labels%s%n", r.task().wireName(), r.labels().size(),
        r.labels().isEmpty() ? "" : " (" + String.join(", ", r.labels()) + ")");
    for (Path f : r.files()) {
      out.println("  " + SpecLoader.display(f));
    }
    out.println("  fill in the pack's description, system_prompt and label descriptions"
        + (r.placeholderSeeds() ? ", and replace the placeholder seeds" : "") + "; then:");
    String pipeline = SpecLoader.display(r.pipeline());
    out.println("  ./seedforge estimate " + pipeline);
    out.println("  ./seedforge run " + pipeline);
    out.flush();
    return ExitCodes.OK;
  }
}
