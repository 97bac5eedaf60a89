package io.cdpkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool's answers to bad input and its smaller paths, on small files. */
class CdpCliUsageTest {
  @TempDir Path dir;

  private CdpCliTest.Run cli(String... args) {
    return answering(null, args);
  }

  /** A run whose console answers with {@code answer}; no console when null. */
  private CdpCliTest.Run answering(@Nullable String answer, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Env env = new Env(new PrintWriter(out), new PrintWriter(err), Clock.systemUTC(), false,
        Duration.ofSeconds(10), answer == null ? null : new BufferedReader(new StringReader(
            answer)));
    int code = CdpCli.run(env, args);
    return new CdpCliTest.Run(code, out.toString(), err.toString());
  }

  private String db() {
    return dir.resolve("db").toString();
  }

  private Path file(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private Path orders() throws Exception {
    return file("orders.json", MappingTest.ORDERS);
  }

  @Test
  @DisplayName("usage errors exit 1 with a message, and open no store")
  void usage() throws Exception {
    assertThat(cli().code()).isEqualTo(CdpCli.USAGE);
    assertThat(cli().err()).contains("a command is required");
    CdpCliTest.Run unknown = cli("import", "x.csv", "--mapping", "uci", "--bogus");
    assertThat(unknown.code()).isEqualTo(CdpCli.USAGE);
    assertThat(unknown.err()).contains("Unknown option: '--bogus'").contains("import --help");
    assertThat(cli("import", "x.csv").err()).contains("Missing required option: '--mapping");

    CdpCliTest.Run missing = cli("import", dir.resolve("nope.csv").toString(), "--mapping",
        "uci", "--db", db());
    assertThat(missing.code()).isEqualTo(CdpCli.USAGE);
    assertThat(missing.err()).contains("FILE").contains("nope.csv not found");
    CdpCliTest.Run noMapping = cli("import", "x.csv", "--mapping", "nope.json", "--db", db());
    assertThat(noMapping.err()).contains("mapping file nope.json not found (or use --mapping uci");
    Path bad = file("bad.json", "{\"values\": {\"a\": \"a\"}, \"events\": [{\"event\": \"E\"}]}");
    assertThat(cli("import", "x.csv", "--mapping", bad.toString()).err())
        .contains("error: mapping /events/0/messageId: is required");
    Path csv = file("x.csv", "a,b\n1,2\n");
    CdpCliTest.Run header = cli("import", csv.toString(), "--mapping", "uci", "--db", db());
    assertThat(header.code()).isEqualTo(CdpCli.USAGE);
    assertThat(header.err()).contains("FILE has the header [a, b], but the mapping expects "
        + "[InvoiceNo,");
    Path m = file("m.json", """
        {"values": {"id": "id", "x": "x"},
         "events": [{"event": "E", "messageId": "m-{id}", "userId": "u{id}"}]}""");
    assertThat(cli("import", csv.toString(), "--mapping", m.toString(), "--db", db()).err())
        .contains("FILE has no column id, x (its header: [a, b])");
    assertThat(cli("import", csv.toString(), "--mapping", m.toString(), "--batch", "0").err())
        .contains("--batch must be between 1 and 10000");
    assertThat(cli("import", csv.toString(), "--mapping", m.toString(), "--format", "xml")
        .err()).contains("--format must be csv or jsonl");
    assertThat(Files.exists(dir.resolve("db"))).as("no store opened").isFalse();

    CdpCliTest.Run id = cli("export", "someone@x.com", "--db", db());
    assertThat(id.code()).isEqualTo(CdpCli.USAGE);
    assertThat(id.err()).contains("IDENTIFIER must be TYPE:VALUE").doesNotContain("someone");
    assertThat(cli("--help").out()).contains("import").contains("export").contains("erase")
        .contains("segments");
  }

  @Test
  @DisplayName("bad rows and rejected events are counted by reason, shown with their line, and "
      + "give exit code 2; the good events are stored")
  void problems() throws Exception {
    Path csv = file("o.csv", MappingTest.HEADER
        + "A,s,1,1.00,2026-03-01 10:00,a@x.nl,\n"
        + "B,s,x,1.00,2026-03-01 10:00,b@x.nl,\n"
        + "C,s,1,99999999999999.00,2026-03-01 10:00,c@x.nl,\n"
        + "D,s,1,1.00,2026-03-01 10:00,,\n"
        + "E,s,y,1.00,2026-03-01 10:00,e@x.nl,\n");
    CdpCliTest.Run r = cli("import", csv.toString(), "--mapping", orders().toString(),
        "--db", db(), "--max-errors", "2");
    assertThat(r.code()).isEqualTo(CdpCli.PROBLEMS);
    assertThat(r.counts()).containsEntry("rows read", 5L).containsEntry("no e-mail", 1L)
        .containsEntry("bad rows", 2L).containsEntry("qty is not a whole number", 2L)
        .containsEntry("groups rejected", 2L).containsEntry("events built", 4L)
        .containsEntry("events stored", 3L).containsEntry("events rejected", 1L);
    assertThat(r.out()).containsPattern("/properties/total .*: 1");
    assertThat(r.err()).contains("line 3: qty is not a whole number")
        .contains("... more problems are counted in the summary only (--max-errors)")
        .contains("line 6: qty is not a whole number").doesNotContain("event rejected")
        .doesNotContain("99999999999999");
    CdpCliTest.Run all = cli("import", csv.toString(), "--mapping", orders().toString(),
        "--db", db());
    assertThat(all.err()).contains("line 4: event rejected: /properties/total");
    assertThat(all.counts()).containsEntry("events duplicate", 3L)
        .containsEntry("events rejected", 1L);

    CdpCliTest.Run again = cli("import", csv.toString(), "--mapping", orders().toString(),
        "--db", db(), "--fail-fast");
    assertThat(again.code()).isEqualTo(CdpCli.PROBLEMS);
    assertThat(again.out()).contains("stopped at the first problem");
    assertThat(again.counts()).containsEntry("rows read", 2L).containsEntry("events stored", 0L);
  }

  @Test
  @DisplayName("JSON lines with --format, workspaces kept apart, erase asks first")
  void jsonlWorkspacesAndErase() throws Exception {
    Path jsonl = file("p.txt", """
        {"id": "1", "customer": {"email": "Ann@X.nl"}, "amount": 12.50}
        {"id": "2", "customer": {"email": "bob@x.nl"}, "amount": 3}
        """);
    Path m = file("p.json", MappingTest.JsonLines.MAP);
    CdpCliTest.Run r = cli("import", jsonl.toString(), "--mapping", m.toString(), "--format",
        "jsonl", "--db", db(), "-w", "shop");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.counts()).containsEntry("events stored", 2L).containsEntry("Paid", 2L);
    assertThat(r.out()).contains("into workspace shop");

    assertThat(cli("export", "email:ann@x.nl", "--db", db()).code())
        .as("another workspace sees nobody").isEqualTo(CdpCli.NOT_FOUND);
    CdpCliTest.Run ann = cli("export", "email:ann@x.nl", "--db", db(), "-w", "shop");
    assertThat(ann.code()).isZero();
    assertThat(ann.out()).contains("\"p-1\"").doesNotContain("p-2");

    CdpCliTest.Run no = answering("no\n", "erase", "email:ann@x.nl", "--db", db(), "-w", "shop");
    assertThat(no.code()).isEqualTo(CdpCli.USAGE);
    assertThat(no.err()).contains("Type yes:").contains("not erased");
    assertThat(cli("export", "email:ann@x.nl", "--db", db(), "-w", "shop").code()).isZero();
    CdpCliTest.Run yes = answering("yes\n", "erase", "email:ann@x.nl", "--db", db(), "-w", "shop");
    assertThat(yes.code()).as(yes.err()).isZero();
    assertThat(yes.out()).contains("profiles 1").contains("events 1");
    assertThat(cli("export", "email:ann@x.nl", "--db", db(), "-w", "shop").code())
        .isEqualTo(CdpCli.NOT_FOUND);
    assertThat(cli("export", "email:bob@x.nl", "--db", db(), "-w", "shop").code()).isZero();
    CdpCliTest.Run nobody = cli("erase", "email:nobody@x.nl", "--yes", "--db", db());
    assertThat(nobody.out()).contains("nobody held it; a tombstone was written");
    assertThat(cli("segments", "delete", "nope", "--db", db()).code())
        .isEqualTo(CdpCli.NOT_FOUND);
    Path badSegment = file("bad-segment.json", "{\"version\": 1, \"id\": \"x\", \"name\": "
        + "\"X\", \"condition\": {\"type\": \"trait\", \"name\": \"a..b\", \"op\": \"=\", "
        + "\"value\": 1}}");
    CdpCliTest.Run refused = cli("segments", "save", badSegment.toString(), "--db", db());
    assertThat(refused.code()).isEqualTo(CdpCli.USAGE);
    assertThat(refused.err()).contains("bad-segment.json").contains("/condition/name");
    Path segment = file("ann.json", "{\"version\": 1, \"id\": \"bobs\", \"name\": \"Bobs\", "
        + "\"condition\": {\"type\": \"identifier\", \"identifierType\": \"email\"}}");
    CdpCliTest.Run saved = cli("segments", "save", segment.toString(), "--db", db(), "-w", "shop");
    assertThat(saved.code()).as(saved.err()).isZero();
    assertThat(saved.out()).contains("saved segment bobs (1 members)");
    assertThat(saved.err()).contains("evaluate 1 profiles");
    assertThat(cli("segments", "evaluate", "nope", "--db", db()).err())
        .contains("there is no segment nope");
  }

