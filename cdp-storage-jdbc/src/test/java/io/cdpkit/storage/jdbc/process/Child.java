package io.cdpkit.storage.jdbc.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running child JVM on this test's classpath ({@link IngestChild} unless another main class
 * is given). Its stdout is read on a thread of its own: READY, the highest "ACK n" so far, and
 * DONE; stderr goes to a file for failures.
 */
final class Child implements AutoCloseable {
  private final Process process;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final AtomicInteger acked = new AtomicInteger();
  private volatile boolean done;
  private final Path log;

  Child(Path log, String... args) {
    this(IngestChild.class, log, args);
  }

  Child(Class<?> main, Path log, String... args) {
    this.log = log;
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    try {
      process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.equals("READY")) {
            ready.countDown();
          } else if (line.startsWith("ACK ")) {
            acked.set(Integer.parseInt(line.substring(4)));
          } else if (line.equals("DONE")) {
            done = true;
          }
        }
      } catch (IOException e) {
        // The child was killed: its pipe closes.
      }
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  void awaitReady() throws InterruptedException {
    if (!ready.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child not ready in 60 s; its stderr: " + log);
    }
  }

  void go() throws IOException {
    OutputStream in = process.getOutputStream();
    in.write("go\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** SIGKILL on Linux: no shutdown hooks, no finally blocks. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * The exit code of a child that ended: 137 (128 + 9) for one that {@link #kill()} ended with
   * SIGKILL on Linux.
   */
  int exitValue() {
    return process.exitValue();
  }

  /** Waits for a normal exit and returns its code. */
  int await(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("child did not finish in " + seconds + " s; stderr: " + log);
    }
    return process.exitValue();
  }

  /** Every event before this index was acknowledged (its ingest call returned). */
  int acked() {
    return acked.get();
  }

  boolean done() {
    return done;
  }

  String stderr() {
    try {
      return java.nio.file.Files.readString(log);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
