package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.storage.jdbc.PiiCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions over a {@link DataSource}.
 *
 * <ul>
 *   <li>A write transaction runs at READ COMMITTED and buffers what it writes
 *       ({@link BufferedTx}), which is written at the end in JDBC batches. How writers of one
 *       workspace meet depends on the database ({@link Dialect#concurrentWriters}):
 *       <ul>
 *         <li><b>H2</b> (embedded, one process): a writer takes its workspace's local lock, then
 *             locks the workspace's row ({@code SELECT ... FOR UPDATE}); the writers of a
 *             workspace run one after the other.
 *         <li><b>PostgreSQL, MariaDB</b> (many nodes on one database): a writer takes the
 *             workspace's lock in shared mode (locally a read lock; in the database a shared
 *             advisory lock on PostgreSQL, a shared lock on the workspace's row on MariaDB),
 *             so writers run side by side. An ingest's prefetch locks the existing rows of its
 *             batch's identifiers up front and reads them under those locks (nodes, then
 *             profiles, then components, each in key order), so another writer of the same
 *             customers waits for it rather than overtaking it. Before it writes, it locks the
 *             other rows it read or will change (the same order) and checks that what it read
 *             still holds ({@link BufferedTx#flush}); new nodes and events are
 *             plain inserts, so two writers creating the same key meet on it. A writer that
 *             finds a row changed, or a key taken, fails with a {@link WriteConflict} and runs
 *             again reading through the cache; after a second conflict it runs holding the
 *             workspace's lock exclusively, where it cannot meet another writer. Work that writes metadata, deletes, erases or
 *             appends to the audit log runs alone from the start (a writer side by side that
 *             reaches such a call stops with {@link BufferedTx.NeedsAlone} and runs again
 *             alone). Writers of different customers never wait for each other; writers of
 *             one customer wait on its rows.
 *       </ul>
 *       Serialization failures, deadlocks, lock timeouts and lost connections are retried up
 *       to {@value #ATTEMPTS} times with exponential backoff and jitter; anything else rolls
 *       back and propagates unchanged.
 *   <li>A read sees every write transaction wholly or not at all. On H2 it reads the
 *       workspace's version, is answered by the cache at that version, and opens a snapshot
 *       transaction (SNAPSHOT) only when it needs the database and the version is still the
 *       same; else it starts over in a snapshot. On PostgreSQL and MariaDB no version announces
 *       the changes of writers side by side: a read first runs on the cache alone and then
 *       checks every entry it used against the database in one statement ({@link
 *       #readFromCache}); if it needed the database, or an entry changed, it runs again in a
 *       snapshot (REPEATABLE READ).
 *   <li>Writers go through the {@link WorkspaceCache}: on H2 it is never stale (see there);
 *       on PostgreSQL and MariaDB what a writer takes from it is checked under the row locks
 *       before the commit. Outbox entries and delivery lines are not cached; a transaction
 *       that changed only those does not advance the workspace's version ({@link BufferedTx}).
 *   <li>An outbox claim ({@link #claimOutbox}, activation's {@code OutboxClaims}) is a short
 *       transaction of its own at READ COMMITTED that locks the due rows it takes
 *       ({@code FOR UPDATE SKIP LOCKED}) and sets their lease. It does not lock the
 *       workspace's row: claims do not queue behind writers, nor behind each other.
 *   <li>A read's transaction throws {@link IllegalStateException} on every write, its
 *       capabilities' writes included: nothing a read buffers would ever be written.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class JdbcStoreEngine {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcStoreEngine.class);
  static final int ATTEMPTS = 6;

  private final DataSource dataSource;
  private final Dialect dialect;
  private final RecordCodec codec = RecordCodec.create();
  private final PiiCodec pii;
  /** Workspaces known to have their row in {@code cdp_workspaces}. */
  private final Set<String> knownWorkspaces = ConcurrentHashMap.newKeySet();
  private final WorkspaceCache cache;
  private final Statistics statistics;
  private final boolean markDeletions;

  /**
   * Opens the store: detects the dialect, migrates the schema, and checks that the codec is the
   * one the data was written with ({@link CodecGuard}).
   *
   * @param cacheSize entries the cache keeps; 0 disables it
   */
  public JdbcStoreEngine(DataSource dataSource, PiiCodec pii, long cacheSize) {
    this(dataSource, pii, cacheSize, false);
  }

  /**
   * As {@link #JdbcStoreEngine(DataSource, PiiCodec, long)}; with {@code markDeletions}, every
   * write transaction that erases or deletes events also writes
   * {@link BufferedTx#COMPACTION_PENDING} (the embedded H2 file store rewrites its file then).
   */
  public JdbcStoreEngine(DataSource dataSource, PiiCodec pii, long cacheSize,
      boolean markDeletions) {
    this.markDeletions = markDeletions;
    this.dataSource = dataSource;
    this.pii = pii;
    this.cache = new WorkspaceCache(cacheSize);
    try (Connection c = dataSource.getConnection()) {
      this.dialect = Dialect.of(c);
      synchronized (JdbcStoreEngine.class) {
        Schema.migrate(c, dialect);
      }
      CodecGuard.check(c, CodecGuard.fingerprint(pii));
    } catch (SQLException e) {
      throw Rows.fail("opening the store", e);
    }
    this.statistics = new Statistics(dataSource, dialect);
    LOG.info("CDPKit JDBC store opened on {} (schema version {})", dialect, Schema.VERSION);
  }

  /**
   * A failed statement as callers see it: what was being done, SQLState and vendor code,
   * whether a retry may help, and no message text from the driver (it may quote values).
   */
  public static StorageException failure(String what, SQLException e) {
    return Rows.fail(what, e);
  }

  public Dialect dialect() {
    return dialect;
  }

  public <T> T write(WorkspaceId ws, Function<? super WriteTransaction, ? extends T> work) {
    boolean concurrent = dialect.concurrentWriters();
    boolean alone = !concurrent;
    boolean readThrough = false;
    int conflicts = 0;
    int[] written = {0};
    T result;
    for (int attempt = 1; ; attempt++) {
      ReentrantReadWriteLock locks = cache.writers(ws.value());
      Lock local = alone ? locks.writeLock() : locks.readLock();
      try {
        local.lockInterruptibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted while waiting for the workspace", false, e);
      }
      try {
        // Inside the loop: registering a new workspace fails as any write can (a lock
        // timeout while other nodes or threads register or write), and is retried as one.
        ensureWorkspace(ws);
        boolean aloneNow = alone;
        boolean readThroughNow = readThrough;
        result = cache.maintainedAfter(
            () -> writeOnce(ws, work, written, concurrent, aloneNow, readThroughNow));
        break;
      } catch (BufferedTx.NeedsAlone e) {
        // The work does what only a writer alone in the workspace may: again, alone. Not a
        // failure, so not an attempt.
        alone = true;
        attempt--;
        continue;
      } catch (WriteConflict e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
        // Another writer got to the same customer first. Once: again beside the others, on
        // what the database holds now (the cache may hold more that other nodes changed).
        // Twice: alone, which cannot meet another writer (the exclusive lock waits for the
        // writers beside it), so contention cannot starve a writer. No wait either way.
        conflicts++;
        LOG.debug("a write in workspace {} met a concurrent writer ({} time(s)); running it"
            + " again{}", ws, conflicts, conflicts > 1 ? " alone" : "");
        alone = conflicts > 1;
        readThrough = true;
        continue;
      } catch (StorageException e) {
        if (!e.isRetryable() || attempt >= ATTEMPTS) {
          throw e;
        }
        LOG.debug("retrying a write in workspace {} after a retryable failure (attempt {})",
            ws, attempt);
      } finally {
        local.unlock();
      }
      backoff(attempt);
    }
    // After the connection went back and the lock is free: it may take a connection itself.
    statistics.wrote(written[0]);
    return result;
  }

  private <T> T writeOnce(WorkspaceId ws,
      Function<? super WriteTransaction, ? extends T> work, int[] written, boolean concurrent,
      boolean alone, boolean readThrough) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      WorkspaceCache.Session session = null;
      try {
        Rows rows = new Rows(c, dialect, ws.value(), codec, pii);
        long version;
        if (!concurrent) {
          version = rows.lockWorkspace();
          session = cache.writer(ws.value(), version);
        } else if (alone) {
          version = rows.lockWorkspaceAlone();
          session = cache.writer(ws.value(), version);
        } else {
          version = rows.lockWorkspaceShared();
          session = cache.reader(ws.value(), version);
        }
        BufferedTx tx = new BufferedTx(rows, session);
        if (markDeletions) {
          tx.markingDeletions();
        }
        if (concurrent) {
          tx.concurrent(alone);
        }
        if (readThrough) {
          tx.readingThrough();
        }
        T result = work.apply(tx);
        if (!tx.changed()) {
          c.commit();
          return result;
        }
        Map<WorkspaceCache.Key, @Nullable Object> changes = tx.flush(version);
        if (!alone) {
          c.commit();
          session.commitBeside(changes);
          written[0] = tx.rowsWritten(changes);
          return result;
        }
        if (!tx.advancesVersion()) {
          // Only outbox entries and delivery lines, which no cache holds: the version and the
          // cache stay as they are.
          c.commit();
          written[0] = tx.rowsWritten(changes);
          return result;
        }
        session.beginApply();
        c.commit();
        session.commit(changes);
        written[0] = tx.rowsWritten(changes);
        return result;
      } catch (RuntimeException | Error | SQLException e) {
        rollbackQuietly(c, e);
        if (session != null) {
          session.abort();
        }
        throw e;
      }
    } catch (SQLException e) {
      throw Rows.fail("a write transaction", e);
    }
  }

  /** The workspace moved on between a read's version check and its snapshot. */
  private static final class Moved extends RuntimeException {
    Moved() {
      super(null, null, false, false);
    }
  }

  /**
   * A read. First optimistically: the workspace's version in one autocommit statement, then the
   * work on the cache; only if the work needs the database does a snapshot transaction begin,
   * and its version must be the one read first (the same version is the same committed state),
   * else the read starts over in a snapshot from the start. A read the cache answers costs one
   * statement.
   */
  public <T> T read(WorkspaceId ws, Function<? super ReadTransaction, ? extends T> work) {
    if (cache.enabled() && dialect.concurrentWriters()) {
      try {
        return readFromCache(ws, work);
      } catch (Moved m) {
        LOG.debug("a read in workspace {} needs the database; reading in a snapshot", ws);
      } catch (StorageException e) {
        if (!e.isRetryable()) {
          throw e;
        }
      }
    }
    if (cache.enabled() && !dialect.concurrentWriters()) {
      try {
        return readOptimistically(ws, work);
      } catch (Moved m) {
        LOG.debug("workspace {} moved on during a read; reading in a snapshot", ws);
      } catch (StorageException e) {
        if (!e.isRetryable()) {
          throw e;
        }
      }
    }
    return readInSnapshot(ws, work);
  }

  /**
   * A read where writers run side by side, answered from the cache if it can be: the work runs
   * on the cache alone (its first need of the database abandons the attempt), then every entry
   * it used is checked against the database in one statement ({@link
   * BufferedTx#cachedReadsHold}); only if all hold is its answer returned. A read the cache
   * answers costs that one statement; any other reads in a snapshot.
   *
   * @throws Moved when the attempt is abandoned
   */
  private <T> T readFromCache(WorkspaceId ws,
      Function<? super ReadTransaction, ? extends T> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      Rows rows = new Rows(c, dialect, ws.value(), codec, pii);
      WorkspaceCache.Session session = cache.besideReader(ws.value());
      rows.beforeNextQuery(() -> {
        throw new Moved();
      });
      BufferedTx tx = new BufferedTx(rows, session).readOnly().checkingCache();
      T result = work.apply(tx);
      rows.beforeNextQuery(null);
      if (!tx.cachedReadsHold(cache.version(session))) {
        throw new Moved();
      }
      return result;
    } catch (SQLException e) {
      throw Rows.fail("a read transaction", e);
    }
  }

  private <T> T readOptimistically(WorkspaceId ws,
      Function<? super ReadTransaction, ? extends T> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      Rows rows = new Rows(c, dialect, ws.value(), codec, pii);
      long version = rows.version();
      boolean[] inTransaction = {false};
      rows.beforeNextQuery(() -> {
        c.setAutoCommit(false);
        inTransaction[0] = true;
        dialect.beginSnapshotRead(c);
        if (rows.version() != version) {
          throw new Moved();
        }
      });
      try {
        T result = work.apply(
            new BufferedTx(rows, cache.reader(ws.value(), version)).readOnly());
        if (inTransaction[0]) {
          c.commit();
        }
        return result;
      } catch (RuntimeException | Error e) {
        if (inTransaction[0]) {
          rollbackQuietly(c, e);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw Rows.fail("a read transaction", e);
    }
  }

  private <T> T readInSnapshot(WorkspaceId ws,
      Function<? super ReadTransaction, ? extends T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        dialect.beginSnapshotRead(c);
        c.setReadOnly(true);
        try {
          Rows rows = new Rows(c, dialect, ws.value(), codec, pii);
          // Where writers run side by side, no version announces their changes: the snapshot
          // alone answers.
          WorkspaceCache.Session session = dialect.concurrentWriters()
              ? cache.fillingReader(ws.value()) : cache.reader(ws.value(), rows.version());
          BufferedTx tx = new BufferedTx(rows, session).readOnly();
          if (dialect.concurrentWriters()) {
            tx.checkingCache();
          }
          T result = work.apply(tx);
          c.commit();
          return result;
        } catch (RuntimeException | Error e) {
          rollbackQuietly(c, e);
          throw e;
        } finally {
          c.setReadOnly(false);
        }
      } catch (SQLException e) {
        StorageException se = Rows.fail("a read transaction", e);
        if (!se.isRetryable() || attempt >= ATTEMPTS) {
          throw se;
        }
      } catch (StorageException e) {
        if (!e.isRetryable() || attempt >= ATTEMPTS) {
          throw e;
        }
      }
      backoff(attempt);
    }
  }

  /**
   * Claims due outbox entries in a transaction of its own, at READ COMMITTED, committed before
   * this returns (see {@link Rows#claimOutbox} for the statements). It takes no lock on the
   * workspace's row, so it neither waits for nor blocks the workspace's writers; it skips the
   * rows other claims and writers hold instead of waiting for them. Retryable failures are
   * retried as writes are. When a commit's outcome is unknown (a connection lost during it), the
   * entries may be leased without anybody holding them: they are claimable again once the lease
   * runs out.
   */
  public List<OutboxEntry> claimOutbox(WorkspaceId ws, Instant now, String lease,
      Instant leaseUntil, int limit) {
    for (int attempt = 1; ; attempt++) {
      try {
        return claimOnce(ws, now, lease, leaseUntil, limit);
      } catch (StorageException e) {
        if (!e.isRetryable() || attempt >= ATTEMPTS) {
          throw e;
        }
        LOG.debug("retrying an outbox claim in workspace {} after a retryable failure"
            + " (attempt {})", ws, attempt);
      }
      backoff(attempt);
    }
  }

  /**
   * Activation's {@code OutboxClaims} over {@link #claimOutbox}, typed {@code Object} so that
   * this class does not name it: only a caller that asks for the capability loads it (a host
   * without cdp-activation-spi never does).
   */
  public Object outboxClaims() {
    return new EngineOutboxClaims(this);
  }

  private List<OutboxEntry> claimOnce(WorkspaceId ws, Instant now, String lease,
      Instant leaseUntil, int limit) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      try {
        List<OutboxEntry> claimed = new Rows(c, dialect, ws.value(), codec, pii)
            .claimOutbox(now, lease, leaseUntil, limit);
        c.commit();
        return claimed;
      } catch (RuntimeException | Error | SQLException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw Rows.fail("an outbox claim", e);
    }
  }

  /**
   * Re-encrypts under the current key every value stored under another ({@link KeyRotator}):
   * short transactions of their own, safe while others write. Stops between batches when
   * {@code stop} says so.
   *
   * @param progress told, per table, the rows rewritten so far and whether the table is done
   * @return rows rewritten per table
   * @throws IllegalStateException when the store does not encrypt
   */
  public Map<String, Long> rotateKeys(int batchSize, BooleanSupplier stop,
      RotationProgress progress) {
    if (!(pii instanceof AesGcmCodec aes)) {
      throw new IllegalStateException("key rotation needs a store with encryption");
    }
    return new KeyRotator(dataSource, aes, batchSize).run(stop, progress::progress);
  }

  /** What {@link #rotateKeys} reports per table. */
  @FunctionalInterface
  public interface RotationProgress {
    void progress(String table, long rewritten, boolean tableDone);
  }

  /**
   * Inserts the workspace's row in {@code cdp_workspaces} unless this engine knows it is there,
   * in an autocommit statement of its own. Concurrent registrations of one workspace (threads,
   * nodes) insert it once; a retryable failure ({@link StorageException#isRetryable()}) is
   * retried by the caller's loop like any failed write.
   */
  private void ensureWorkspace(WorkspaceId ws) {
    if (knownWorkspaces.contains(ws.value())) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      if (!workspaceExists(c, ws)) {
        // Two nodes may register it at once: the second insert does nothing.
        try (PreparedStatement p = c.prepareStatement(
            dialect.insertIfAbsent("cdp_workspaces", List.of("workspace")))) {
          p.setString(1, ws.value());
          p.executeUpdate();
        }
      }
      knownWorkspaces.add(ws.value());
    } catch (SQLException e) {
      throw Rows.fail("registering a workspace", e);
    }
  }

  private static boolean workspaceExists(Connection c, WorkspaceId ws) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT 1 FROM cdp_workspaces WHERE workspace = ?")) {
      p.setString(1, ws.value());
      try (ResultSet rs = p.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(Rows.withheld(e));
    }
  }

  private static void backoff(int attempt) {
    long base = 5L << Math.min(attempt, 8);
    try {
      Thread.sleep(base + ThreadLocalRandom.current().nextLong(base));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting to retry", false, e);
    }
  }
}
