package io.cdpkit.storage.jdbc;

import static io.cdpkit.storage.jdbc.StorageCapabilities.claimsOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.metadataOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.privacyOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.segmentsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.storage.jdbc.internal.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MigrationTest {
  /** A fresh database of one kind, and how to drop it. */
  private record Db(DataSource ds, Runnable drop) {}

  private static Db fresh(String kind) throws Exception {
    switch (kind) {
      case "postgres" -> {
        TestDatabases.Scratch s = TestDatabases.postgres();
        return new Db(s.dataSource(), () -> TestDatabases.drop(s));
      }
      case "postgres-icu" -> {
        TestDatabases.Scratch s = TestDatabases.postgresIcu();
        return new Db(s.dataSource(), () -> TestDatabases.drop(s));
      }
      case "mariadb" -> {
        TestDatabases.Scratch s = TestDatabases.mariadb();
        return new Db(s.dataSource(), () -> TestDatabases.drop(s));
      }
      default -> {
        Path dir = Files.createTempDirectory("cdpkit-mig-");
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        return new Db(ds, () -> {
          try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
      }
    }
  }

  private static int version(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version FROM cdp_schema_version WHERE id = 1")) {
      assertThat(rs.next()).isTrue();
      int v = rs.getInt(1);
      assertThat(rs.next()).isFalse();
      return v;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("an empty database is migrated, a second start changes nothing, two starts at "
      + "once both succeed, and a newer schema is refused")
  void migrations(String kind) throws Exception {
    Db db = fresh(kind);
    try {
      JdbcStore.create(db.ds());
      assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO cdp_workspaces (workspace) VALUES ('kept')");
      }

      JdbcStore.create(db.ds());
      assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM cdp_workspaces")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    } finally {
      db.drop().run();
    }

    Db twice = fresh(kind);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<JdbcStore>> starts = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        starts.add(pool.submit(() -> {
          start.await();
          return JdbcStore.create(twice.ds());
        }));
      }
      for (Future<JdbcStore> f : starts) {
        assertThat(f.get()).isNotNull();
      }
      assertThat(version(twice.ds())).isEqualTo(Schema.VERSION);

      try (Connection c = twice.ds().getConnection(); Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE cdp_schema_version SET version = 99 WHERE id = 1");
      }
      assertThatThrownBy(() -> JdbcStore.create(twice.ds()))
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.isRetryable()).isFalse())
          .hasMessageContaining(
              "version 99, newer than this code knows (" + Schema.VERSION + ")");
    } finally {
      pool.shutdownNow();
      twice.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres-icu", "mariadb"})
  @DisplayName("a version-2 database holding profiles is migrated to version 3: the new tables"
      + " appear, and the stored profiles scan in String.compareTo order even where the"
      + " database's default collation follows a language")
  void fromVersion2(String kind) throws Exception {
    WorkspaceId shop = WorkspaceId.of("shop-amsterdam");
    List<String> javaOrder = PostgresCollationTest.JAVA_ORDER;
    List<String> shuffled = new ArrayList<>(javaOrder);
    Collections.shuffle(shuffled, new Random(3));
    Db db = fresh(kind);
    try {
      JdbcStore.create(db.ds()).write(shop, tx -> {
        shuffled.forEach(v -> tx.putProfile(
            new ProfileRecord(ProfileId.of(v), ProfileState.EMPTY, Map.of(), 1)));
        return null;
      });
      // Back to version 2: without the new tables, the profiles' ids in the database's default
      // collation.
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        for (String t : List.of("cdp_metadata", "cdp_memberships", "cdp_checks")) {
          s.execute("DROP TABLE " + t);
        }
        if (kind.startsWith("postgres")) {
          s.execute("ALTER TABLE cdp_profiles ALTER COLUMN id TYPE VARCHAR(64)"
              + " COLLATE \"default\"");
          try (ResultSet rs = s.executeQuery("SELECT id FROM cdp_profiles ORDER BY id")) {
            List<String> v2Order = new ArrayList<>();
            while (rs.next()) {
              v2Order.add(rs.getString(1));
            }
            assertThat(v2Order).as("the order before the migration").isNotEqualTo(javaOrder);
          }
        }
        s.executeUpdate("UPDATE cdp_schema_version SET version = 2 WHERE id = 1");
      }

      JdbcStore store = JdbcStore.create(db.ds());

      assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
      Instant t = Instant.parse("2026-03-01T10:00:00Z");
      store.write(shop, tx -> {
        metadataOf(tx).putMetadata("segment/vip", "{}");
        segmentsOf(tx).putMembership(new Membership("vip", ProfileId.of("a"), t));
        segmentsOf(tx).putCheck(new ScheduledCheck(ProfileId.of("a"), t));
        return null;
      });
      List<String> scanned = store.read(shop, tx -> tx.profilesAfter(null, 100).stream()
          .map(r -> r.id().value()).toList());
      assertThat(scanned).containsExactlyElementsOf(javaOrder);
      List<ProfileRecord> afterZ = store.read(shop, tx -> tx.profilesAfter(ProfileId.of("Z"), 2));
      assertThat(afterZ).extracting(r -> r.id().value()).containsExactly("_x", "a");
      Optional<ScheduledCheck> check =
          store.read(shop, tx -> segmentsOf(tx).check(ProfileId.of("a")));
      assertThat(check).contains(new ScheduledCheck(ProfileId.of("a"), t));
    } finally {
      db.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a version-3 database holding profiles and memberships is migrated to version 4:"
      + " the outbox and delivery history tables appear, and what was stored stays")
  void fromVersion3(String kind) throws Exception {
    WorkspaceId shop = WorkspaceId.of("shop-amsterdam");
    ProfileId ayse = ProfileId.of("p-ayse");
    Instant t = Instant.parse("2026-03-01T10:00:00Z");
    Db db = fresh(kind);
    try {
      JdbcStore.create(db.ds()).write(shop, tx -> {
        tx.putProfile(new ProfileRecord(ayse, ProfileState.EMPTY, Map.of(), 1));
        segmentsOf(tx).putMembership(new Membership("vip", ayse, t));
        return null;
      });
      // Back to version 3: without the outbox and the delivery history.
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        for (String table : List.of("cdp_outbox", "cdp_deliveries")) {
          s.execute("DROP TABLE " + table);
        }
        s.executeUpdate("UPDATE cdp_schema_version SET version = 3 WHERE id = 1");
      }

      JdbcStore store = JdbcStore.create(db.ds());

      assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
      OutboxEntry entry = OutboxEntry.pending("k-1", "winback-email", ayse, "email", t, t, "{}");
      Delivery line = new Delivery("d-1", ayse, t, "winback-email", "email", "k-1", 0,
          "sending", null, "{}");
      store.write(shop, tx -> {
        outboxOf(tx).insertOutbox(entry);
        outboxOf(tx).putDelivery(line);
        return null;
      });
      assertThat(claimsOf(store).claim(shop, t, "worker-1", t.plusSeconds(60), 10))
          .containsExactly(entry.claimed("worker-1", t.plusSeconds(60)));
      List<Delivery> lines = store.read(shop, tx -> outboxOf(tx).deliveries(ayse));
      Optional<ProfileRecord> profile = store.read(shop, tx -> tx.profile(ayse));
      List<Membership> memberships = store.read(shop, tx -> segmentsOf(tx).memberships(ayse));
      assertThat(lines).containsExactly(line);
      assertThat(profile).isPresent();
      assertThat(memberships).containsExactly(new Membership("vip", ayse, t));
    } finally {
      db.drop().run();
    }
  }

  /** The names of a table's indexes, lower case. */
  private static Set<String> indexes(DataSource ds, String table) throws SQLException {
    Set<String> out = new HashSet<>();
    try (Connection c = ds.getConnection()) {
      DatabaseMetaData m = c.getMetaData();
      try (ResultSet rs = m.getIndexInfo(c.getCatalog(), c.getSchema(), metaName(m, table),
          false, true)) {
        while (rs.next()) {
          String index = rs.getString("INDEX_NAME");
          if (index != null) {
            out.add(index.toLowerCase(java.util.Locale.ROOT));
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a version-4 database holding a person's data is migrated to version 5: the"
      + " tombstone and audit tables and the indexes by redirect target and outbox profile"
      + " appear, what was stored stays, and the privacy operations work on it")
  void fromVersion4(String kind) throws Exception {
    WorkspaceId shop = WorkspaceId.of("shop-amsterdam");
    ProfileId ayse = ProfileId.of("p-ayse");
    ProfileId merged = ProfileId.of("p-merged");
    Identifier email = Identifier.email("ayse.yilmaz@example.com");
    Instant t = Instant.parse("2026-03-01T10:00:00Z");
    IdentityNode node = new IdentityNode(email, ayse, "c-1");
    StoredEvent event = new StoredEvent(Event.track("Product Viewed").messageId("m-1")
        .anonymousId("anon-1").timestamp(t).build(), new EventKey(t, "m-1"), List.of(email),
        email);
    LedgerEntry merge = new LedgerEntry(LedgerEntry.Kind.MERGED, ayse, merged, email, "m-1", t,
        t, "shared identifier");
    OutboxEntry entry = OutboxEntry.pending("k-1", "winback-email", ayse, "email", t, t, "{}");
    Delivery line = new Delivery("d-1", ayse, t, "winback-email", "email", "k-1", 0,
        "sending", null, "{}");
    Db db = fresh(kind);
    try {
      JdbcStore.create(db.ds()).write(shop, tx -> {
        tx.putProfile(new ProfileRecord(ayse, ProfileState.EMPTY, Map.of(), 1));
        tx.putNode(node);
        tx.insertEvent(event);
        tx.putRedirect(merged, ayse);
        tx.appendLedger(merge);
        outboxOf(tx).insertOutbox(entry);
        outboxOf(tx).putDelivery(line);
        return null;
      });
      // Back to version 4: without the new tables and indexes.
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        for (String table : List.of("cdp_tombstones", "cdp_audit")) {
          s.execute("DROP TABLE " + table);
        }
        for (String[] index : new String[][] {{"cdp_redirects_to", "cdp_redirects"},
            {"cdp_outbox_profile", "cdp_outbox"}}) {
          s.execute("DROP INDEX " + index[0] + (kind.equals("mariadb") ? " ON " + index[1] : ""));
        }
        s.executeUpdate("UPDATE cdp_schema_version SET version = 4 WHERE id = 1");
      }
      assertThat(indexes(db.ds(), "cdp_redirects")).doesNotContain("cdp_redirects_to");

      JdbcStore store = JdbcStore.create(db.ds());

      assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
      assertThat(indexes(db.ds(), "cdp_redirects")).contains("cdp_redirects_to");
      assertThat(indexes(db.ds(), "cdp_outbox")).contains("cdp_outbox_profile");
      Optional<IdentityNode> keptNode = store.read(shop, tx -> tx.node(email));
      Optional<StoredEvent> keptEvent = store.read(shop, tx -> tx.event("m-1"));
      List<LedgerEntry> keptLedger = store.read(shop, tx -> tx.ledger(merged));
      List<ProfileId> keptRedirects = store.read(shop, tx -> tx.redirectsTo(ayse));
      List<OutboxEntry> keptOutbox = store.read(shop, tx -> outboxOf(tx).outboxOfProfile(ayse));
      List<Delivery> keptLines = store.read(shop, tx -> outboxOf(tx).deliveries(ayse));
      Optional<ProfileRecord> keptProfile = store.read(shop, tx -> tx.profile(ayse));
      assertThat(keptNode).contains(node);
      assertThat(keptEvent).contains(event);
      assertThat(keptLedger).containsExactly(merge);
      assertThat(keptRedirects).containsExactly(merged);
      assertThat(keptOutbox).containsExactly(entry);
      assertThat(keptLines).containsExactly(line);
      assertThat(keptProfile).isPresent();

      AuditEntry erase = new AuditEntry(0, t, "erase", ayse, "h-ayse", "{\"events\":1}");
      long seq = store.write(shop, tx -> {
        privacyOf(tx).deleteEvents(List.of("m-1"));
        privacyOf(tx).deleteNode(email);
        tx.deleteProfile(ayse);
        privacyOf(tx).deleteRedirect(merged);
        privacyOf(tx).deleteLedger(ayse);
        outboxOf(tx).deleteOutbox("k-1");
        outboxOf(tx).deleteDeliveries(ayse);
        privacyOf(tx).putTombstone("h-ayse", t);
        return privacyOf(tx).appendAudit(erase);
      });
      assertThat(seq).isEqualTo(1);
      List<AuditEntry> log = store.read(shop, tx -> privacyOf(tx).audit(0, 10));
      Map<String, Instant> tombstones =
          store.read(shop, tx -> privacyOf(tx).tombstones(List.of("h-ayse")));
      Optional<IdentityNode> goneNode = store.read(shop, tx -> tx.node(email));
      Optional<StoredEvent> goneEvent = store.read(shop, tx -> tx.event("m-1"));
      List<LedgerEntry> goneLedger = store.read(shop, tx -> tx.ledger(merged));
      List<OutboxEntry> goneOutbox = store.read(shop, tx -> outboxOf(tx).outboxOfProfile(ayse));
      List<Delivery> goneLines = store.read(shop, tx -> outboxOf(tx).deliveries(ayse));
      assertThat(log).containsExactly(erase.withSeq(1));
      assertThat(tombstones).containsExactlyEntriesOf(Map.of("h-ayse", t));
      assertThat(goneNode).isEmpty();
      assertThat(goneEvent).isEmpty();
      assertThat(goneLedger).isEmpty();
      assertThat(goneOutbox).isEmpty();
      assertThat(goneLines).isEmpty();
    } finally {
      db.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a version-6 database holding a person's data is migrated to version 7: the"
      + " journal and snapshot tables appear (empty), and what was stored stays")
  void fromVersion6(String kind) throws Exception {
    WorkspaceId shop = WorkspaceId.of("shop-utrecht");
    ProfileId noor = ProfileId.of("p-noor");
    Identifier email = Identifier.email("noor@example.com");
    Instant t = Instant.parse("2026-06-01T10:00:00Z");
    IdentityNode node = new IdentityNode(email, noor, "c-1");
    StoredEvent event = new StoredEvent(Event.track("Product Viewed").messageId("m-1")
        .anonymousId("anon-1").timestamp(t).build(), new EventKey(t, "m-1"), List.of(email),
        email);
    OutboxEntry entry = OutboxEntry.pending("k-1", "welcome", noor, "email", t, t, "{}");
    Db db = fresh(kind);
    try {
      JdbcStore.create(db.ds()).write(shop, tx -> {
        tx.putProfile(new ProfileRecord(noor, ProfileState.EMPTY, Map.of(), 1));
        tx.putNode(node);
        tx.insertEvent(event);
        outboxOf(tx).insertOutbox(entry);
        return null;
      });
      // Back to version 6: without the journaled layout's tables.
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        s.execute("DROP TABLE cdp_journal");
        s.execute("DROP TABLE cdp_snapshots");
        s.executeUpdate("UPDATE cdp_schema_version SET version = 6 WHERE id = 1");
      }

      JdbcStore store = JdbcStore.create(db.ds());

      assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        for (String table : List.of("cdp_journal", "cdp_snapshots")) {
          try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).as(table).isZero();
          }
        }
      }
      Optional<IdentityNode> keptNode = store.read(shop, tx -> tx.node(email));
      Optional<StoredEvent> keptEvent = store.read(shop, tx -> tx.event("m-1"));
      List<OutboxEntry> keptOutbox = store.read(shop, tx -> outboxOf(tx).outboxOfProfile(noor));
      assertThat(keptNode).contains(node);
      assertThat(keptEvent).contains(event);
      assertThat(keptOutbox).containsExactly(entry);
      Optional<ProfileRecord> keptProfile = store.read(shop, tx -> tx.profile(noor));
      assertThat(keptProfile).isPresent();
    } finally {
      db.drop().run();
    }
  }

  /** The columns version 8 moves to the "C" collation on PostgreSQL, as table.column. */
  static final List<String> KEY_COLUMNS = List.of("cdp_events.message_id",
      "cdp_events.anchor_type", "cdp_events.anchor_value", "cdp_nodes.id_type",
      "cdp_nodes.id_value", "cdp_nodes.profile_id", "cdp_nodes.component_id",
      "cdp_components.id", "cdp_links.component_id", "cdp_redirects.from_id",
      "cdp_redirects.to_id", "cdp_ledger.profile_id", "cdp_ledger.other_id");

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "postgres-icu", "mariadb"})
  @DisplayName("a version-7 database holding merged customers is migrated to version 8: on"
      + " PostgreSQL the key columns compare in the \"C\" collation, and the engine goes on"
      + " resolving, merging and counting what was stored")
  void fromVersion7(String kind) throws Exception {
    Instant t = Instant.parse("2026-07-01T10:00:00Z");
    Db db = fresh(kind);
    try {
      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        cdp.ingest(List.of(
            Event.identify().messageId("m-1").userId("c-1").timestamp(t)
                .trait("email", "noor@example.com").build(),
            Event.track("Product Viewed").messageId("m-2").anonymousId("a-1")
                .timestamp(t.plusSeconds(1)).build(),
            Event.identify().messageId("m-3").userId("c-2").timestamp(t.plusSeconds(2))
                .trait("email", "sem@example.com").build()));
      }
      // Back to version 7: the key columns in the database's default collation.
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        if (kind.startsWith("postgres")) {
          for (String column : KEY_COLUMNS) {
            String[] tc = column.split("\\.");
            s.execute("ALTER TABLE " + tc[0] + " ALTER COLUMN " + tc[1] + " TYPE "
                + columnType(c, tc[0], tc[1]) + " COLLATE \"default\"");
          }
          assertThat(collations(c)).as("before").doesNotContainValue("C");
        }
        s.executeUpdate("UPDATE cdp_schema_version SET version = 7 WHERE id = 1");
      }

      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
        if (kind.startsWith("postgres")) {
          try (Connection c = db.ds().getConnection()) {
            assertThat(collations(c)).as("after").hasSize(KEY_COLUMNS.size())
                .allSatisfy((column, collation) -> assertThat(collation).as(column)
                    .isEqualTo("C"));
          }
        }
        ProfileId noor = cdp.profiles().find(Identifier.customerId("c-1")).orElseThrow().id();
        // a-1 joins c-1, then c-2's e-mail moves to c-1: two merges over the stored keys.
        cdp.ingest(List.of(
            Event.identify().messageId("m-4").userId("c-1").anonymousId("a-1")
                .timestamp(t.plusSeconds(3)).build(),
            Event.identify().messageId("m-5").userId("c-1").timestamp(t.plusSeconds(4))
                .trait("email", "sem@example.com").build(),
            Event.track("Order Completed").messageId("m-1").userId("c-1")
                .timestamp(t.plusSeconds(5)).build()));
        assertThat(cdp.profiles().find(Identifier.anonymousId("a-1")).orElseThrow().id())
            .isEqualTo(cdp.profiles().resolve(noor).orElseThrow());
        assertThat(cdp.profiles().eventCounts()).containsEntry("Product Viewed", 1L)
            .containsEntry("identify", 4L).doesNotContainKey("Order Completed");
        assertThat(cdp.profiles().events(cdp.profiles().resolve(noor).orElseThrow()))
            .extracting(Event::messageId).contains("m-1", "m-2", "m-4", "m-5");
      }
    } finally {
      db.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a version-8 database is migrated to version 9: on PostgreSQL every document"
      + " column of the store's tables has statistics target 0 and no other column changes;"
      + " ANALYZE then gathers statistics on the keys only, and what was stored stays")
  void fromVersion8(String kind) throws Exception {
    Instant t = Instant.parse("2026-08-01T10:00:00Z");
    Db db = fresh(kind);
    try {
      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        cdp.ingest(List.of(Event.identify().messageId("m-1").userId("c-1").timestamp(t)
            .trait("email", "noor@example.com").build()));
      }
      boolean postgres = kind.equals("postgres");
      // Back to version 8: every column at the server's default statistics target.
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        if (postgres) {
          for (String column : statisticsTargets(c).keySet()) {
            String[] tc = column.split("\\.");
            s.execute("ALTER TABLE " + tc[0] + " ALTER COLUMN " + tc[1] + " SET STATISTICS -1");
          }
          assertThat(statisticsTargets(c)).as("before")
              .allSatisfy((column, target) -> assertThat(target).as(column).isEqualTo(-1));
        }
        s.executeUpdate("UPDATE cdp_schema_version SET version = 8 WHERE id = 1");
      }

      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
        if (postgres) {
          try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
            // The oracle: a column of type text holds a document; no other column changes.
            Set<String> documents = textColumns(c);
            assertThat(statisticsTargets(c)).as("after").allSatisfy((column, target) ->
                assertThat(target).as(column).isEqualTo(documents.contains(column) ? 0 : -1));
            s.execute("ANALYZE cdp_events, cdp_profiles, cdp_nodes");
            Set<String> analyzed = new HashSet<>();
            try (ResultSet rs = s.executeQuery("SELECT tablename || '.' || attname FROM pg_stats"
                + " WHERE schemaname = current_schema()")) {
              while (rs.next()) {
                analyzed.add(rs.getString(1));
              }
            }
            assertThat(analyzed).contains("cdp_events.message_id", "cdp_profiles.id",
                    "cdp_nodes.id_value")
                .doesNotContain("cdp_events.body", "cdp_profiles.body", "cdp_nodes.id_secret");
          }
        }
        cdp.ingest(List.of(Event.track("Order Completed").messageId("m-2").userId("c-1")
            .timestamp(t.plusSeconds(1)).build()));
        ProfileId noor = cdp.profiles().find(Identifier.customerId("c-1")).orElseThrow().id();
        assertThat(cdp.profiles().events(noor)).extracting(Event::messageId)
            .containsExactly("m-1", "m-2");
      }
    } finally {
      db.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a version-9 database is migrated to version 10: on PostgreSQL with LZ4 every"
      + " document column compresses with LZ4 and no other column changes; documents stored"
      + " before (pglz) and after (lz4) read back whole")
  void fromVersion9(String kind) throws Exception {
    Instant t = Instant.parse("2026-08-01T10:00:00Z");
    Db db = fresh(kind);
    try {
      boolean postgres = kind.equals("postgres");
      boolean lz4 = postgres && serverHasLz4(db.ds());
      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        // Back to version 9: every column with the server's default compression (pglz unless
        // default_toast_compression says otherwise), and a large order stored with it.
        try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
          if (postgres) {
            for (String column : compressions(c).keySet()) {
              String[] tc = column.split("\\.");
              s.execute("ALTER TABLE " + tc[0] + " ALTER COLUMN " + tc[1]
                  + " SET COMPRESSION default");
            }
            assertThat(compressions(c)).as("before").allSatisfy((column, method) ->
                assertThat(method).as(column).isEqualTo("default"));
          }
          s.executeUpdate("UPDATE cdp_schema_version SET version = 9 WHERE id = 1");
        }
        cdp.ingest(List.of(bigOrder("m-1", t)));
      }
      String before = null;
      if (postgres) {
        try (Connection c = db.ds().getConnection()) {
          before = storedCompression(c, "m-1");
          assertThat(before).as("m-1 is stored compressed").isNotNull();
        }
      }

      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
        cdp.ingest(List.of(bigOrder("m-2", t.plusSeconds(60))));
        if (postgres) {
          try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
            Set<String> documents = textColumns(c);
            assertThat(compressions(c)).as("after").allSatisfy((column, method) ->
                assertThat(method).as(column)
                    .isEqualTo(lz4 && documents.contains(column) ? "lz4" : "default"));
            assertThat(storedCompression(c, "m-1")).as("m-1, stored before").isEqualTo(before);
            assertThat(storedCompression(c, "m-2")).as("m-2, stored after")
                .isEqualTo(lz4 ? "lz4" : before);
          }
        }
        ProfileId noor = cdp.profiles().find(Identifier.customerId("c-1")).orElseThrow().id();
        List<Event> events = cdp.profiles().events(noor);
        assertThat(events).extracting(Event::messageId).containsExactly("m-1", "m-2");
        Object lines = events.get(0).properties().get("products");
        assertThat(lines).asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(60).last()
            .asString().contains("Enamel mug, pattern 59");
        assertThat(events.get(1).properties().get("products")).isEqualTo(lines);
      }
    } finally {
      db.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a version-10 database, whose visitors' components all have rows, is migrated to"
      + " version 11: such a visitor logs in and merges as before, and a new visitor gets no"
      + " component row")
  void fromVersion10(String kind) throws Exception {
    Instant t = Instant.parse("2026-09-01T10:00:00Z");
    Db db = fresh(kind);
    try {
      String before;
      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        cdp.ingest(List.of(Event.page("Home").messageId("m-1").anonymousId("a-1").timestamp(t)
            .build()));
        // Back to version 10, whose code stored a row for every component: the visitor's
        // component gets the row that code wrote ({"id": ...}, no link, no rule).
        try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
          before = nodeComponent(c, "a-1");
          assertThat(componentRows(c, before)).as("a new visitor's component rows").isZero();
          s.executeUpdate("INSERT INTO cdp_components (workspace, id, body) VALUES ('default', '"
              + before + "', '{\"id\":\"" + before + "\"}')");
          s.executeUpdate("UPDATE cdp_schema_version SET version = 10 WHERE id = 1");
        }
      }

      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
        cdp.ingest(List.of(Event.identify().messageId("m-2").anonymousId("a-1").userId("c-1")
            .timestamp(t.plusSeconds(60)).build(),
            Event.page("Home").messageId("m-3").anonymousId("a-2").timestamp(t.plusSeconds(90))
                .build()));
        assertThat(cdp.profiles().find(Identifier.anonymousId("a-1")).orElseThrow().id())
            .isEqualTo(cdp.profiles().find(Identifier.customerId("c-1")).orElseThrow().id());
        try (Connection c = db.ds().getConnection()) {
          String merged = nodeComponent(c, "a-1");
          assertThat(componentRows(c, merged)).isEqualTo(1);
          assertThat(nodeComponent(c, "c-1")).isEqualTo(merged);
          assertThat(componentRows(c, nodeComponent(c, "a-2"))).as("the new visitor's")
              .isZero();
        }
      }
    } finally {
      db.drop().run();
    }
  }
  private static Event orderOf(String customer, String orderId, String total, Instant at) {
    return Event.track("Order Completed").messageId("o-" + orderId).userId(customer)
        .property("order_id", orderId).property("total", new java.math.BigDecimal(total))
        .property("currency", "EUR").timestamp(at).build();
  }

  private static long orderRows(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM cdp_profile_orders")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a version-11 database, whose profile rows hold their orders, is migrated to"
      + " version 12: every profile reads whole, a customer's next order moves all of hers into"
      + " order rows, and a customer without new events keeps her row as it was")
  void fromVersion11(String kind) throws Exception {
    Instant t = Instant.parse("2026-10-01T10:00:00Z");
    List<Event> before = List.of(orderOf("c-1", "A-1", "10.00", t),
        orderOf("c-1", "A-2", "20.00", t.plusSeconds(60)),
        orderOf("c-2", "B-1", "5.00", t.plusSeconds(120)),
        Event.track("Order Refunded").messageId("r-B-1").userId("c-2")
            .property("order_id", "B-1").property("total", new java.math.BigDecimal("2.00"))
            .property("currency", "EUR").timestamp(t.plusSeconds(180)).build(),
        orderOf("c-3", "C-1", "7.00", t.plusSeconds(240)));
    List<Event> after = List.of(orderOf("c-1", "A-3", "30.00", t.plusSeconds(300)),
        Event.track("Order Refunded").messageId("r2-B-1").userId("c-2")
            .property("order_id", "B-1").property("total", new java.math.BigDecimal("1.00"))
            .property("currency", "EUR").timestamp(t.plusSeconds(360)).build());
    io.cdpkit.core.spi.storage.RecordCodec codec = io.cdpkit.core.spi.storage.RecordCodec.create();
    Db db = fresh(kind);
    try (Cdp reference = Cdp.builder().store(io.cdpkit.core.spi.storage.Store.inMemory())
        .build()) {
      reference.ingest(before);
      try (JdbcStore store = JdbcStore.create(db.ds());
          Cdp cdp = Cdp.builder().store(store).build()) {
        cdp.ingest(before);
        // Back to version 11, whose code kept the orders in the profile's row.
        List<ProfileRecord> whole = store.read(WorkspaceId.DEFAULT,
            tx -> tx.profilesAfter(null, 100));
        assertThat(whole).hasSize(3);
        try (Connection c = db.ds().getConnection();
            java.sql.PreparedStatement p = c.prepareStatement(
                "UPDATE cdp_profiles SET body = ? WHERE id = ?");
            Statement s = c.createStatement()) {
          for (ProfileRecord r : whole) {
            assertThat(r.state().orders()).isNotEmpty();
            p.setString(1, codec.writeProfile(r));
            p.setString(2, r.id().value());
            assertThat(p.executeUpdate()).isEqualTo(1);
          }
          s.execute("DROP TABLE cdp_profile_orders");
          s.executeUpdate("UPDATE cdp_schema_version SET version = 11 WHERE id = 1");
        }
      }

      try (JdbcStore store = JdbcStore.create(db.ds());
          Cdp cdp = Cdp.builder().store(store).build()) {
        assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
        assertThat(orderRows(db.ds())).isZero();
        for (String customer : List.of("c-1", "c-2", "c-3")) {
          Identifier id = Identifier.customerId(customer);
          assertThat(cdp.profiles().find(id).orElseThrow().state()).as(customer)
              .isEqualTo(reference.profiles().find(id).orElseThrow().state());
        }
        cdp.ingest(after);
        reference.ingest(after);
        assertThat(orderRows(db.ds())).as("c-1's three orders and c-2's one").isEqualTo(4);
      }
      try (JdbcStore store = JdbcStore.create(db.ds());
          Cdp cdp = Cdp.builder().store(store).build()) {
        for (String customer : List.of("c-1", "c-2", "c-3")) {
          Identifier id = Identifier.customerId(customer);
          assertThat(cdp.profiles().find(id).orElseThrow().state()).as(customer)
              .isEqualTo(reference.profiles().find(id).orElseThrow().state());
        }
        try (Connection c = db.ds().getConnection(); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT body FROM cdp_profiles")) {
          int inside = 0;
          while (rs.next()) {
            inside += rs.getString(1).contains("\"or\":") ? 1 : 0;
          }
          assertThat(inside).as("rows still holding their orders (c-3's)").isEqualTo(1);
        }
      }
    } finally {
      db.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a version-12 database is migrated to version 13: on MariaDB the events are keyed"
      + " by arrival, the stored messageIds are still recognised by a cold store and still unique"
      + " in the table, and a new event is stored after the old ones")
  void fromVersion12(String kind) throws Exception {
    Instant t = Instant.parse("2026-11-01T10:00:00Z");
    List<Event> before = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      before.add(Event.page("Home").messageId("m-" + i).anonymousId("a-" + i)
          .timestamp(t.plusSeconds(i)).build());
    }
    Db db = fresh(kind);
    try {
      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        assertThat(cdp.ingest(before).stored()).isEqualTo(3);
      }
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        if (kind.equals("mariadb")) {
          // Back to version 12's table, keyed by the workspace and the messageId.
          s.execute("ALTER TABLE cdp_events DROP PRIMARY KEY, DROP INDEX cdp_events_message,"
              + " DROP COLUMN seq, ADD PRIMARY KEY (workspace, message_id)");
        }
        s.executeUpdate("UPDATE cdp_schema_version SET version = 12 WHERE id = 1");
      }
      assertThat(primaryKey(db.ds(), "cdp_events")).containsExactly("workspace", "message_id");

      try (Cdp cdp = Cdp.builder().store(JdbcStore.create(db.ds())).build()) {
        assertThat(version(db.ds())).isEqualTo(Schema.VERSION);
        if (kind.equals("mariadb")) {
          assertThat(primaryKey(db.ds(), "cdp_events")).containsExactly("seq");
          assertThat(indexes(db.ds(), "cdp_events")).contains("cdp_events_message");
        } else {
          assertThat(primaryKey(db.ds(), "cdp_events"))
              .containsExactly("workspace", "message_id");
        }
        BatchResult again = cdp.ingest(before);
        assertThat(again.duplicates()).as("stored before the migration, read by a cold store")
            .isEqualTo(3);
        assertThat(cdp.ingest(Event.page("Home").messageId("m-4").anonymousId("a-1")
            .timestamp(t.plusSeconds(10)).build()).isStored()).isTrue();
      }
      try (Connection c = db.ds().getConnection(); Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM cdp_events")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(4);
        }
        assertThatThrownBy(() -> s.executeUpdate("INSERT INTO cdp_events (workspace, message_id,"
            + " counted_name, body) VALUES ('default', 'm-2', 'Page Viewed', '{}')"))
            .as("a second row of a stored messageId").isInstanceOf(SQLException.class);
        if (kind.equals("mariadb")) {
          try (ResultSet rs = s.executeQuery("SELECT message_id FROM cdp_events ORDER BY seq")) {
            List<String> order = new ArrayList<>();
            while (rs.next()) {
              order.add(rs.getString(1));
            }
            assertThat(order).containsExactly("m-1", "m-2", "m-3", "m-4");
          }
        }
      }
    } finally {
      db.drop().run();
    }
  }

  /** A table's name as the database's catalog spells it (upper case on H2). */
  private static String metaName(DatabaseMetaData m, String table) throws SQLException {
    return m.storesUpperCaseIdentifiers() ? table.toUpperCase(java.util.Locale.ROOT) : table;
  }

  /** The columns of a table's primary key, lower case, in key order. */
  private static List<String> primaryKey(DataSource ds, String table) throws SQLException {
    try (Connection c = ds.getConnection()) {
      DatabaseMetaData m = c.getMetaData();
      java.util.TreeMap<Short, String> columns = new java.util.TreeMap<>();
      try (ResultSet rs = m.getPrimaryKeys(c.getCatalog(), c.getSchema(), metaName(m, table))) {
        while (rs.next()) {
          columns.put(rs.getShort("KEY_SEQ"),
              rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
        }
      }
      return new ArrayList<>(columns.values());
    }
  }


  private static String nodeComponent(Connection c, String idValue) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT component_id FROM cdp_nodes WHERE id_value = '" + idValue + "'")) {
      assertThat(rs.next()).as("node of " + idValue).isTrue();
      return rs.getString(1);
    }
  }

  private static int componentRows(Connection c, String id) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT COUNT(*) FROM cdp_components WHERE id = '" + id + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** An order whose stored body is well over PostgreSQL's 2 kB compression threshold. */
  private static Event bigOrder(String messageId, Instant t) {
    List<Map<String, Object>> lines = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      lines.add(Map.of("product_id", "SKU-" + (1000 + i), "name", "Enamel mug, pattern " + i,
          "price", 4.95 + i, "quantity", 1 + i % 3));
    }
    return Event.track("Order Completed").messageId(messageId).userId("c-1").timestamp(t)
        .property("order_id", "o-" + messageId).property("products", lines).build();
  }

  private static boolean serverHasLz4(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("SET default_toast_compression = 'lz4'");
      s.execute("RESET default_toast_compression");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static Set<String> textColumns(Connection c) throws SQLException {
    Set<String> out = new HashSet<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT table_name || '.' || column_name FROM information_schema.columns"
            + " WHERE table_schema = current_schema() AND data_type = 'text'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    assertThat(out).contains("cdp_events.body", "cdp_profiles.body", "cdp_nodes.id_secret",
        "cdp_audit.detail");
    return out;
  }

  /** The compression a stored event's body was written with (null when not compressed). */
  private static String storedCompression(Connection c, String messageId) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT pg_column_compression(body) FROM cdp_events WHERE message_id = '" + messageId
            + "'")) {
      assertThat(rs.next()).as(messageId).isTrue();
      return rs.getString(1);
    }
  }

  /**
   * table.column to its compression method ({@code default}, {@code pglz} or {@code lz4}), of
   * every variable-length column of the store's tables on PostgreSQL.
   */
  private static Map<String, String> compressions(Connection c) throws SQLException {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT t.relname, a.attname, CASE a.attcompression WHEN 'l' THEN 'lz4'"
            + " WHEN 'p' THEN 'pglz' ELSE 'default' END FROM pg_attribute a"
            + " JOIN pg_class t ON t.oid = a.attrelid"
            + " WHERE t.relnamespace = current_schema()::regnamespace AND t.relkind = 'r'"
            + " AND t.relname LIKE 'cdp\\_%' AND a.attnum > 0 AND NOT a.attisdropped"
            + " AND a.attlen = -1")) {
      while (rs.next()) {
        out.put(rs.getString(1) + "." + rs.getString(2), rs.getString(3));
      }
    }
    assertThat(out).as("the store's columns").containsKey("cdp_events.body");
    return out;
  }

  /**
   * table.column to its statistics target, of every column of the store's tables on PostgreSQL;
   * -1 is the server's default (from PostgreSQL 17 the catalog says null instead).
   */
  private static Map<String, Integer> statisticsTargets(Connection c) throws SQLException {
    Map<String, Integer> out = new java.util.TreeMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT t.relname, a.attname, a.attstattarget FROM pg_attribute a"
            + " JOIN pg_class t ON t.oid = a.attrelid"
            + " WHERE t.relnamespace = current_schema()::regnamespace AND t.relkind = 'r'"
            + " AND t.relname LIKE 'cdp\\_%' AND a.attnum > 0 AND NOT a.attisdropped")) {
      while (rs.next()) {
        int target = rs.getInt(3);
        out.put(rs.getString(1) + "." + rs.getString(2), rs.wasNull() ? -1 : target);
      }
    }
    assertThat(out).as("the store's columns").containsKey("cdp_events.body");
    return out;
  }

  private static String columnType(Connection c, String table, String column)
      throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT character_maximum_length FROM information_schema.columns WHERE table_name = '"
            + table + "' AND column_name = '" + column + "' AND table_schema = current_schema()")) {
      assertThat(rs.next()).as(table + "." + column).isTrue();
      return "VARCHAR(" + rs.getInt(1) + ")";
    }
  }

  /** table.column to its collation (null for the database's default), of the key columns. */
  private static Map<String, String> collations(Connection c) throws SQLException {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT table_name, column_name, collation_name FROM information_schema.columns"
            + " WHERE table_schema = current_schema()")) {
      while (rs.next()) {
        String column = rs.getString(1) + "." + rs.getString(2);
        if (KEY_COLUMNS.contains(column)) {
          out.put(column, rs.getString(3) == null ? "default" : rs.getString(3));
        }
      }
    }
    return out;
  }
}
