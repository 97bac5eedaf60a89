package io.cdpkit.storage.jdbc.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.ErasureReport;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks "erasure leaves no bytes" on the default configuration: the embedded H2 file store
 * without encryption. A shopper with eleven distinct values (e-mail, phone, first and last
 * name, street, city, customer id, loyalty card, order id, a free-text delivery note, a cookie)
 * in 150 events, in traits, in a segment membership and in pending outbox entries, next to three
 * other shoppers, is erased; then every byte of every file in the store's directory is searched
 * for each of her values (raw and normalised, ASCII case folded) in UTF-8, UTF-16LE and
 * UTF-16BE. Nothing may be found, while the other shoppers' values are (so the scan reads what
 * the database wrote). The same after a crash right after the erasure (a child JVM that halts
 * without closing anything) followed by a reopen. On PostgreSQL and MariaDB: after the erasure
 * and {@code VACUUM FULL} / {@code OPTIMIZE TABLE}, no cell of any table holds her values, nor
 * any byte of the tables' files when the test can read the server's data directory.
 */
class ErasureLeavesNoBytesRedTeamTest {
  static final Instant START = Instant.parse("2026-03-02T08:00:00Z");

  static final String EMAIL = "Wilhelmina.Zuiderveld@Example.NL";
  static final String PHONE = "+31 6 3141 5926";
  static final String PHONE_E164 = "+31631415926";
  static final String FIRST = "Wilhelmina";
  static final String LAST = "Zuiderveld";
  static final String STREET = "Keizersgracht 672";
  static final String CITY = "Zierikzee";
  static final String CUSTOMER = "cust-zuiderveld-672";
  static final String CARD = "2900-6272-8182";
  static final String ORDER = "ORD-ZDV-4471";
  static final String NOTE = "leave parcel behind the blue heron statue";
  static final String COOKIE = "anon-zuiderveld-c0ffee";
  /** Her values, raw and normalised; searched for with ASCII case folded. */
  static final List<String> HERS = List.of(EMAIL, PHONE, PHONE_E164, FIRST, LAST, STREET, CITY,
      CUSTOMER, CARD, CARD.replace("-", ""), ORDER, NOTE, COOKIE, "3141 5926");

  static final String[] OTHER_LAST = {"Brouwershaven", "Oudewaterlaan", "Vlieland-Oost"};

