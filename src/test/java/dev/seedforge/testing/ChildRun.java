package dev.seedforge.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code seedforge run} in a JVM of its own, for tests that kill a run (SIGKILL, SIGTERM) or hold
 * its folder from another process: the test's classpath, its output and errors in {@code log}.
 */
public final class ChildRun {
  private ChildRun() {}

  public static Process start(Path pipeline, Path log, Map<String, String> env, String... more) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(
        List.of(javaBin, "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.seedforge.cli.Main", "run", pipeline.toString()));
    command.addAll(List.of(more));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  public static Process start(Path pipeline, Path log) throws IOException {
    return start(pipeline, log, Map.of());
  }
}
