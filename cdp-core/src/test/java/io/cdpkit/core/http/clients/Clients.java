package io.cdpkit.core.http.clients;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the unmodified JavaScript tracking SDKs of {@code src/test/clients} (installed there by
 * {@code npm ci}) as subprocesses. A missing Node.js, {@code node_modules} or Chromium skips the
 * calling test, except under {@code CI=true}, where it fails it.
 */
final class Clients {
  /** How long one client run may take before it is killed and the test fails. */
  static final long TIMEOUT_SECONDS = 180;

  private Clients() {}

  /** What a client run printed and how it ended. */
  record Run(String command, int exitCode, String stdout, String stderr) {
    /** Every JSON line the client printed to stdout. */
    List<String> lines() {
      return stdout.lines().filter(l -> l.startsWith("{")).toList();
    }

    @Override
    public String toString() {
      return command + " exited " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** The folder holding package.json, the driver scripts and node_modules. */
  static Path dir() {
    for (Path p : List.of(Path.of("src", "test", "clients"),
        Path.of("cdp-core", "src", "test", "clients"))) {
      if (Files.isRegularFile(p.resolve("package.json"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("src/test/clients/package.json not found from "
        + Path.of("").toAbsolutePath());
  }

  /** Skips (or under CI fails) unless Node.js and the installed Node SDKs are there. */
  static void requireNodeSdks() {
    requireNode();
    requireModules("@segment/analytics-node", "@rudderstack/rudder-sdk-node");
  }

  /**
   * Skips (or under CI fails) unless Node.js, analytics-next, playwright-core and a Chromium
   * ({@code CHROMIUM} or {@code /usr/bin/chromium}) are there.
   */
  static void requireBrowser() {
    requireNode();
    requireModules("@segment/analytics-next", "playwright-core");
    Path chromium = chromium();
    if (!Files.isExecutable(chromium)) {
      missing("Chromium not found at " + chromium
          + " (apt-get install -y chromium, or set CHROMIUM)");
    }
  }

  static Path chromium() {
    String env = System.getenv("CHROMIUM");
    return Path.of(env == null || env.isBlank() ? "/usr/bin/chromium" : env);
  }

  private static void requireNode() {
    String version = null;
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        version = null;
      }
    } catch (IOException e) {
      version = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while looking for node", e);
    }
    if (version == null) {
      missing("Node.js (node) is not on the PATH");
    }
  }

  private static void requireModules(String... modules) {
    Path dir = dir();
    for (String m : modules) {
      if (!Files.isRegularFile(dir.resolve("node_modules").resolve(m).resolve("package.json"))) {
        missing("npm package " + m + " is not installed in " + dir
            + " (run npm ci there)");
      }
    }
  }

  private static void missing(String message) {
    if ("true".equals(System.getenv("CI"))) {
      fail(message + "; under CI=true a missing client fails the test");
    }
    Assumptions.abort(message);
  }

  /**
   * Runs {@code node <script> <base> <writeKey> <scenario> <extra...>} in {@link #dir()} and
   * waits for it, killing it after {@link #TIMEOUT_SECONDS}.
   */
  static Run node(String script, URI base, String writeKey, String scenario, String... extra) {
    String url = base.toString().replaceAll("/+$", "");
    List<String> command = new ArrayList<>(List.of("node", script, url, writeKey, scenario));
    command.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir().toFile());
    pb.environment().put("CHROMIUM", chromium().toString());
    String shown = String.join(" ", command);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> out = drain(p.getInputStream());
      CompletableFuture<String> err = drain(p.getErrorStream());
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        fail(shown + " did not finish in " + TIMEOUT_SECONDS + " s\n--- stdout\n"
            + out.getNow("") + "--- stderr\n" + err.getNow(""));
      }
      return new Run(shown, p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + shown, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + shown, e);
    }
  }

  /** Reads a stream to its end on a thread of its own (the common pool may have one thread). */
  private static CompletableFuture<String> drain(InputStream in) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (in) {
        f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        f.complete("(unreadable: " + e + ")");
      }
    }, "client-output");
    t.setDaemon(true);
    t.start();
    return f;
  }
}