  static List<String> others() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < OTHER_LAST.length; i++) {
      out.add(OTHER_LAST[i].toLowerCase(Locale.ROOT) + "@example.be");
      out.add(OTHER_LAST[i]);
      out.add("cust-other-" + i);
    }
    return out;
  }

  // ------------------------------------------------------------------ H2 file

  @TempDir
  Path dir;

  @Test
  @DisplayName("issue 15 item 6: after erase and close, no file of the H2 file store (default"
      + " configuration) holds a byte of her values; also after a reopen and 3,000 more events")
  void h2FileAfterEraseAndClose() throws Exception {
    Path store = dir.resolve("store");
    try (JdbcStore jdbc = JdbcStore.h2File(store); Cdp cdp = cdp(jdbc)) {
      story(cdp);
      assertThat(found(scanFiles(store), HERS)).as("her values on disk before the erasure")
          .containsOnlyKeys(HERS);
      ErasureReport r = cdp.privacy().erase(Identifier.email(EMAIL));
      assertThat(r.events()).isEqualTo(151);
    }
    assertNoneOfHersButOthers(store);

    try (JdbcStore jdbc = JdbcStore.h2File(store); Cdp cdp = cdp(jdbc)) {
      List<Event> more = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        more.add(Event.track("Product Viewed").messageId("more-" + i)
            .userId("cust-other-" + (i % OTHER_LAST.length)).property("sku", "SKU-" + i)
            .timestamp(START.plus(Duration.ofDays(2)).plusSeconds(i)).build());
      }
      cdp.ingest(more);
      assertThat(cdp.profiles().find(Identifier.email(EMAIL))).isEmpty();
    }
    assertNoneOfHersButOthers(store);
  }

  @Test
  @DisplayName("issue 15 item 6: an erasure followed by a crash (the JVM halts, nothing closed)"
      + " is compacted at the next open, before anything else")
  void h2FileAfterCrash() throws Exception {
    Path store = dir.resolve("store");
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), CrashingChild.class.getName(),
        store.toString());
    Path log = dir.resolve("child.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
    assertThat(Files.readString(log)).contains("erased, halting");
    assertThat(p.exitValue()).isEqualTo(0);
    // The crash left her in the file: the attack is real.
    assertThat(found(scanFiles(store), HERS)).as("her values on disk after the crash")
        .isNotEmpty();

    try (JdbcStore jdbc = JdbcStore.h2File(store)) {
      // Compacted at open, before the store served anything.
      assertNoneOfHersButOthers(store);
      try (Cdp cdp = Cdp.builder().store(jdbc).build()) {
        assertThat(cdp.profiles().find(Identifier.customerId(CUSTOMER))).isEmpty();
        assertThat(cdp.profiles().find(Identifier.customerId("cust-other-1"))).isPresent();
      }
    }
    assertNoneOfHersButOthers(store);
  }

  /** Run in a child JVM: the story, the erasure, then a halt without closing anything. */
  public static final class CrashingChild {
    public static void main(String[] args) {
      JdbcStore jdbc = JdbcStore.h2File(Path.of(args[0]));
      Cdp cdp = cdp(jdbc);
      story(cdp);
      cdp.privacy().erase(Identifier.email(EMAIL));
      System.out.println("erased, halting");
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }
  }

  private static void assertNoneOfHersButOthers(Path store) throws IOException {
    Map<String, Integer> files = scanFiles(store);
    assertThat(found(files, HERS)).as("her values (count of byte copies per value)").isEmpty();
    assertThat(found(files, others()).keySet()).as("other shoppers' values")
        .containsExactlyInAnyOrderElementsOf(others());
  }

  // ------------------------------------------------------------------ PostgreSQL, MariaDB

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("issue 15 item 6: after erase and VACUUM FULL / OPTIMIZE TABLE, no table holds"
      + " her values (every cell, and the tables' files when readable)")
  void serverAfterEraseAndVacuum(String kind) throws Exception {
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      DataSource ds = place.database().dataSource();
      try (Store jdbc = place.store(); Cdp cdp = cdp(jdbc)) {
        story(cdp);
        assertThat(found(cells(ds), HERS)).containsOnlyKeys(HERS);
        cdp.privacy().erase(Identifier.email(EMAIL));
      }
      List<String> tables = new ArrayList<>();
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "cdp_%",
            new String[] {"TABLE"})) {
          while (rs.next()) {
            tables.add(rs.getString("TABLE_NAME"));
          }
        }
        assertThat(tables).contains("cdp_events", "cdp_profiles");
        for (String t : tables) {
          s.execute(kind.equals("postgres") ? "VACUUM FULL " + t : "OPTIMIZE TABLE " + t);
        }
        if (kind.equals("postgres")) {
          s.execute("CHECKPOINT");
        } else {
          s.execute("FLUSH TABLES " + String.join(", ", tables) + " FOR EXPORT");
          s.execute("UNLOCK TABLES");
        }
      }
      Map<String, Integer> cells = cells(ds);
      assertThat(found(cells, HERS)).as("her values in the rows").isEmpty();
      assertThat(found(cells, others()).keySet()).containsExactlyInAnyOrderElementsOf(others());

      List<Path> files = relationFiles(ds, kind, tables);
      System.out.println(kind + ": " + files.size() + " relation files scanned");
      if (!files.isEmpty()) {
        Map<String, Integer> bytes = new TreeMap<>();
        for (Path f : files) {
          scanBytes(Files.readAllBytes(f), bytes);
        }
        assertThat(found(bytes, HERS)).as("her values in the tables' files").isEmpty();
        assertThat(found(bytes, others()).keySet()).as("others in the tables' files")
            .containsExactlyInAnyOrderElementsOf(others());
      }
    }
  }

  /** Every cell of every table, as one text each, scanned for every needle. */
  private static Map<String, Integer> cells(DataSource ds) throws SQLException {
    Map<String, Integer> counts = new TreeMap<>();
    try (Connection c = ds.getConnection()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%",
          new String[] {"TABLE"})) {
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME"));
        }
      }
      for (String t : tables) {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT * FROM " + t)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              String v = rs.getString(i);
              if (v != null) {
                scanBytes(v.getBytes(StandardCharsets.UTF_8), counts);
              }
            }
          }
        }
      }
    }
    return counts;
  }

  /**
   * The files of the tables (with their TOAST tables and indexes on PostgreSQL), when this
   * process can read the server's data directory; empty otherwise.
   */
  private static List<Path> relationFiles(DataSource ds, String kind, List<String> tables)
      throws SQLException, IOException {
    List<Path> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      if (kind.equals("postgres")) {
        Path data;
        try (ResultSet rs = s.executeQuery("SHOW data_directory")) {
          rs.next();
          data = Path.of(rs.getString(1));
        }
        try (ResultSet rs = s.executeQuery("SELECT pg_relation_filepath(c.oid) FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
            + " OR c.oid IN (SELECT reltoastrelid FROM pg_class t JOIN pg_namespace tn"
            + " ON tn.oid = t.relnamespace WHERE tn.nspname = current_schema())"
            + " OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT"
            + " reltoastrelid FROM pg_class t JOIN pg_namespace tn ON tn.oid = t.relnamespace"
            + " WHERE tn.nspname = current_schema()))")) {
          while (rs.next()) {
            if (rs.getString(1) != null) {
              Path base = data.resolve(rs.getString(1));
              try (Stream<Path> segs = Files.exists(base.getParent())
                  ? Files.list(base.getParent()) : Stream.empty()) {
                segs.filter(p -> p.getFileName().toString()
                    .matches(base.getFileName() + "(\\.\\d+)?")).forEach(out::add);
              }
            }
          }
        }
      } else {
        Path data;
        try (ResultSet rs = s.executeQuery("SELECT @@datadir")) {
          rs.next();
          data = Path.of(rs.getString(1)).resolve(c.getCatalog());
        }
        for (String t : tables) {
          out.add(data.resolve(t + ".ibd"));
        }
      }
    }
    if (out.isEmpty() || !out.stream().allMatch(Files::isReadable)) {
      return List.of();
    }
    return out;
  }

  // ------------------------------------------------------------------ the story

  static Cdp cdp(Store store) {
    Segmentation segmentation = Segmentation.builder().build();
    Activation activation = Activation.builder()
        .channel("mail", new MailChannel(), Map.of())
        .rule(Rule.builder("cart").trigger(Trigger.event("Checkout Started"))
            .delay(Duration.ofDays(365)).channel("mail").purpose("marketing")
            .template(Template.parse("{\"cart\": \"{{event.properties.note}}\"}")).build())
        .build();
    Cdp cdp = Cdp.builder().store(store).extension(segmentation).extension(activation).build();
    segmentation.segments().save(SegmentDefinition.builder("club").name("Club")
        .where(Conditions.hasIdentifier("loyalty_card")).build());
    return cdp;
  }

  static void story(Cdp cdp) {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < OTHER_LAST.length; i++) {
      events.add(Event.identify().messageId("other-" + i).userId("cust-other-" + i)
          .identifier(Identifier.email(OTHER_LAST[i].toLowerCase(Locale.ROOT) + "@example.be"))
          .identifier(Identifier.loyaltyCard("29001111000" + i))
          .trait("lastName", OTHER_LAST[i]).consent("marketing", "email", true)
          .timestamp(START.plusSeconds(i)).build());
    }
    events.add(Event.identify().messageId("her-identify").userId(CUSTOMER).anonymousId(COOKIE)
        .identifier(Identifier.email(EMAIL)).identifier(Identifier.of(IdentifierType.LOYALTY_CARD,
            CARD))
        .trait("phone", PHONE).trait("firstName", FIRST).trait("lastName", LAST)
        .trait("address", Map.of("street", STREET, "city", CITY))
        .consent("marketing", "email", true).timestamp(START.plusSeconds(60)).build());
    for (int i = 0; i < 100; i++) {
      events.add(Event.page("Product").messageId("her-page-" + i).anonymousId(COOKIE)
          .property("search", NOTE).timestamp(START.plusSeconds(120 + i)).build());
    }
    for (int i = 0; i < 40; i++) {
      events.add(Event.track("Order Completed").messageId("her-order-" + i).userId(CUSTOMER)
          .property("order_id", ORDER + "-" + i).property("total", new BigDecimal("24.95"))
          .property("currency", "EUR").property("ship_to", STREET + ", " + CITY)
          .property("note", NOTE).timestamp(START.plusSeconds(300 + i)).build());
    }
    for (int i = 0; i < 10; i++) {
      events.add(Event.track("Checkout Started").messageId("her-checkout-" + i).userId(CUSTOMER)
          .property("note", NOTE + " " + FIRST + " " + LAST).property("phone", PHONE)
          .timestamp(START.plusSeconds(400 + i)).build());
    }
    for (Event e : events) {
      cdp.ingest(e);
    }
  }

  // ------------------------------------------------------------------ byte scans

  /** Every file under the directory, scanned for every needle of {@link #HERS} and others. */
  static Map<String, Integer> scanFiles(Path root) throws IOException {
    Map<String, Integer> counts = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertThat(files).as("files in the store's directory").isNotEmpty();
    for (Path f : files) {
      scanBytes(Files.readAllBytes(f), counts);
    }
    return counts;
  }

  private static final List<Charset> ENCODINGS = List.of(StandardCharsets.UTF_8,
      StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE);

  /** Adds, per needle, its occurrences in the bytes (ASCII case folded), in three encodings. */
  static void scanBytes(byte[] raw, Map<String, Integer> counts) {
    byte[] b = raw.clone();
    for (int i = 0; i < b.length; i++) {
      if (b[i] >= 'A' && b[i] <= 'Z') {
        b[i] += 'a' - 'A';
      }
    }
    List<String> needles = new ArrayList<>(HERS);
    needles.addAll(others());
    for (String n : needles) {
      for (Charset cs : ENCODINGS) {
        int c = count(b, n.toLowerCase(Locale.ROOT).getBytes(cs));
        if (c > 0) {
          counts.merge(n, c, Integer::sum);
        }
      }
    }
  }

  private static int count(byte[] hay, byte[] needle) {
    int found = 0;
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      found++;
    }
    return found;
  }

  static Map<String, Integer> found(Map<String, Integer> counts, List<String> needles) {
    Map<String, Integer> out = new TreeMap<>();
    for (String n : needles) {
      if (counts.getOrDefault(n, 0) > 0) {
        out.put(n, counts.get(n));
      }
    }
    return out;
  }
}
