package dev.seedforge.cli;

import dev.seedforge.report.HtmlReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code seedforge report RUN_DIR}: rebuilds report.html from a run's files, without re-running. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuilds RUN_DIR/report.html from the files a run wrote (manifest.json, rejected.jsonl, the data",
      "files and the seeds of the pipeline file the manifest names), without running anything. The page",
      "is self-contained (charts inlined, no network) and opens from a file:// URL.",
      "Exit codes: 0 ok, 2 bad input (no manifest.json in RUN_DIR)."
    })
public final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory (output.dir of the pipeline file, or --out)")
  Path runDir;

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = commandSpec.commandLine().getOut();
    out.println("seedforge: wrote " + HtmlReport.write(runDir));
    out.flush();
    return ExitCodes.OK;
  }
}