  @Test
  @DisplayName("a file that breaks off mid-way: the summary of what was stored, then the error, "
      + "exit code 1")
  void truncatedFile() throws Exception {
    StringBuilder csv = new StringBuilder(MappingTest.HEADER);
    for (int i = 0; i < 20_000; i++) {
      csv.append("A").append(i).append(",s,1,1.00,2026-03-01 10:00,a").append(i % 50)
          .append("@x.nl,\n");
    }
    Path whole = dir.resolve("whole.csv.gz");
    try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(
        Files.newOutputStream(whole))) {
      out.write(csv.toString().getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.csv.gz");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
    Path rows = file("rows.json", """
        {"values": {"order": "order", "email": "email", "at": {"column": "at", "type": "time",
           "format": "yyyy-MM-dd HH:mm"}},
         "events": [{"event": "Order Completed", "messageId": "shop-{order}",
           "identifiers": {"email": "{email}"}, "timestamp": "{at}",
           "properties": {"order_id": "{order}"}}]}
        """);
    assertThat(Mapping.parse(Files.readString(rows)).group).as("a streaming mapping").isNull();
    CdpCliTest.Run r = cli("import", cut.toString(), "--mapping", rows.toString(), "--db", db());
    assertThat(r.code()).as(r.err()).isEqualTo(CdpCli.USAGE);
    assertThat(r.out()).contains("(stopped by the error below; what was ingested before it "
        + "stays)");
    assertThat(r.counts().get("events stored")).isPositive();
    assertThat(r.err()).contains("error: EOFException");
  }

  @Test
  @DisplayName("a second command on an H2 directory in use fails at once, naming the directory")
  void lockedDirectory() throws Exception {
    Path store = dir.resolve("db");
    Files.createDirectories(store);
    try (FileChannel ch = FileChannel.open(store.resolve(StoreOptions.LOCK_FILE),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = ch.lock()) {
      assertThat(held.isValid()).isTrue();
      CdpCliTest.Run r = cli("segments", "--db", db());
      assertThat(r.code()).isEqualTo(CdpCli.USAGE);
      assertThat(r.err()).contains("another command is using the store in " + db());
    }
    assertThat(cli("segments", "--db", db()).code()).isZero();
  }

  @Test
  @DisplayName("--jdbc imports into PostgreSQL (skipped without a server, failed under CI)")
  void postgres() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(c.isValid(2)).isTrue();
    } catch (SQLException e) {
      if ("true".equals(System.getenv("CI"))) {
        throw e;
      }
      Assumptions.abort("PostgreSQL is not reachable on 127.0.0.1:5432");
    }
    String ws = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    Path csv = file("o.csv", MappingTest.HEADER + "A,s,1,1.00,2026-03-01 10:00,a@x.nl,\n");
    CdpCliTest.Run r = cli("import", csv.toString(), "--mapping", orders().toString(),
        "--jdbc", url, "-w", ws);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("at jdbc:postgresql://127.0.0.1:5432/test")
        .doesNotContain("user=postgres");
    assertThat(r.counts()).containsEntry("events stored", 2L);
    assertThat(cli("erase", "email:a@x.nl", "--yes", "--jdbc", url, "-w", ws).out())
        .contains("profiles 1");
  }
}
