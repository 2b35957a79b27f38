package dev.seedforge.pipeline;

import dev.seedforge.config.InvalidInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A run's hold on its output folder, from before the first paid call to the end: one run per
 * folder at a time (an OS file lock on {@code .seedforge/lock}, which the OS releases when the
 * process dies, so a killed run's lock is never stale), a check that the folder can be written,
 * the removal of temp files left by an interrupted run, and, if this run is interrupted, a
 * shutdown hook that removes its temp files and says that the cache keeps what was paid for.
 */
public final class RunFolder implements AutoCloseable {
  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;
  private final Thread hook;
  private volatile boolean closed;

  private RunFolder(Path dir, FileChannel channel, FileLock lock, Thread hook) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
    this.hook = hook;
  }

  /**
   * Takes the folder for a run, or fails with exit 2 naming the run that holds it. {@code
   * interrupted} is printed (to stderr) if the JVM stops before {@link #close}.
   */
  public static RunFolder claim(Path dir, String command, Supplier<String> interrupted) {
    Path control = dir.resolve(".seedforge");
    try {
      Files.createDirectories(control);
      probeWritable(dir);
    } catch (AccessDeniedException e) {
      throw notWritable(dir, e);
    } catch (IOException e) {
      throw notWritable(dir, e);
    }
    Path lockFile = control.resolve("lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = Files.readString(lockFile, StandardCharsets.UTF_8).strip();
        channel.close();
        throw new InvalidInputException(dir + ": another run is using this output folder (" + (holder.isEmpty() ? "unknown" : holder)
            + "); wait for it to finish, or give this run another --out");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", started " + Instant.now() + ": " + command + "\n")
          .getBytes(StandardCharsets.UTF_8)));
      channel.force(false);
      removeTempFiles(dir);
      RunFolder[] self = new RunFolder[1];
      Thread hook = new Thread(() -> self[0].onShutdown(interrupted), "seedforge-interrupted");
      self[0] = new RunFolder(dir, channel, lock, hook);
      Runtime.getRuntime().addShutdownHook(hook);
      return self[0];
    } catch (IOException e) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // the original error says more
      }
      throw new UncheckedIOException("cannot lock the output folder " + dir + ": " + e.getMessage(), e);
    }
  }

  private static InvalidInputException notWritable(Path dir, IOException e) {
    return new InvalidInputException(dir + ": the output folder cannot be written (" + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); fix its permissions or choose another with --out or output.dir");
  }

  /** Creates and deletes a file, so a folder that cannot be written is found before any call is paid for. */
  static void probeWritable(Path dir) throws IOException {
    Path probe = dir.resolve(".seedforge-write-probe-" + ProcessHandle.current().pid() + ".tmp");
    Files.writeString(probe, "probe", StandardOpenOption.CREATE_NEW);
    Files.delete(probe);
  }

  /** Deletes the temp files ({@code .NAME....tmp}) that writing leaves until a file is whole, in the folder and its format folders. */
  static int removeTempFiles(Path dir) throws IOException {
    List<Path> temps = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir, 2)) {
      files.filter(Files::isRegularFile)
          .filter(p -> !p.startsWith(dir.resolve(".seedforge")))
          .filter(p -> {
            String n = p.getFileName().toString();
            return n.startsWith(".") && n.endsWith(".tmp");
          })
          .forEach(temps::add);
    }
    for (Path p : temps) {
      Files.deleteIfExists(p);
    }
    return temps.size();
  }

  private void onShutdown(Supplier<String> interrupted) {
    if (closed) {
      return;
    }
    int removed;
    try {
      removed = removeTempFiles(dir);
    } catch (IOException | UncheckedIOException e) {
      removed = -1;
    }
    PrintStream err = System.err;
    err.println();
    err.println("seedforge: interrupted: " + interrupted.get() + (removed > 0 ? " (" + removed + " unfinished temp files removed)" : ""));
    err.flush();
  }

  /** Releases the folder: the run ended (whatever its status). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs and sees closed
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock of " + dir + ": " + e.getMessage(), e);
    }
  }
}
