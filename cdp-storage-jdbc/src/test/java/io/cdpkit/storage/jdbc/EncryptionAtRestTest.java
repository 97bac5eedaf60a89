package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.RetryPolicy;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Encryption at rest, seen from the database: a scenario through the public {@code Cdp} API
 * (identify with names, e-mail, phone, address and a custom personal property; orders;
 * consents; a segment defined on a name; an unmerge; an activation whose channel fails quoting
 * the address and name it tried, leaving the message waiting for a retry) leaves no
 * personal value, as given or normalized, in any column of any row of any table the database's
 * catalog lists, on H2 (file, and its file's bytes), PostgreSQL and MariaDB. The same scan of the
 * same scenario without encryption finds every one of them: the scan can see plaintext.
 */
class EncryptionAtRestTest {
  static final Instant START = Instant.parse("2026-04-01T09:00:00Z");

  static final String FIRST = "Marguerite";
  static final String LAST = "Oyelaran-Whitfield";
  static final String EMAIL = "Marguerite.Oyelaran@Example.ORG";
  static final String EMAIL_NORMALIZED = "marguerite.oyelaran@example.org";
  static final String PHONE = "+31 6 4837 2915";
  static final String PHONE_E164 = "+31648372915";
  static final String STREET = "Keizersgracht 4471";
  static final String POSTAL_CODE = "8011 QX Zwolle";
  static final String PASSPORT = "NXP4471928";
  static final String CUSTOMER = "cust-oyelaran-77";
  static final String OTHER_EMAIL = "m.whitfield.private@mailbox.example";

  /** Every personal value of the scenario, as given and as the pipeline normalizes it. */
  static final List<String> PII = List.of(FIRST, LAST, EMAIL, EMAIL_NORMALIZED, PHONE,
      PHONE_E164, PHONE_E164.substring(1), STREET, POSTAL_CODE, PASSPORT, CUSTOMER,
      OTHER_EMAIL);

  @TempDir
  Path dir;

  /** This test's databases in another directory, for tests that reuse them. */
  EncryptionAtRestTest withDir(Path directory) {
    this.dir = directory;
    return this;
  }

  static Encryption keys() {
    byte[] data = new byte[32];
    byte[] index = new byte[32];
    for (int i = 0; i < 32; i++) {
      data[i] = (byte) (i * 7 + 1);
      index[i] = (byte) (i * 13 + 5);
    }
    return Encryption.builder().dataKey("k1", data).currentKey("k1").indexKey(index).build();
  }

  /** Runs the scenario on a store from {@code stores}; returns what it read back. */
  static Profile scenario(Supplier<JdbcStore> stores) {
    MutableClock clock = new MutableClock(START);
    List<String> rendered = new CopyOnWriteArrayList<>();
    ActivationOnJdbcTest.SpyProvider mail = new ActivationOnJdbcTest.SpyProvider("n", m -> {
      rendered.add(m.toString());
      return DeliveryResult.retryable("mailbox " + EMAIL_NORMALIZED + " of " + FIRST + " "
          + LAST + " is full");
    }, new CopyOnWriteArrayList<>());
    try (JdbcStore store = stores.get()) {
      Segmentation segmentation = Segmentation.builder().build();
      Activation activation = Activation.builder()
          .channel("mail", mail, Map.of())
          .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("family"))
              .channel("mail").purpose("marketing")
              .template(Template.parse("{\"subject\": \"Welcome {{trait.firstName}}\","
                  + " \"to\": \"{{trait.lastName}}\"}"))
              .build())
          .retry(new RetryPolicy(3, Duration.ofMinutes(1), Duration.ofMinutes(5)))
          .build();
      try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(segmentation)
          .extension(activation).build()) {
        segmentation.segments().save(SegmentDefinition.builder("family")
            .where(Conditions.trait("lastName").eq(LAST)).build());
        cdp.ingest(Event.track("Consent Changed").messageId("e1").userId(CUSTOMER)
            .consent("marketing", "email", true).timestamp(clock.instant()).build());
        cdp.ingest(Event.identify().messageId("e2").userId(CUSTOMER).anonymousId("anon-1")
            .trait("firstName", FIRST).trait("lastName", LAST).trait("email", EMAIL)
            .trait("phone", PHONE).trait("address", Map.of("street", STREET,
                "postalCode", POSTAL_CODE))
            .trait("passportNumber", PASSPORT).timestamp(clock.instant()).build());
        clock.advance(Duration.ofMinutes(1));
        cdp.ingest(Event.track("Order Completed").messageId("e3").userId(CUSTOMER)
            .property("order_id", "W-1").property("total", new BigDecimal("89.90"))
            .property("currency", "EUR").property("shippingStreet", STREET)
            .timestamp(clock.instant()).build());
        cdp.ingest(Event.identify().messageId("e4").anonymousId("anon-1")
            .trait("email", OTHER_EMAIL).timestamp(clock.instant()).build());
        activation.drain(); // the welcome fails, quoting the address; it waits for a retry
        cdp.profiles().unmerge(Identifier.email(OTHER_EMAIL), Identifier.customerId(CUSTOMER));
        assertThat(rendered).isNotEmpty();
        Profile p = cdp.profiles().find(Identifier.email(EMAIL_NORMALIZED)).orElseThrow();
        assertThat(cdp.profiles().find(Identifier.phone(PHONE_E164)).orElseThrow().id())
            .isEqualTo(p.id());
        assertThat(activation.deliveries(p.id())).isNotEmpty();
        return p;
      }
    }
  }

  /** Every cell of every row of every table the catalog lists, as text; by table. */
  static Map<String, List<String>> scan(DataSource ds) throws SQLException {
    Map<String, List<String>> out = new TreeMap<>();
    try (Connection c = ds.getConnection()) {
      DatabaseMetaData md = c.getMetaData();
      String quote = md.getIdentifierQuoteString();
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), "%",
          new String[] {"TABLE"})) {
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME"));
        }
      }
      for (String table : tables) {
        List<String> cells = new ArrayList<>();
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT * FROM " + quote + table + quote)) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= columns; i++) {
              String v = rs.getString(i);
              if (v != null) {
                cells.add(v);
              }
            }
          }
        }
        out.put(table.toLowerCase(java.util.Locale.ROOT), cells);
      }
    }
    return out;
  }

  /** The personal values found in any cell, each with where. */
  static Set<String> found(Map<String, List<String>> cells) {
    Set<String> out = new TreeSet<>();
    cells.forEach((table, values) -> {
      for (String v : values) {
        String lower = v.toLowerCase(java.util.Locale.ROOT);
        for (String pii : PII) {
          if (lower.contains(pii.toLowerCase(java.util.Locale.ROOT))) {
            out.add(pii + " in " + table);
          }
        }
      }
    });
    return out;
  }

  static Set<String> valuesFound(Set<String> found) {
    Set<String> out = new TreeSet<>();
    found.forEach(f -> out.add(f.substring(0, f.indexOf(" in "))));
    return out;
  }

  interface Db extends AutoCloseable {
    JdbcStore store(boolean encrypted);

    DataSource dataSource();

    @Override
    void close();
  }

  Db database(String kind) {
    if (kind.equals("h2") || kind.equals("h2journal")) {
      boolean journal = kind.equals("h2journal");
      JdbcDataSource raw = new JdbcDataSource();
      raw.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("cdpkit")
          + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
      raw.setUser("sa");
      return new Db() {
        @Override
        public JdbcStore store(boolean encrypted) {
          JdbcStore.Builder b = JdbcStore.builder().h2File(dir).journal(journal);
          return (encrypted ? b.encryption(keys()) : b).build();
        }

        @Override
        public DataSource dataSource() {
          return raw;
        }

        @Override
        public void close() {
          try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        }
      };
    }
    TestDatabases.Scratch db = kind.equals("postgres") ? TestDatabases.postgres()
        : TestDatabases.mariadb();
    return new Db() {
      @Override
      public JdbcStore store(boolean encrypted) {
        JdbcStore.Builder b = JdbcStore.builder().dataSource(db.dataSource());
        return (encrypted ? b.encryption(keys()) : b).build();
      }

      @Override
      public DataSource dataSource() {
        return db.dataSource();
      }

      @Override
      public void close() {
        TestDatabases.drop(db);
      }
    };
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "h2journal", "postgres", "mariadb"})
  @DisplayName("with encryption, no personal value (as given or normalized) is in any column"
      + " of any row of any table")
  void noPlaintextWithEncryption(String kind) throws Exception {
    try (Db db = database(kind)) {
      Profile p = scenario(() -> db.store(true));
      assertThat(p.traits()).containsEntry("lastName", LAST);
      Map<String, List<String>> cells = scan(db.dataSource());
      assertNotVacuous(kind, cells);
      assertThat(found(cells)).isEmpty();
      if (kind.startsWith("h2")) {
        assertThat(inH2File()).isEmpty();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "h2journal", "postgres", "mariadb"})
  @DisplayName("without encryption the same scan finds the personal values, in the events,"
      + " nodes, profiles, metadata, outbox and delivery history")
  void scanFindsPlaintext(String kind) throws Exception {
    try (Db db = database(kind)) {
      scenario(() -> db.store(false));
      Map<String, List<String>> cells = scan(db.dataSource());
      assertNotVacuous(kind, cells);
      if (kind.equals("h2journal")) {
        // The journal's bodies are binary: the file holds the values, no text column does.
        assertThat(valuesFound(inH2File())).containsAll(PII);
        return;
      }
      Set<String> found = found(cells);
      assertThat(valuesFound(found)).containsAll(PII);
      assertThat(found).contains(EMAIL_NORMALIZED + " in cdp_nodes",
          PHONE_E164 + " in cdp_events", LAST + " in cdp_profiles", LAST + " in cdp_metadata",
          EMAIL_NORMALIZED + " in cdp_outbox", EMAIL_NORMALIZED + " in cdp_deliveries",
          FIRST + " in cdp_deliveries");
      if (kind.equals("h2")) {
        assertThat(inH2File()).isNotEmpty();
      }
    }
  }

  private static void assertNotVacuous(String kind, Map<String, List<String>> cells) {
    if (kind.equals("h2journal")) {
      // The journaled layout keeps its records in journal rows and snapshots.
      assertThat(cells.get("cdp_journal").size() + cells.get("cdp_snapshots").size())
          .as("journal and snapshot cells").isPositive();
      return;
    }
    assertThat(cells.keySet()).contains("cdp_events", "cdp_nodes", "cdp_profiles",
        "cdp_profile_orders", "cdp_components", "cdp_links", "cdp_ledger", "cdp_metadata",
        "cdp_outbox", "cdp_deliveries", "cdp_codec");
    for (String t : List.of("cdp_events", "cdp_nodes", "cdp_profiles", "cdp_profile_orders",
        "cdp_links", "cdp_ledger", "cdp_metadata", "cdp_outbox", "cdp_deliveries")) {
      assertThat(cells.get(t)).as(t).isNotEmpty();
    }
  }

  /** The personal values whose UTF-8 bytes occur in the H2 database's files. */
  private Set<String> inH2File() throws IOException {
    Set<String> out = new TreeSet<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String pii : PII) {
        if (bytes.contains(new String(pii.getBytes(StandardCharsets.UTF_8),
            StandardCharsets.ISO_8859_1))) {
          out.add(pii + " in " + f.getFileName());
        }
      }
    }
    return out;
  }
}
