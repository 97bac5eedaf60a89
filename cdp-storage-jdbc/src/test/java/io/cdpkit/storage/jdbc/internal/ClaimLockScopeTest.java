package io.cdpkit.storage.jdbc.internal;

import static io.cdpkit.storage.jdbc.StorageCapabilities.claimsOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.PiiCodec;
import io.cdpkit.storage.jdbc.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
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
 * A claim locks only the rows it takes, so that claims running at the same time take different
 * entries instead of one taking its few and the others finding everything locked. The first
 * claim here runs the store's statements on a connection whose transaction stays open.
 */
class ClaimLockScopeTest {
  private static final WorkspaceId SHOP = WorkspaceId.of("shop-amsterdam");
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private record Db(DataSource ds, Dialect dialect, Runnable drop) {}

  private static Db fresh(String kind) {
    switch (kind) {
      case "postgres" -> {
        TestDatabases.Scratch s = TestDatabases.postgres();
        return new Db(s.dataSource(), Dialect.POSTGRES, () -> TestDatabases.drop(s));
      }
      case "mariadb" -> {
        TestDatabases.Scratch s = TestDatabases.mariadb();
        return new Db(s.dataSource(), Dialect.MARIADB, () -> TestDatabases.drop(s));
      }
      default -> {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:claim-scope-" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        ds.setUser("sa");
        return new Db(ds, Dialect.H2, () -> {
          try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("regression: while a claim of two entries is uncommitted, another claim takes the"
      + " next due entries at once (on H2, and on MariaDB with a sorted read, the first claim"
      + " locked every due entry and the second found none)")
  void claimLocksOnlyWhatItTakes(String kind) throws Exception {
    Db db = fresh(kind);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      JdbcStore store = JdbcStore.create(db.ds());
      store.write(SHOP, tx -> {
        for (int i = 0; i < 6; i++) {
          outboxOf(tx).insertOutbox(OutboxEntry.pending("k-" + i, "winback-email",
              ProfileId.of("p-" + i), "email", T0, T0.plusSeconds(i), "{}"));
        }
        return null;
      });
      Instant now = T0.plusSeconds(60);
      try (Connection first = db.ds().getConnection()) {
        first.setAutoCommit(false);
        first.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        List<OutboxEntry> held = new Rows(first, db.dialect(), SHOP.value(),
            RecordCodec.create(), PiiCodec.IDENTITY)
            .claimOutbox(now, "worker-1", now.plusSeconds(60), 2);
        assertThat(held).extracting(OutboxEntry::key).containsExactly("k-0", "k-1");

        Future<List<OutboxEntry>> second = pool.submit(() ->
            claimsOf(store).claim(SHOP, now, "worker-2", now.plusSeconds(60), 10));
        assertThat(second.get(5, TimeUnit.SECONDS)).extracting(OutboxEntry::key)
            .containsExactly("k-2", "k-3", "k-4", "k-5");
        first.commit();
      }
      assertThat(claimsOf(store).claim(SHOP, now, "worker-3", now.plusSeconds(60), 10)).isEmpty();
    } finally {
      pool.shutdownNow();
      db.drop().run();
    }
  }
}
