package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.Activation;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.ErasureReport;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.StoreScan;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Export and erasure against the tables themselves, on H2, PostgreSQL and MariaDB, without
 * encryption (so that a value left behind would be visible): the export is checked against
 * every table the database catalog lists, row by row for the person; after the erasure, every
 * cell of every table, and everything the store's caches serve, is scanned for every value of
 * the person, while the other shopper's values are still found.
 */
class ErasureOnJdbcTest {
  private static final Instant START = Instant.parse("2026-07-01T09:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  // The person to erase.
  private static final String EMAIL = "Rosalind.Achterberg@Example.NL";
  private static final String EMAIL_NORMALIZED = "rosalind.achterberg@example.nl";
  private static final String PHONE = "+31 6 5512 9087";
  private static final String PHONE_E164 = "+31655129087";
  private static final String CUSTOMER = "cust-achterberg-31";
  private static final String COOKIE = "anon-achterberg-f00d";
  private static final String CARD = "2900031415926";
  private static final String FIRST = "Rosalind";
  private static final String LAST = "Achterberg";
  private static final String STREET = "Prinsengracht 263";
  private static final List<String> HERS = List.of(EMAIL_NORMALIZED, PHONE_E164, CUSTOMER, COOKIE,
      CARD, FIRST, LAST, STREET, "5512 9087");
  // Someone who stays.
  private static final String BOB_EMAIL = "bartholomeus.kroon@example.be";
  private static final String BOB_LAST = "Kroonenberg";

  /** Tables that hold nothing of a person, and why. */
  private static final Map<String, String> NOT_PERSONAL = Map.of(
      "cdp_workspaces", "one row per workspace: its lock and version",
      "cdp_schema_version", "the schema's version",
      "cdp_codec", "the fingerprint of the codec",
      "cdp_metadata", "segment definitions and the workspace's privacy key",
      "cdp_tombstones", "keyed hashes of erased identifiers; a live person has none");

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("export holds every row of every table about the person; after erasure no table"
      + " and no cache holds anything of them, and a late event does not bring them back")
  void exportAndErase(String kind) throws Exception {
    try (EncryptionAtRestTest.Db db = new EncryptionAtRestTest().withDir(dir).database(kind)) {
      MutableClock clock = new MutableClock(START);
      StoreScan.Probes probesAfter;
      ProfileId erasedId;
      Segmentation segmentation = Segmentation.builder().build();
      Activation activation = Activation.builder()
          .channel("mail", new ActivationOnJdbcTest.SpyProvider("node",
              m -> DeliveryResult.delivered(), new CopyOnWriteArrayList<>()), Map.of())
          .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("club")).channel("mail")
              .purpose("marketing")
              .template(Template.parse("{\"s\":\"Hello {{trait.firstName|you}}\"}")).build())
          .build();
      try (JdbcStore store = db.store(false);
          Cdp cdp = Cdp.builder().store(store).clock(clock).extension(segmentation)
              .extension(activation).build()) {
        segmentation.segments().save(SegmentDefinition.builder("club").name("Club")
            .where(Conditions.hasIdentifier("loyalty_card")).build());
        story(cdp);
        activation.dispatch();
        clock.advance(Duration.ofHours(1));
        activation.dispatch();

        Identifier her = Identifier.email(EMAIL);
        ProfileId id = cdp.profiles().find(her).orElseThrow().id();
        JsonNode export = JSON.readTree(cdp.privacy().export(her).orElseThrow());
        checkExportAgainstTables(db.dataSource(), export, id);

        Map<String, List<String>> before = EncryptionAtRestTest.scan(db.dataSource());
        assertThat(found(before, HERS)).as("the scan sees her before").hasSize(HERS.size());

        clock.advance(Duration.ofDays(1));
        ErasureReport report = cdp.privacy().erase(Identifier.phone(PHONE));
        assertThat(report.erasedProfile()).contains(id);

        Map<String, List<String>> after = EncryptionAtRestTest.scan(db.dataSource());
        assertThat(found(after, HERS)).as("her values left in the tables").isEmpty();
        assertThat(found(after, List.of(BOB_EMAIL, BOB_LAST))).hasSize(2);

        // The caches: everything this store (warm) and a new one (cold) serve.
        List<String> messageIds = new ArrayList<>();
        export.get("events").forEach(e -> messageIds.add(e.get("messageId").asText()));
        List<ProfileId> ids = new ArrayList<>(List.of(id));
        export.get("profile").get("mergedIds").forEach(m -> ids.add(ProfileId.of(m.asText())));
        StoreScan.Probes probes = new StoreScan.Probes(identifiers(), messageIds, ids);
        assertNoneOfHers(StoreScan.dump(store, WorkspaceId.DEFAULT, probes));
        for (Identifier i : identifiers()) {
          assertThat(cdp.profiles().find(i)).isEmpty();
          assertThat(cdp.privacy().export(i)).isEmpty();
        }
        assertThat(activation.deliveries(id)).isEmpty();
        assertThat(segmentation.segments().memberships(id)).isEmpty();

        // A late event of hers stamped before the erasure: dropped, nothing stored.
        IngestResult late = cdp.ingest(Event.track("Order Completed").messageId("late-1")
            .userId(CUSTOMER).property("ship_to", STREET).timestamp(START.plusSeconds(600))
            .build());
        assertThat(late.status()).isEqualTo(IngestResult.Status.ERASED);
        assertThat(found(EncryptionAtRestTest.scan(db.dataSource()), HERS)).isEmpty();
        probesAfter = probes;
        erasedId = id;
      }
      // A store that starts cold (another node) serves nothing of hers either; and a new
      // interaction after the erasure is a new person.
      try (JdbcStore cold = db.store(false);
          Cdp cdp = Cdp.builder().store(cold).clock(clock).build()) {
        assertNoneOfHers(StoreScan.dump(cold, WorkspaceId.DEFAULT, probesAfter));
        clock.advance(Duration.ofMinutes(1)); // received after the erasure, too
        IngestResult fresh = cdp.ingest(Event.identify().messageId("new-1").userId(CUSTOMER)
            .timestamp(clock.instant().plusSeconds(1)).build());
        assertThat(fresh.status()).isEqualTo(IngestResult.Status.STORED);
        assertThat(fresh.profileId()).isNotEqualTo(erasedId);
      }
    }
  }

  private static void story(Cdp cdp) {
    cdp.ingest(Event.page("Home").messageId("r-1").anonymousId(COOKIE).timestamp(START)
        .build());
    cdp.ingest(Event.identify().messageId("r-2").userId(CUSTOMER)
        .identifier(Identifier.email(EMAIL)).identifier(Identifier.phone(PHONE))
        .trait("firstName", FIRST).trait("lastName", LAST).trait("street", STREET)
        .consent("marketing", "email", true).timestamp(START.plusSeconds(60)).build());
    cdp.ingest(Event.track("Signed In").messageId("r-3").userId(CUSTOMER).anonymousId(COOKIE)
        .timestamp(START.plusSeconds(90)).build());
    cdp.ingest(Event.track("Order Completed").messageId("r-4").userId(CUSTOMER)
        .property("order_id", "W-31").property("total", new BigDecimal("42.00"))
        .property("currency", "EUR").property("ship_to", STREET)
        .timestamp(START.plusSeconds(120)).build());
    cdp.ingest(Event.identify().messageId("r-5").userId(CUSTOMER)
        .identifier(Identifier.loyaltyCard(CARD)).timestamp(START.plusSeconds(180)).build());
    cdp.profiles().restrict(Identifier.customerId(CUSTOMER), "accuracy-contested");
    cdp.profiles().liftRestriction(Identifier.customerId(CUSTOMER), "accuracy-verified");
    cdp.ingest(Event.identify().messageId("b-1").userId("cust-kroon")
        .identifier(Identifier.email(BOB_EMAIL)).trait("lastName", BOB_LAST)
        .identifier(Identifier.loyaltyCard("2900099988877"))
        .consent("marketing", "email", true).timestamp(START.plusSeconds(30)).build());
  }

  private static List<Identifier> identifiers() {
    return List.of(Identifier.email(EMAIL), Identifier.phone(PHONE),
        Identifier.customerId(CUSTOMER), Identifier.anonymousId(COOKIE),
        Identifier.loyaltyCard(CARD));
  }

  /**
   * Every table the catalog lists is either named as holding nothing personal, or its rows about
   * the person (by profile id, component or identifier) are each in the export.
   */
  private static void checkExportAgainstTables(DataSource ds, JsonNode export, ProfileId id)
      throws SQLException {
    Set<String> ids = new HashSet<>(List.of(id.value()));
    export.get("profile").get("mergedIds").forEach(m -> ids.add(m.asText()));
    Map<String, List<String>> tables = EncryptionAtRestTest.scan(ds);
    Set<String> checked = new HashSet<>();
    try (Connection c = ds.getConnection()) {
      // Events: by the identifiers they are anchored on.
      Set<String> values = new HashSet<>();
      export.get("profile").get("identifiers").forEach(i -> values.add(i.get("value").asText()));
      assertThat(values).contains(EMAIL_NORMALIZED, PHONE_E164, CUSTOMER, COOKIE, CARD);
      assertThat(texts(export.get("events"), "messageId"))
          .containsExactlyInAnyOrderElementsOf(column(c,
              "SELECT message_id FROM cdp_events WHERE anchor_value IN " + in(values.size()),
              values));
      checked.add("cdp_events");
      assertThat(values).containsExactlyInAnyOrderElementsOf(column(c,
          "SELECT id_value FROM cdp_nodes WHERE profile_id IN " + in(ids.size()), ids));
      checked.add("cdp_nodes");
      assertThat(column(c, "SELECT id FROM cdp_profiles WHERE id IN " + in(ids.size()), ids))
          .containsExactly(id.value());
      checked.add("cdp_profiles");
      // Her orders' rows: one per order id of her exported order events, each naming it.
      Set<String> orderIds = new HashSet<>();
      export.get("events").forEach(e -> {
        if (e.path("properties").has("order_id")) {
          orderIds.add(e.path("properties").path("order_id").asText());
        }
      });
      List<String> orderBodies = column(c, "SELECT body FROM cdp_profile_orders WHERE"
          + " profile_id IN " + in(ids.size()), ids);
      assertThat(orderBodies).hasSize(orderIds.size()).isNotEmpty();
      for (String body : orderBodies) {
        assertThat(orderIds).anySatisfy(o -> assertThat(body).contains("\"o\":\"" + o + "\""));
      }
      checked.add("cdp_profile_orders");
      assertThat(texts(export.get("profile").get("mergedIds"), null))
          .containsExactlyInAnyOrderElementsOf(column(c,
              "SELECT from_id FROM cdp_redirects WHERE to_id IN " + in(ids.size()), ids));
      checked.add("cdp_redirects");
      List<String> components = column(c, "SELECT DISTINCT component_id FROM cdp_nodes WHERE"
          + " profile_id IN " + in(ids.size()), ids);
      assertThat(components).hasSize(1);
      assertThat(column(c, "SELECT body FROM cdp_links WHERE component_id = ?", components))
          .hasSize(export.get("identityLinks").size()).isNotEmpty();
      checked.add("cdp_links");
      assertThat(column(c, "SELECT id FROM cdp_components WHERE id = ?", components)).hasSize(1);
      checked.add("cdp_components");
      List<String> both = new ArrayList<>(ids);
      both.addAll(ids);
      assertThat(column(c, "SELECT seq FROM cdp_ledger WHERE profile_id IN " + in(ids.size())
          + " OR other_id IN " + in(ids.size()), both))
          .hasSize(export.get("ledger").size()).isNotEmpty();
      checked.add("cdp_ledger");
      assertThat(texts(export.get("memberships"), "segment"))
          .containsExactlyInAnyOrderElementsOf(column(c,
              "SELECT segment FROM cdp_memberships WHERE profile_id IN " + in(ids.size()), ids))
          .isNotEmpty();
      checked.add("cdp_memberships");
      assertThat(column(c, "SELECT profile_id FROM cdp_checks WHERE profile_id IN "
          + in(ids.size()), ids)).hasSize(export.path("scheduledCheck").isObject() ? 1 : 0);
      checked.add("cdp_checks");
      assertThat(texts(export.get("outbox"), "key"))
          .containsExactlyInAnyOrderElementsOf(column(c,
              "SELECT outbox_key FROM cdp_outbox WHERE profile_id IN " + in(ids.size()), ids))
          .isNotEmpty();
      checked.add("cdp_outbox");
      assertThat(texts(export.get("deliveries"), "id"))
          .containsExactlyInAnyOrderElementsOf(column(c,
              "SELECT delivery_id FROM cdp_deliveries WHERE profile_id IN " + in(ids.size()),
              ids))
          .isNotEmpty();
      checked.add("cdp_deliveries");
      // The audit: every line about her but the export's own (written with it) is exported.
      List<String> audited = column(c, "SELECT seq FROM cdp_audit WHERE operation <> 'export'"
          + " AND profile_id IN " + in(ids.size()), ids);
      assertThat(audited).isNotEmpty();
      assertThat(texts(export.get("audit"), "seq")).containsAll(audited);
      checked.add("cdp_audit");
      // The journaled layout's tables: this test runs the row layout, which never writes them
      // (JournaledLayoutTest erases in the journaled layout).
      for (String journaled : List.of("cdp_journal", "cdp_snapshots")) {
        assertThat(tables.get(journaled)).as(journaled).isEmpty();
        checked.add(journaled);
      }
    }
    for (String table : tables.keySet()) {
      if (!table.startsWith("cdp_")) {
        continue;
      }
      assertThat(checked.contains(table) || NOT_PERSONAL.containsKey(table))
          .as("table %s is checked against the export, or named as holding nothing personal",
              table)
          .isTrue();
    }
  }

  private static String in(int n) {
    return "(" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
  }

  private static List<String> column(Connection c, String sql, java.util.Collection<String> args)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(sql)) {
      int i = 1;
      for (String a : args) {
        p.setString(i++, a);
      }
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(field == null ? n.asText() : n.get(field).asText()));
    return out;
  }

  private static Set<String> found(Map<String, List<String>> tables, List<String> needles) {
    Set<String> out = new java.util.TreeSet<>();
    tables.forEach((table, cells) -> {
      for (String cell : cells) {
        String lower = cell.toLowerCase(Locale.ROOT);
        for (String n : needles) {
          if (lower.contains(n.toLowerCase(Locale.ROOT))) {
            out.add(n);
          }
        }
      }
    });
    return out;
  }

  private static void assertNoneOfHers(String dump) {
    assertThat(dump).isNotBlank();
    for (String v : HERS) {
      assertThat(dump.toLowerCase(Locale.ROOT)).as("the caches serve %s", v.substring(0, 3))
          .doesNotContain(v.toLowerCase(Locale.ROOT));
    }
  }
}
