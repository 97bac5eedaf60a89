package io.cdpkit.storage.jdbc;

import static io.cdpkit.storage.jdbc.StorageCapabilities.claimsOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What callers see when the database fails: a {@link StorageException} that says whether a
 * retry may help, names no personal data (not in its message, not in its causes' messages), and
 * leaves nothing half-written.
 */
class StorageErrorsTest {
  static final String SECRET = "jane.secret@example.com";

  /** An H2 database whose connections can be made to fail: to open, or to commit. */
  static final class Flaky {
    final JdbcDataSource h2 = new JdbcDataSource();
    volatile boolean down;
    final AtomicInteger commitFailures = new AtomicInteger();
    volatile String commitState = "53100";

    Flaky() {
      h2.setURL("jdbc:h2:mem:flaky-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
      h2.setUser("sa");
    }

    DataSource dataSource() {
      return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
            if (m.getName().equals("getConnection")) {
              if (down) {
                throw new SQLException("Connection refused to host with " + SECRET, "08001");
              }
              return connection(h2.getConnection());
            }
            return Proxies.forward(h2, m, args);
          });
    }

    private Connection connection(Connection c) {
      return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, m, args) -> {
            if (m.getName().equals("commit") && commitFailures.get() > 0) {
              commitFailures.decrementAndGet();
              c.rollback();
              throw new SQLException("Commit failed while writing " + SECRET, commitState);
            }
            return Proxies.forward(c, m, args);
          });
    }

  }

  static Event identify(String id) {
    return Event.identify().messageId(id).userId("C-1").trait("email", SECRET)
        .timestamp(Instant.parse("2026-02-01T10:00:00Z")).build();
  }

  static String everything(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  @DisplayName("a database that cannot be reached is a retryable StorageException without personal data")
  void databaseDown() {
    Flaky db = new Flaky();
    try (JdbcStore store = JdbcStore.builder().dataSource(db.dataSource()).build();
        Cdp cdp = Cdp.builder().store(store).build()) {
      db.down = true;
      assertThatThrownBy(() -> cdp.ingest(identify("m-1")))
          .isInstanceOfSatisfying(StorageException.class, e -> {
            assertThat(e.isRetryable()).isTrue();
            assertThat(everything(e)).doesNotContain(SECRET).contains("08001");
          });
      db.down = false;
      assertThat(cdp.ingest(identify("m-1")).status()).isEqualTo(IngestResult.Status.STORED);
    }
  }

  @Test
  @DisplayName("a full disk at commit stores nothing, says it is not retryable, and names no personal data")
  void diskFullAtCommit() {
    Flaky db = new Flaky();
    try (JdbcStore store = JdbcStore.builder().dataSource(db.dataSource()).build();
        Cdp cdp = Cdp.builder().store(store).build()) {
      db.commitFailures.set(1);
      assertThatThrownBy(() -> cdp.ingest(identify("m-1")))
          .isInstanceOfSatisfying(StorageException.class, e -> {
            assertThat(e.isRetryable()).isFalse();
            assertThat(everything(e)).doesNotContain(SECRET).contains("53100");
          });
      assertThat(cdp.profiles().find(Identifier.customerId("C-1"))).isEmpty();
      assertThat(cdp.profiles().eventCounts()).isEmpty();
      assertThat(cdp.ingest(identify("m-1")).status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(cdp.profiles().find(Identifier.email(SECRET))).isPresent();
    }
  }

  @Test
  @DisplayName("a serialization failure at commit is retried and the event is stored once")
  void retryableCommitFailureIsRetried() {
    Flaky db = new Flaky();
    try (JdbcStore store = JdbcStore.builder().dataSource(db.dataSource()).build();
        Cdp cdp = Cdp.builder().store(store).build()) {
      db.commitState = "40001";
      db.commitFailures.set(2);
      assertThat(cdp.ingest(identify("m-1")).status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(db.commitFailures.get()).as("failed commits left over").isZero();
      assertThat(cdp.profiles().eventCounts().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(1);
    }
  }

  @Test
  @DisplayName("an outbox claim whose commit fails with a serialization failure is retried and"
      + " claims each entry once; one whose commit fails for good claims nothing")
  void claimCommitFailures() {
    Flaky db = new Flaky();
    WorkspaceId shop = WorkspaceId.of("shop-amsterdam");
    Instant t = Instant.parse("2026-02-01T10:00:00Z");
    OutboxEntry entry = OutboxEntry.pending("k-1", "winback-email", ProfileId.of("p-1"),
        "email", t, t, "{\"email\":\"" + SECRET + "\"}");
    try (JdbcStore store = JdbcStore.builder().dataSource(db.dataSource()).build()) {
      store.write(shop, tx -> outboxOf(tx).insertOutbox(entry));

      db.commitState = "53100";
      db.commitFailures.set(1);
      assertThatThrownBy(() -> claimsOf(store).claim(shop, t, "worker-1", t.plusSeconds(60), 10))
          .isInstanceOfSatisfying(StorageException.class, e -> {
            assertThat(e.isRetryable()).isFalse();
            assertThat(everything(e)).doesNotContain(SECRET).contains("53100");
          });
      Optional<OutboxEntry> stored = store.read(shop, tx -> outboxOf(tx).outbox("k-1"));
      assertThat(stored).contains(entry);

      db.commitState = "40001";
      db.commitFailures.set(2);
      assertThat(claimsOf(store).claim(shop, t, "worker-2", t.plusSeconds(60), 10))
          .containsExactly(entry.claimed("worker-2", t.plusSeconds(60)));
      assertThat(db.commitFailures.get()).as("failed commits left over").isZero();
      assertThat(claimsOf(store).claim(shop, t, "worker-3", t.plusSeconds(60), 10)).isEmpty();
      stored = store.read(shop, tx -> outboxOf(tx).outbox("k-1"));
      assertThat(stored).contains(entry.claimed("worker-2", t.plusSeconds(60)));
    }
  }
}
