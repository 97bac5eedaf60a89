package io.cdpkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code console}: the customer-360 console served on a store the tool imported into. */
class ConsoleCommandTest {
  static final Pattern URL = Pattern.compile("console at (http://\\S+) \\(user ops\\)");

  @TempDir Path dir;

  /** A writer other threads may read while the command runs. */
  static final class Shared extends StringWriter {
    @Override
    public synchronized String toString() {
      return super.toString();
    }

    @Override
    public synchronized void write(String str, int off, int len) {
      super.write(str, off, len);
    }
  }

  static CdpCliTest.Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CdpCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new CdpCliTest.Run(code, out.toString(), err.toString());
  }

  @Test
  @DisplayName("console serves the imported store behind Basic auth, finds a person by e-mail"
      + " without the e-mail in any URL, and stops after --for")
  void servesTheStore() throws Exception {
    String db = dir.resolve("db").toString();
    Path csv = dir.resolve("o.csv");
    Files.writeString(csv, MappingTest.HEADER + "A,s,1,1.00,2026-03-01 10:00,ann@x.nl,\n",
        StandardCharsets.UTF_8);
    Path mapping = dir.resolve("orders.json");
    Files.writeString(mapping, MappingTest.ORDERS, StandardCharsets.UTF_8);
    assertThat(run("import", csv.toString(), "--mapping", mapping.toString(), "--db", db).code())
        .isZero();
    Path password = dir.resolve("password");
    Files.writeString(password, "correct horse battery\n", StandardCharsets.UTF_8);

    Shared out = new Shared();
    Shared err = new Shared();
    Env env = new Env(new PrintWriter(out, true), new PrintWriter(err, true), Clock.systemUTC(),
        false, Duration.ofSeconds(10), null);
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> CdpCli.run(env,
        "console", "--db", db, "--port", "0", "--password-file", password.toString(),
        "--for", "PT8S"));
    String base = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (base == null && System.nanoTime() < deadline && !code.isDone()) {
      Matcher m = URL.matcher(out.toString());
      if (m.find()) {
        base = m.group(1);
      } else {
        Thread.sleep(20);
      }
    }
    assertThat(base).as("the console's address; err: %s", err).isNotNull();

    HttpClient http = HttpClient.newHttpClient();
    String auth = "Basic " + Base64.getEncoder().encodeToString(
        "ops:correct horse battery".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base
        + "api/workspaces")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(401);
    HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base
        + "api/workspaces")).header("Authorization", "Basic " + Base64.getEncoder()
        .encodeToString("ops:guess".getBytes(StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(base
        + "api/search")).header("Authorization", auth).header("Content-Type",
        "application/json").POST(HttpRequest.BodyPublishers.ofString(
        "{\"workspace\":\"default\",\"type\":\"email\",\"value\":\"ann@x.nl\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    assertThat(found.body()).contains("\"profiles\"").contains("\"matchedType\":\"email\"");
    assertThat(found.uri().toString()).doesNotContain("ann");

    assertThat(code.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
    assertThat(err.toString()).contains("console stopped")
        .doesNotContain("correct horse battery");
    // the store is free again for the next command
    assertThat(run("export", "email:ann@x.nl", "--db", db).code()).isZero();
  }

  @Test
  @DisplayName("bad options are usage errors naming the option")
  void badOptions() throws Exception {
    String db = dir.resolve("db").toString();
    CdpCliTest.Run port = run("console", "--db", db, "--port", "70000");
    assertThat(port.code()).isEqualTo(CdpCli.USAGE);
    assertThat(port.err()).contains("--port");
    CdpCliTest.Run time = run("console", "--db", db, "--for", "PT0S");
    assertThat(time.code()).isEqualTo(CdpCli.USAGE);
    assertThat(time.err()).contains("--for");
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n", StandardCharsets.UTF_8);
    CdpCliTest.Run pw = run("console", "--db", db, "--password-file", empty.toString());
    assertThat(pw.code()).isEqualTo(CdpCli.USAGE);
    assertThat(pw.err()).contains("--password-file").contains("empty");
  }
}
