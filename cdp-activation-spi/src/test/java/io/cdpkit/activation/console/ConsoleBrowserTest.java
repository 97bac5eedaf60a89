package io.cdpkit.activation.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.http.TrackingEndpoint;
import io.cdpkit.core.http.TrackingServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The console end to end in Debian's headless Chromium ({@code src/test/console/console.mjs},
 * playwright-core installed there by {@code npm ci}), served beside the tracking endpoint on one
 * {@link TrackingServer}: refused without credentials, a search by e-mail, the customer-360 page
 * with everything it must show, a hostile trait shown as text, the segment chart; screenshots in
 * {@code target/console-screenshots/}. A missing Node.js, playwright-core or Chromium skips the
 * test, except under {@code CI=true}, where it fails it.
 */
class ConsoleBrowserTest {
  static final long TIMEOUT_SECONDS = 180;
  ConsoleFixture fixture;

  @BeforeEach
  void browser() {
    requireBrowser();
    fixture = new ConsoleFixture();
    fixture.jobs();
  }

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @DisplayName("login, search by e-mail, the 360 page and the segment chart in Chromium; no"
      + " identifier in any URL, a hostile trait is text, screenshots kept")
  void customer360() throws IOException {
    Console console = fixture.console().build();
    TrackingEndpoint endpoint = TrackingEndpoint.builder(fixture.cdp)
        .writeKey("console-test-write-key", ConsoleFixture.SHOP).build();
    Path shots = Path.of("target", "console-screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    Files.deleteIfExists(shots.resolve("customer-360.png"));
    Files.deleteIfExists(shots.resolve("segment-chart.png"));
    JsonNode out;
    try (TrackingServer server = TrackingServer.builder(endpoint)
        .address(new InetSocketAddress("127.0.0.1", 0))
        .mount(console.pathPrefix(), console.httpHandler()).start()) {
      String url = server.baseUri() + console.pathPrefix() + "/";
      Run run = node(List.of("console.mjs", url, ConsoleFixture.USER, ConsoleFixture.PASSWORD,
          ConsoleFixture.JANE_EMAIL, shots.toString()));
      assertThat(run.exitCode()).as("%s", run).isZero();
      String last = run.stdout().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("no result line\n" + run));
      out = new ObjectMapper().readTree(last);
    }
    JsonNode checks = out.get("checks");
    assertThat(checks.get("withoutCredential").asInt()).isEqualTo(401);
    assertThat(checks.get("status").asInt()).isEqualTo(200);
    JsonNode headers = checks.get("headers");
    assertThat(headers.get("content-security-policy").asText())
        .contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline");
    assertThat(headers.get("x-frame-options").asText()).isEqualTo("DENY");
    assertThat(checks.get("hostileShownAsText").asBoolean()).isTrue();
    assertThat(checks.get("pwned").isNull()).isTrue();
    assertThat(checks.get("profileHash").asText()).isEqualTo("#/profile/" + fixture.jane.value());
    assertThat(checks.get("entryBars").asInt()).isGreaterThan(10);
    assertThat(checks.get("exitBars").asInt()).isGreaterThan(3);
    assertThat(checks.get("sizes").asText()).contains("gold", "buyers");
    assertThat(checks.get("jobs").asText()).contains("duplicate detection", "120 of 400",
        "running", "evaluate gold", "finished");
    // No URL the page loaded or navigated to carries an identifier or a trait.
    List<String> urls = new ArrayList<>();
    out.get("urls").forEach(u -> urls.add(u.asText()));
    assertThat(urls).anyMatch(u -> u.startsWith("POST ") && u.endsWith("/api/search"));
    for (String secret : List.of(ConsoleFixture.JANE_EMAIL, "jane.doe", "%40example",
        URLEncoder.encode(ConsoleFixture.JANE_EMAIL, StandardCharsets.UTF_8), "612345678",
        "C-1001", "ck-7f3a", "Jane")) {
      assertThat(urls).as("URLs the console produced").noneMatch(u -> u.contains(secret));
    }
    assertThat(shots.resolve("customer-360.png")).isNotEmptyFile();
    assertThat(shots.resolve("segment-chart.png")).isNotEmptyFile();
  }

  // ------------------------------------------------------------------ running node

  record Run(String command, int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return command + " exited " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  static Path dir() {
    for (Path p : List.of(Path.of("src", "test", "console"),
        Path.of("cdp-activation-spi", "src", "test", "console"))) {
      if (Files.isRegularFile(p.resolve("package.json"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("src/test/console/package.json not found from "
        + Path.of("").toAbsolutePath());
  }

  static Path chromium() {
    String env = System.getenv("CHROMIUM");
    return Path.of(env == null || env.isBlank() ? "/usr/bin/chromium" : env);
  }

  /** Skips (or under CI fails) unless Node.js, playwright-core and Chromium are there. */
  static void requireBrowser() {
    boolean node;
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      node = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      node = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while looking for node", e);
    }
    if (!node) {
      missing("Node.js (node) is not on the PATH");
    }
    if (!Files.isRegularFile(dir().resolve("node_modules/playwright-core/package.json"))) {
      missing("npm package playwright-core is not installed in " + dir() + " (run npm ci there)");
    }
    if (!Files.isExecutable(chromium())) {
      missing("Chromium not found at " + chromium()
          + " (apt-get install -y chromium, or set CHROMIUM)");
    }
  }

  private static void missing(String message) {
    if ("true".equals(System.getenv("CI"))) {
      fail(message + "; under CI=true a missing browser or package fails the test");
    }
    Assumptions.abort(message);
  }

  static Run node(List<String> args) {
    List<String> command = new ArrayList<>(List.of("node"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir().toFile());
    pb.environment().put("CHROMIUM", chromium().toString());
    String shown = String.join(" ", command.subList(0, 3));
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

  private static CompletableFuture<String> drain(InputStream in) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (in) {
        f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        f.complete("(unreadable: " + e + ")");
      }
    }, "console-test-output");
    t.setDaemon(true);
    t.start();
    return f;
  }
}
