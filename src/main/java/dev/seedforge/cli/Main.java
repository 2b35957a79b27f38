package dev.seedforge.cli;

import dev.seedforge.report.Version;
import dev.seedforge.util.Secrets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code seedforge run|…}: the command line. */
@Command(
    name = "seedforge",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Turns a handful of seed examples into a large, clean, balanced fine-tuning dataset.",
    subcommands = {
      RunCommand.class, EstimateCommand.class, CompareCommand.class, CurateCommand.class, ValidateCommand.class, ReportCommand.class,
      InitCommand.class, CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    dev.seedforge.util.Timings.mainStarted();
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given streams (tests read what a user would see). */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("seedforge: " + ex.getMessage());
          ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return ExitCodes.BAD_INPUT;
        });
    // One place maps what a command throws to what the user sees and the exit code.
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parsed) -> {
          java.io.PrintWriter e = commandLine.getErr();
          if (ex instanceof dev.seedforge.config.InvalidInputException bad) {
            bad.problems().forEach(p -> e.println("seedforge: " + Secrets.redact(p)));
            return ExitCodes.BAD_INPUT;
          }
          if (ex instanceof dev.seedforge.generate.FatalCallException fatal) {
            e.println("seedforge: stopped: " + Secrets.redact(fatal.getMessage()));
            return ExitCodes.RUNTIME_FAILURE;
          }
          // any exception's text may quote a response that echoed the key
          e.println("seedforge: " + commandLine.getCommandName() + " failed: " + Secrets.redact(RunCommand.rootMessage(ex)));
          return ExitCodes.RUNTIME_FAILURE;
        });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"seedforge " + Version.get() + " (Apache Beam 2.62.0, LangChain4j 1.19.0, OpenNLP 2.5.4)"};
    }
  }
}
