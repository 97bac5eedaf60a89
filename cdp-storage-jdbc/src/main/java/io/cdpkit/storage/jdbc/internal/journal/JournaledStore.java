package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.storage.jdbc.PiiCodec;
import io.cdpkit.storage.jdbc.internal.JdbcStoreEngine;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journaled layout of the embedded H2 file store: the whole state lives in the in-memory
 * store's structures ({@link Store#inMemory()}), every write transaction that changed something
 * is made durable by one row of {@code cdp_journal} (its writes as one binary body, see
 * {@link JournalingTransaction}) committed before the transaction's changes become visible, and
 * checkpoints apply the journal to the row tables ({@link JdbcStoreEngine}, the layout the
 * servers use) and delete the rows they applied.
 *
 * <ul>
 *   <li><b>Open.</b> The row tables are loaded into memory ({@link TableLoader}), then the
 *       journal's rows that no checkpoint applied yet are replayed in order. Each workspace's
 *       tables record the last journal row applied to them
 *       ({@value #APPLIED}, written in the checkpoint's own transaction), so a crash between a
 *       checkpoint's commits and its deletion of the rows replays nothing twice.
 *   <li><b>Write.</b> Under the in-memory store's workspace lock: the work, then the journal row
 *       (one insert, committed and written to the file before it returns, as every H2 file
 *       commit), then the in-memory commit. A failed insert rolls the in-memory changes back.
 *   <li><b>Checkpoint.</b> When the journal rows not yet applied exceed a size, in the
 *       background; at once after a transaction that erased or deleted personal data (so the
 *       journal rows holding it are deleted, and the row tables mark the file for the rewrite
 *       on close, as before); before a key rotation; on close. Writers go on while a
 *       background checkpoint runs: it reads only committed rows.
 *   <li><b>Read.</b> From memory alone.
 * </ul>
 *
 * <p>Thread-safe. One instance per database file: two would each hold their own state.
 */
public final class JournaledStore {
  private static final Logger LOG = LoggerFactory.getLogger(JournaledStore.class);

  /** Metadata key of the row tables: the last journal row applied to this workspace's rows. */
  public static final String APPLIED = "cdp.store.journal-applied";

  /** The codec's column name of metadata values (as the row tables' code names it). */
  private static final String METADATA_VALUE = "cdp_metadata.meta_value";

  /** The codec's column name for protected journal bodies. */
  static final String BODY_COLUMN = "cdp_journal.body";

  /** Journal bytes applied per checkpoint transaction, at most (one row may exceed it). */
  static final long CHECKPOINT_CHUNK_BYTES = 16L << 20;

  private static final String OUTBOX_CLAIMS = "io.cdpkit.activation.spi.storage.OutboxClaims";

  private final DataSource dataSource;
  private final JdbcStoreEngine tables;
  private final PiiCodec pii;
  private final boolean plain;
  private final Store memory = Store.inMemory();
  private final long checkpointBytes;

  private final Object appendLock = new Object();
  /** The number of the next journal row. Guarded by {@link #appendLock}. */
  private long nextSeq;
  /** Guarded by {@link #appendLock}. */
  private @Nullable Connection appender;
  /** Guarded by {@link #appendLock}. */
  private @Nullable PreparedStatement insert;

  private final ReentrantLock checkpointLock = new ReentrantLock();
  /** Journal bytes appended since the last checkpoint began. */
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicBoolean checkpointQueued = new AtomicBoolean();
  private final ExecutorService background;
  private volatile boolean closed;
  private volatile @Nullable Object claims;

  /**
   * Opens the journaled layout over an opened (migrated) row store: loads the tables and
   * replays the journal.
   *
   * @param checkpointBytes journal bytes after which a background checkpoint starts
   * @throws StorageException when the database cannot be read or a journal row is malformed
   */
  public JournaledStore(DataSource dataSource, JdbcStoreEngine tables, PiiCodec pii,
      long checkpointBytes) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.tables = Objects.requireNonNull(tables, "tables");
    this.pii = Objects.requireNonNull(pii, "pii");
    this.plain = pii == PiiCodec.IDENTITY;
    if (checkpointBytes < 1) {
      throw new IllegalArgumentException("checkpointBytes must be positive");
    }
    this.checkpointBytes = checkpointBytes;
    this.background = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cdpkit-journal-checkpoint");
      t.setDaemon(true);
      return t;
    });
    try {
      load();
    } catch (RuntimeException e) {
      background.shutdownNow();
      throw e;
    }
  }

  private void load() {
    long started = System.nanoTime();
    long replayed = 0;
    try (Connection c = dataSource.getConnection()) {
      Map<String, Long> applied = new HashMap<>();
      long maxApplied = 0;
      for (WorkspaceId ws : TableLoader.workspaces(c)) {
        memory.write(ws, tx -> {
          TableLoader.load(c, pii, ws, tx);
          return null;
        });
        long a = applied(c, ws.value());
        applied.put(ws.value(), a);
        maxApplied = Math.max(maxApplied, a);
      }
      long maxSeq = maxApplied;
      try (PreparedStatement p = c.prepareStatement(
          "SELECT seq, workspace, body, body_text FROM cdp_journal ORDER BY seq")) {
        p.setFetchSize(64);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            long seq = rs.getLong(1);
            String ws = rs.getString(2);
            maxSeq = Math.max(maxSeq, seq);
            if (seq <= applied.getOrDefault(ws, 0L)) {
              continue;
            }
            byte[] body = body(ws, rs);
            memory.write(WorkspaceId.of(ws), tx -> {
              JournalCodec.replay(body, tx);
              return null;
            });
            pendingBytes.addAndGet(body.length);
            replayed++;
          }
        }
      }
      nextSeq = maxSeq + 1;
    } catch (SQLException e) {
      throw JdbcStoreEngine.failure("loading the store", e);
    }
    LOG.info("CDPKit H2 file store loaded in {} ms ({} journal rows replayed)",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), replayed);
  }

  private long applied(Connection c, String ws) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(
        "SELECT meta_value FROM cdp_metadata WHERE workspace = ? AND meta_key = ?")) {
      p.setString(1, ws);
      p.setString(2, APPLIED);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Long.parseLong(pii.reveal(ws, METADATA_VALUE, rs.getString(1))) : 0L;
      }
    }
  }

  private byte[] body(String ws, ResultSet rs) throws SQLException {
    byte[] raw = rs.getBytes(3);
    if (raw != null) {
      return raw;
    }
    String text = rs.getString(4);
    if (text == null) {
      throw new StorageException("a journal row has no body", false, null);
    }
    return Base64.getDecoder().decode(
        pii.reveal(ws, BODY_COLUMN, text).getBytes(StandardCharsets.US_ASCII));
  }

  /** As {@link Store#write}: the work, then its journal row, then the in-memory commit. */
  public <T> T write(WorkspaceId workspace, Function<? super WriteTransaction, ? extends T> work) {
    checkOpen();
    boolean[] erased = {false};
    T result = memory.write(workspace, tx -> {
      JournalingTransaction jtx = new JournalingTransaction(tx);
      T r = work.apply(jtx);
      if (!jtx.isEmpty()) {
        append(workspace, jtx.encode());
        erased[0] = jtx.erases();
      }
      return r;
    });
    if (erased[0]) {
      checkpoint();
    } else if (pendingBytes.get() >= checkpointBytes) {
      queueCheckpoint();
    }
    return result;
  }

  /** As {@link Store#read}: from memory. */
  public <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work) {
    checkOpen();
    return memory.read(workspace, work);
  }

  /** As {@link Store#capability}: activation's {@code OutboxClaims}, journaled. */
  public <C> Optional<C> capability(Class<C> type) {
    Objects.requireNonNull(type, "type");
    if (!type.getName().equals(OUTBOX_CLAIMS)) {
      return Optional.empty();
    }
    Object c = claims;
    if (c == null) {
      Optional<C> inner = memory.capability(type);
      if (inner.isEmpty()) {
        return Optional.empty();
      }
      c = JournaledClaims.over(inner.get(), this);
      claims = c;
    }
    return type.isInstance(c) ? Optional.of(type.cast(c)) : Optional.empty();
  }

  /** For claims: runs {@code work} holding the journal's append lock. */
  <T> T claiming(java.util.function.Supplier<T> work) {
    checkOpen();
    synchronized (appendLock) {
      return work.get();
    }
  }

  /** For claims: appends a journal row; the caller holds the append lock. */
  void appendHoldingLock(WorkspaceId ws, byte[] body) {
    append(ws, body);
  }

  private void append(WorkspaceId ws, byte[] body) {
    synchronized (appendLock) {
      checkOpen();
      try {
        if (insert == null) {
          Connection c = dataSource.getConnection();
          c.setAutoCommit(true);
          appender = c;
          insert = c.prepareStatement(
              "INSERT INTO cdp_journal (seq, workspace, body, body_text) VALUES (?, ?, ?, ?)");
        }
        long seq = nextSeq;
        insert.setLong(1, seq);
        insert.setString(2, ws.value());
        if (plain) {
          insert.setBytes(3, body);
          insert.setNull(4, Types.CLOB);
        } else {
          insert.setNull(3, Types.VARBINARY);
          insert.setString(4, pii.protect(ws.value(), BODY_COLUMN,
              Base64.getEncoder().encodeToString(body)));
        }
        insert.executeUpdate();
        nextSeq = seq + 1;
        pendingBytes.addAndGet(body.length);
      } catch (SQLException e) {
        closeAppender();
        throw JdbcStoreEngine.failure("appending to the journal", e);
      }
    }
  }

  private void closeAppender() {
    synchronized (appendLock) {
      Connection c = appender;
      appender = null;
      insert = null;
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          LOG.debug("closing the journal's connection failed", e);
        }
      }
    }
  }

  private void queueCheckpoint() {
    if (closed || !checkpointQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      background.execute(() -> {
        try {
          checkpoint();
        } catch (RuntimeException e) {
          LOG.warn("a background checkpoint failed; the journal keeps the rows", e);
        } finally {
          checkpointQueued.set(false);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      checkpointQueued.set(false);
    }
  }

  /**
   * Applies every journal row committed so far to the row tables and deletes them. One
   * checkpoint at a time; writers go on meanwhile.
   *
   * @throws StorageException when the tables cannot be written (the journal keeps the rows)
   */
  public void checkpoint() {
    checkpointLock.lock();
    try {
      long upTo;
      synchronized (appendLock) {
        upTo = nextSeq - 1;
      }
      long before = pendingBytes.get();
      long appliedBytes = 0;
      try (Connection c = dataSource.getConnection()) {
        List<String> workspaces = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(
            "SELECT DISTINCT workspace FROM cdp_journal WHERE seq <= ?")) {
          p.setLong(1, upTo);
          try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
              workspaces.add(rs.getString(1));
            }
          }
        }
        for (String ws : workspaces) {
          appliedBytes += checkpoint(c, ws, upTo);
        }
        try (PreparedStatement p = c.prepareStatement("DELETE FROM cdp_journal WHERE seq <= ?")) {
          p.setLong(1, upTo);
          p.executeUpdate();
        }
        if (!c.getAutoCommit()) {
          c.commit();
        }
      } catch (SQLException e) {
        throw JdbcStoreEngine.failure("checkpointing the journal", e);
      }
      pendingBytes.addAndGet(-Math.min(appliedBytes, before));
    } finally {
      checkpointLock.unlock();
    }
  }

  /** Applies one workspace's rows up to {@code upTo}, in chunks; returns the bytes applied. */
  private long checkpoint(Connection c, String ws, long upTo) throws SQLException {
    long done = applied(c, ws);
    long bytes = 0;
    WorkspaceId workspace = WorkspaceId.of(ws);
    while (done < upTo) {
      Map<Long, byte[]> chunk = new LinkedHashMap<>();
      long chunkBytes = 0;
      try (PreparedStatement p = c.prepareStatement("SELECT seq, workspace, body, body_text"
          + " FROM cdp_journal WHERE workspace = ? AND seq > ? AND seq <= ? ORDER BY seq")) {
        p.setString(1, ws);
        p.setLong(2, done);
        p.setLong(3, upTo);
        p.setFetchSize(16);
        try (ResultSet rs = p.executeQuery()) {
          while (chunkBytes < CHECKPOINT_CHUNK_BYTES && rs.next()) {
            byte[] body = body(ws, rs);
            chunk.put(rs.getLong(1), body);
            chunkBytes += body.length;
          }
        }
      }
      if (chunk.isEmpty()) {
        break;
      }
      long last = 0;
      for (long seq : chunk.keySet()) {
        last = seq;
      }
      long lastSeq = last;
      tables.write(workspace, tx -> {
        for (byte[] body : chunk.values()) {
          JournalCodec.replay(body, tx);
        }
        tx.require(MetadataStorage.class).putMetadata(APPLIED, Long.toString(lastSeq));
        return null;
      });
      done = lastSeq;
      bytes += chunkBytes;
    }
    return bytes;
  }

  /** Journal bytes appended and not yet applied by a checkpoint (about). */
  public long pendingBytes() {
    return pendingBytes.get();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the store is closed");
    }
  }

  /**
   * Stops taking work, waits for a running background checkpoint, and checkpoints the rest, so
   * that the row tables hold everything and the journal is empty.
   *
   * @throws StorageException when the last checkpoint fails (the journal keeps the rows, and
   *     the next open replays them)
   */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    background.shutdown();
    try {
      background.awaitTermination(10, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      checkpoint();
    } finally {
      closeAppender();
    }
  }

  /** For tests: statement counts are not kept; this tells whether the journal is empty. */
  static boolean journalEmpty(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM cdp_journal")) {
      return rs.next() && rs.getLong(1) == 0;
    }
  }
}
