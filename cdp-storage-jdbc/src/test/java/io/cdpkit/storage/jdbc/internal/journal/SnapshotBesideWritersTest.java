package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.storage.jdbc.PiiCodec;
import io.cdpkit.storage.jdbc.internal.JdbcStoreEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot that appends the journal to the last snapshot's frames does not touch memory: the
 * workspace's writers go on while it runs, and what they write after its mark stays in the
 * journal for the next open.
 */
class SnapshotBesideWritersTest {
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private JdbcDataSource dataSource() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath()
        + ";DB_CLOSE_DELAY=-1;WRITE_DELAY=0");
    return ds;
  }

  private JournaledStore open(JdbcDataSource ds) {
    new JdbcStoreEngine(ds, PiiCodec.IDENTITY, 0, true); // migrates the schema
    return new JournaledStore(ds, PiiCodec.IDENTITY, Long.MAX_VALUE, dir.resolve("snapshots"));
  }

  private static void put(JournaledStore store, ProfileRecord r) {
    store.write(WS, tx -> {
      tx.putProfile(r);
      return null;
    });
  }

  private static ProfileRecord read(JournaledStore store, ProfileRecord like) {
    return store.read(WS, tx -> tx.profile(like.id()).orElse(null));
  }

  @Test
  void writersGoOnWhileASnapshotAppendsAndWhatTheyWroteAfterItsMarkStays() throws Exception {
    JdbcDataSource ds = dataSource();
    ProfileRecord zeroth = JournalFixtures.profile(2, 1);
    ProfileRecord first = JournalFixtures.profile(0, 1);
    ProfileRecord during = JournalFixtures.profile(1, 3);
    ProfileRecord rewritten = JournalFixtures.profile(0, 7);
    long mark;
    try (AutoCloseableStore open = new AutoCloseableStore(open(ds))) {
      JournaledStore store = open.store;
      put(store, zeroth);
      store.checkpoint(); // copied: the next one may append
      put(store, first);
      CountDownLatch marked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      store.afterSnapshotMark = () -> {
        marked.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
      Future<?> checkpoint = pool.submit(store::checkpoint);
      assertThat(marked.await(30, TimeUnit.SECONDS)).as("the snapshot took its mark").isTrue();
      // The snapshot is running; a writer of its workspace does not wait for it.
      Future<?> writer = pool.submit(() -> {
        put(store, during);
        put(store, rewritten);
      });
      writer.get(10, TimeUnit.SECONDS);
      assertThat(checkpoint).isNotDone();
      release.countDown();
      checkpoint.get(30, TimeUnit.SECONDS);
      assertThat(read(store, first)).isEqualTo(rewritten);
      assertThat(read(store, during)).isEqualTo(during);
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        mark = single(s, "SELECT covers FROM cdp_snapshots");
        assertThat(mark).as("the snapshot covers the row before it started").isEqualTo(2);
        assertThat(single(s, "SELECT COUNT(*) FROM cdp_journal WHERE seq > " + mark))
            .as("the rows written while it ran").isEqualTo(2);
        assertThat(single(s, "SELECT COUNT(*) FROM cdp_journal WHERE seq <= " + mark))
            .as("rows the snapshot covers are deleted").isZero();
      }
    }
    // The snapshot holds the state at its mark; the journal after it gives the rest.
    try (AutoCloseableStore open = new AutoCloseableStore(open(ds))) {
      assertThat(read(open.store, first)).isEqualTo(rewritten);
      assertThat(read(open.store, during)).isEqualTo(during);
      assertThat(read(open.store, zeroth)).isEqualTo(zeroth);
      open.store.checkpoint();
    }
    try (AutoCloseableStore open = new AutoCloseableStore(open(ds))) {
      assertThat(read(open.store, first)).isEqualTo(rewritten);
      assertThat(read(open.store, during)).isEqualTo(during);
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        assertThat(single(s, "SELECT COUNT(*) FROM cdp_journal")).isZero();
        assertThat(single(s, "SELECT covers FROM cdp_snapshots")).isEqualTo(4);
        s.execute("SHUTDOWN");
      }
    }
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  /** Closes the journaled store at the end of a block. */
  private record AutoCloseableStore(JournaledStore store) implements AutoCloseable {
    @Override
    public void close() {
      store.close();
    }
  }
}
