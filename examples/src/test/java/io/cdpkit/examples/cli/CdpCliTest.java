package io.cdpkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.testing.SharedData;
import io.cdpkit.examples.OnlineRetailEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool end to end, in-process, on an H2 file store in a temporary directory. */
class CdpCliTest {
  private static final Pattern LINE = Pattern.compile("^(\\s*[^:\\n]+):\\s+(\\d+)$",
      Pattern.MULTILINE);

  @TempDir Path dir;

  /** What one run printed and returned. */
  record Run(int code, String out, String err) {
    /** The summary's "label: number" lines (labels trimmed; the first of a label wins). */
    Map<String, Long> counts() {
      Map<String, Long> m = new LinkedHashMap<>();
      Matcher x = LINE.matcher(out);
      while (x.find()) {
        m.putIfAbsent(x.group(1).strip(), Long.parseLong(x.group(2)));
      }
      return m;
    }
  }

  private Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CdpCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  private String db() {
    return dir.resolve("db").toString();
  }

  @Test
  @DisplayName("the UCI file through the shipped mapping: the printed counts, a replay of "
      + "duplicates only, a segment's count, the export of c17850, and his erasure")
  void uciEndToEnd() throws Exception {
    Path file = SharedData.dataDir("online-retail").resolve("online_retail.csv.gz");
    List<Event> coded = OnlineRetailEvents.load(file);

    Run first = cli("import", file.toString(), "--mapping", "uci", "--db", db());
    assertThat(first.code()).as(first.err()).isZero();
    Map<String, Long> c = first.counts();
    assertThat(c).containsEntry("rows read", 541_909L)
        .containsEntry("rows skipped", 135_080L).containsEntry("no CustomerID", 135_080L)
        .containsEntry("bad rows", 0L).containsEntry("events built", 26_562L)
        .containsEntry("Order Completed", 18_536L).containsEntry("Order Refunded", 3_654L)
        .containsEntry("identify", 4_372L).containsEntry("events stored", 26_562L)
        .containsEntry("events duplicate", 0L).containsEntry("events rejected", 0L);
    assertThat(first.err()).contains("read ").contains("ingest ").contains("26,562/26,562 events");

    Run again = cli("import", file.toString(), "--mapping", "uci", "--db", db());
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.counts()).containsEntry("events stored", 0L)
        .containsEntry("events duplicate", 26_562L);

    Run none = cli("segments", "--db", db());
    assertThat(none.code()).isZero();
    assertThat(none.out()).contains("no segments in workspace default");

    long french = coded.stream().filter(e -> e.type() == EventType.IDENTIFY
        && "France".equals(e.traits().get("country"))).count();
    Path def = dir.resolve("france.json");
    Files.writeString(def, """
        {"version": 1, "id": "france", "name": "Customers in France",
         "condition": {"type": "trait", "name": "country", "op": "=", "value": "France"}}
        """);
    Run saved = cli("segments", "save", def.toString(), "--db", db());
    assertThat(saved.code()).as(saved.err()).isZero();
    assertThat(saved.out()).contains("saved segment france (" + french + " members)");
    Run listed = cli("segments", "--db", db());
    assertThat(listed.out()).containsPattern("france\\s+" + french + "\\s+Customers in France");
    Run evaluated = cli("segments", "evaluate", "--db", db());
    assertThat(evaluated.code()).as(evaluated.err()).isZero();
    assertThat(evaluated.out()).contains("evaluated 4372 profiles")
        .containsPattern("france\\s+" + french);
    assertThat(evaluated.err()).contains("evaluate ").contains("profiles");

    Set<String> his = new HashSet<>();
    coded.stream().filter(e -> "c17850".equals(e.userId())).forEach(e -> his.add(e.messageId()));
    Run export = cli("export", "user:c17850", "--db", db());
    assertThat(export.code()).as(export.err()).isZero();
    JsonNode doc = new ObjectMapper().readTree(export.out());
    assertThat(doc.at("/profile/identifiers/0/type").asText()).isEqualTo("customer_id");
    assertThat(doc.at("/profile/identifiers/0/value").asText()).isEqualTo("c17850");
    assertThat(doc.at("/profile/traits/country/value").asText()).isEqualTo("United Kingdom");
    Set<String> exported = new HashSet<>();
    doc.get("events").forEach(e -> exported.add(e.get("messageId").asText()));
    assertThat(exported).isEqualTo(his).contains("uci-i-17850", "uci-o-536365");

    Path out = dir.resolve("c17850.json");
    Run toFile = cli("export", "user:c17850", "--out", out.toString(), "--db", db());
    assertThat(toFile.code()).isZero();
    assertThat(toFile.out()).isEmpty();
    assertThat(new ObjectMapper().readTree(Files.readString(out, StandardCharsets.UTF_8))
        .get("events")).hasSize(his.size());

    Run refused = cli("erase", "user:c17850", "--db", db());
    assertThat(refused.code()).isEqualTo(CdpCli.USAGE);
    assertThat(refused.err()).contains("--yes");
    assertThat(cli("export", "user:c17850", "--db", db()).code()).isZero();

    Run erased = cli("erase", "user:c17850", "--yes", "--db", db());
    assertThat(erased.code()).as(erased.err()).isZero();
    assertThat(erased.out()).contains("profiles 1").contains("events " + his.size());

    Run gone = cli("export", "user:c17850", "--db", db());
    assertThat(gone.code()).isEqualTo(CdpCli.NOT_FOUND);
    assertThat(gone.out()).isEmpty();
    assertThat(gone.err()).contains("nobody in workspace default holds that customer_id")
        .doesNotContain("c17850");

    Run replay = cli("import", file.toString(), "--mapping", "uci", "--db", db());
    assertThat(replay.counts()).as("his late events stay out").containsEntry("events erased",
        (long) his.size()).containsEntry("events duplicate", 26_562L - his.size());
  }
}
