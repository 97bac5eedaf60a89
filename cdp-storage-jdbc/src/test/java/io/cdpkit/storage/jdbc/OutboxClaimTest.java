package io.cdpkit.storage.jdbc;

import static io.cdpkit.storage.jdbc.StorageCapabilities.claimsOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How the JDBC store claims outbox entries, seen from the database: a claim skips the rows
 * other transactions hold instead of waiting for them ({@code SKIP LOCKED}), and takes no lock
 * on the workspace's row that write transactions lock. Each test holds locks on a connection of
 * its own, as another node would.
 */
class OutboxClaimTest {
  private static final WorkspaceId SHOP = WorkspaceId.of("shop-amsterdam");
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final ProfileId AYSE = ProfileId.of("p-ayse");
  /** Long enough for any claim that does not wait; far shorter than a lock wait. */
  private static final long PROMPT_SECONDS = 5;

  /** A fresh database of one kind, and how to drop it. */
  private record Db(DataSource ds, Runnable drop) {}

  private static Db fresh(String kind) {
    switch (kind) {
      case "postgres" -> {
        TestDatabases.Scratch s = TestDatabases.postgres();
        return new Db(s.dataSource(), () -> TestDatabases.drop(s));
      }
      case "mariadb" -> {
        TestDatabases.Scratch s = TestDatabases.mariadb();
        return new Db(s.dataSource(), () -> TestDatabases.drop(s));
      }
      default -> {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:claims-" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
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

  private static OutboxEntry pending(String key, int minutes) {
    return OutboxEntry.pending(key, "winback-email", AYSE, "email", T0,
        T0.plusSeconds(60L * minutes), "{}");
  }

  private static List<String> keys(List<OutboxEntry> entries) {
    return entries.stream().map(OutboxEntry::key).toList();
  }

  private static List<String> claimPromptly(JdbcStore store, String lease) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<List<OutboxEntry>> f = pool.submit(() -> claimsOf(store).claim(SHOP,
          T0.plusSeconds(3600), lease, T0.plusSeconds(7200), 100));
      return keys(f.get(PROMPT_SECONDS, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a claim skips outbox rows another transaction holds locked instead of waiting"
      + " for them, and takes them once that transaction has ended")
  void skipsLockedRows(String kind) throws Exception {
    Db db = fresh(kind);
    try {
      JdbcStore store = JdbcStore.create(db.ds());
      store.write(SHOP, tx -> {
        for (int i = 0; i < 6; i++) {
          outboxOf(tx).insertOutbox(pending("k-" + i, i));
        }
        return null;
      });
      try (Connection other = db.ds().getConnection()) {
        other.setAutoCommit(false);
        // READ COMMITTED: at REPEATABLE READ, MariaDB would keep every row it scanned locked.
        other.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        try (PreparedStatement p = other.prepareStatement("SELECT outbox_key FROM cdp_outbox"
            + " WHERE workspace = ? AND outbox_key IN ('k-0', 'k-3') FOR UPDATE")) {
          p.setString(1, SHOP.value());
          try (ResultSet rs = p.executeQuery()) {
            int locked = 0;
            while (rs.next()) {
              locked++;
            }
            assertThat(locked).isEqualTo(2);
          }
        }

        assertThat(claimPromptly(store, "worker-1"))
            .containsExactly("k-1", "k-2", "k-4", "k-5");
        other.commit();
      }
      assertThat(claimPromptly(store, "worker-2")).containsExactly("k-0", "k-3");
    } finally {
      db.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a claim does not wait for the lock on the workspace's row that write"
      + " transactions take")
  void ignoresTheWorkspaceLock(String kind) throws Exception {
    Db db = fresh(kind);
    try {
      JdbcStore store = JdbcStore.create(db.ds());
      store.write(SHOP, tx -> outboxOf(tx).insertOutbox(pending("k-1", 0)));
      try (Connection other = db.ds().getConnection()) {
        other.setAutoCommit(false);
        try (PreparedStatement p = other.prepareStatement(
            "SELECT version FROM cdp_workspaces WHERE workspace = ? FOR UPDATE")) {
          p.setString(1, SHOP.value());
          try (ResultSet rs = p.executeQuery()) {
            assertThat(rs.next()).as("the workspace's row").isTrue();
          }
        }

        assertThat(claimPromptly(store, "worker-1")).containsExactly("k-1");
        other.rollback();
      }
    } finally {
      db.drop().run();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("a transaction that writes only outbox entries and delivery lines leaves the"
      + " workspace's version, and so every node's cache, as it is; one that also writes a"
      + " profile advances it where writers take turns (H2), and leaves it where they run side"
      + " by side (PostgreSQL, MariaDB: their writes are checked row by row)")
  void outboxWritesKeepTheVersion(String kind) throws Exception {
    Db db = fresh(kind);
    try {
      JdbcStore store = JdbcStore.create(db.ds());
      store.write(SHOP, tx -> {
        tx.putProfile(new ProfileRecord(AYSE, ProfileState.EMPTY, Map.of(), 1));
        return null;
      });
      long before = version(db.ds());

      store.write(SHOP, tx -> {
        outboxOf(tx).insertOutbox(pending("k-1", 0));
        outboxOf(tx).putDelivery(new Delivery("d-1", AYSE, T0, "winback-email", "email", "k-1", 0,
            "sending", null, "{}"));
        return null;
      });
      claimsOf(store).claim(SHOP, T0, "worker-1", T0.plusSeconds(60), 10);
      store.write(SHOP, tx -> {
        outboxOf(tx).updateOutbox(pending("k-1", 0).next(OutboxEntry.Status.DONE, 1, T0, null));
        return null;
      });
      assertThat(version(db.ds())).isEqualTo(before);

      store.write(SHOP, tx -> {
        outboxOf(tx).putDelivery(new Delivery("d-2", AYSE, T0, "winback-email", "email", "k-1", 1,
            "delivered", null, "{}"));
        tx.putProfile(new ProfileRecord(AYSE, ProfileState.EMPTY, Map.of(), 2));
        return null;
      });
      assertThat(version(db.ds())).isEqualTo(kind.equals("h2") ? before + 1 : before);
      List<String> lines = new ArrayList<>();
      store.read(SHOP, tx -> outboxOf(tx).deliveries(AYSE)).forEach(d -> lines.add(d.outcome()));
      assertThat(lines).containsExactly("sending", "delivered");
    } finally {
      db.drop().run();
    }
  }

  private static long version(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement(
            "SELECT version FROM cdp_workspaces WHERE workspace = ?")) {
      p.setString(1, SHOP.value());
      try (ResultSet rs = p.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    }
  }
}
