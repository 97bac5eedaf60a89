package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.spi.storage.memory.WorkspaceCopy;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journaled layout of the embedded H2 file store: the whole state lives in the in-memory
 * store's structures ({@link Store#inMemory()}); every write transaction that changed something
 * is made durable by one row of {@code cdp_journal} (its writes as one binary body, see
 * {@link JournalingTransaction}), committed before the transaction's changes become visible;
 * and snapshots ({@code cdp_snapshots}: bodies of the same format that rebuild a workspace,
 * and the last journal row they cover) replace the journal rows they cover.
 *
 * <ul>
 *   <li><b>Open.</b> Each workspace's snapshot is replayed, then the journal rows after it. A
 *       workspace that has no snapshot but rows in the row tables (a database of schema 6, or
 *       of the row layout) is loaded from them ({@link TableLoader}) and snapshotted at once,
 *       and its rows are deleted in the snapshot's transaction.
 *   <li><b>Write.</b> Under the in-memory store's workspace lock: the work, then the journal row
 *       (one insert, committed and written to the file before it returns, as every H2 file
 *       commit), then the in-memory commit. A failed insert rolls the in-memory changes back.
 *   <li><b>Snapshot.</b> Either the workspace is copied ({@link WorkspaceCopy}) into bodies
 *       under its read lock (its writers wait; readers do not), or, when the last snapshot was
 *       such a copy made in this process and the file stays within {@value #APPENDED_GROWTH}
 *       times its size, the old file's frames are carried over as they are and the journal
 *       rows after it appended (nothing decoded, memory untouched, the writers go on; see
 *       {@link #tryAppend}). Then one database transaction replaces the old snapshot by the
 *       new one, and the journal rows it covers are deleted after it in small commits
 *       ({@link #deleteCovered}; in that transaction itself after an erasure or a move from the
 *       row tables). In the background when the journal bytes since the last snapshots
 *       exceed both {@code checkpointBytes} and the snapshots' own size (so the work per event
 *       stays bounded however large the store grows); at once for a workspace where a
 *       transaction erased or deleted personal data (so no journal row or snapshot part holding
 *       it is left, and the file is marked for the rewrite on close); for every workspace before
 *       a key rotation (everything is written again under the current key) and on
 *       {@link #checkpoint}.
 *   <li><b>Read.</b> From memory alone.
 * </ul>
 *
 * <p>Thread-safe. One instance per database file: two would each hold their own state.
 */
public final class JournaledStore {
  private static final Logger LOG = LoggerFactory.getLogger(JournaledStore.class);

  /** The codec's column name for protected bodies (journal rows and snapshot parts). */
  static final String BODY_COLUMN = "cdp_journal.body";
  /**
   * How much larger than its last snapshot copied out of memory a workspace's snapshot file may
   * grow by appended journal rows before the next snapshot copies it again.
   */
  static final int APPENDED_GROWTH = 3;
  /** Journal rows (by number) deleted per commit after a routine snapshot. */
  static final int DELETE_ROWS = 64;
  /** Records per snapshot frame. */
  static final int SNAPSHOT_OPS = 20_000;


  private static final String OUTBOX_CLAIMS = "io.cdpkit.activation.spi.storage.OutboxClaims";

  private final DataSource dataSource;
  private final SnapshotFiles snapshots;
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

  /** Every workspace the store holds or has written. */
  private final Set<String> workspaces = ConcurrentHashMap.newKeySet();
  /** Journal bytes per workspace since its last snapshot. Changed under the append lock. */
  private final Map<String, Long> pendingByWorkspace = new ConcurrentHashMap<>();
  /** Journal bytes of all workspaces since their last snapshots. */
  private final AtomicLong pendingBytes = new AtomicLong();
  /**
   * Bytes of each workspace's last snapshot copied out of memory (or, until one is copied in
   * this process, of the snapshot it was opened with): what the journal is measured against.
   */
  private final Map<String, Long> snapshotBytes = new ConcurrentHashMap<>();
  /**
   * Workspaces whose snapshot was copied out of memory in this process, so that
   * {@link #snapshotBytes} is its compact size and journal rows may be appended to it.
   */
  private final Set<String> copied = ConcurrentHashMap.newKeySet();

  private final ReentrantLock snapshotLock = new ReentrantLock();
  private final AtomicBoolean snapshotQueued = new AtomicBoolean();
  private final ExecutorService background;
  private volatile boolean closed;
  private volatile @Nullable Object claims;
  /** For tests: runs in a snapshot that appends, right after its mark is taken. */
  volatile @Nullable Runnable afterSnapshotMark;

  /**
   * Opens the journaled layout over a migrated database: replays snapshots and journal, and
   * moves the data of the row tables, if any, into snapshots.
   *
   * @param checkpointBytes journal bytes after which a background snapshot starts (when they
   *     also exceed the snapshots' size)
   * @throws StorageException when the database cannot be read or a body is malformed
   */
  public JournaledStore(DataSource dataSource, PiiCodec pii, long checkpointBytes,
      Path snapshotDirectory) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.snapshots = new SnapshotFiles(snapshotDirectory, pii);
    this.pii = Objects.requireNonNull(pii, "pii");
    this.plain = pii == PiiCodec.IDENTITY;
    if (checkpointBytes < 1) {
      throw new IllegalArgumentException("checkpointBytes must be positive");
    }
    this.checkpointBytes = checkpointBytes;
    this.background = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cdpkit-journal-snapshot");
      t.setDaemon(true);
      return t;
    });
    try {
      load();
    } catch (RuntimeException e) {
      background.shutdownNow();
      closeAppender();
      throw e;
    }
  }

  /**
   * Whether the database holds data of the journaled layout (a snapshot or a journal row): the
   * row layout must not open it.
   */
  public static boolean holdsJournaledData(Connection c) throws SQLException {
    for (String table : List.of("cdp_snapshots", "cdp_journal")) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM (SELECT 1 FROM " + table
              + " FETCH FIRST 1 ROWS ONLY) t")) {
        if (rs.next() && rs.getLong(1) > 0) {
          return true;
        }
      }
    }
    return false;
  }

  private void load() {
    long started = System.nanoTime();
    long replayed = 0;
    List<WorkspaceId> fromRows = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      Map<String, Long> covers = new HashMap<>();
      long maxSeq = 0;
      Set<String> files = new java.util.HashSet<>();
      try (PreparedStatement p = c.prepareStatement(
          "SELECT workspace, covers, file_name, bytes FROM cdp_snapshots ORDER BY workspace")) {
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            String ws = rs.getString(1);
            long cover = rs.getLong(2);
            String file = rs.getString(3);
            snapshots.read(ws, file, rs.getLong(4), body -> memory.write(WorkspaceId.of(ws),
                tx -> {
                  JournalCodec.replay(body, tx);
                  return null;
                }));
            files.add(file);
            covers.put(ws, cover);
            maxSeq = Math.max(maxSeq, cover);
            snapshotBytes.put(ws, rs.getLong(4));
            workspaces.add(ws);
          }
        }
      }
      // Files a crash left behind (written, never recorded; or replaced, not yet deleted).
      snapshots.deleteAllBut(files);
      for (WorkspaceId ws : TableLoader.workspaces(c)) {
        if (covers.containsKey(ws.value()) || !hasRecords(c, ws.value())) {
          continue;
        }
        memory.write(ws, tx -> {
          TableLoader.load(c, pii, ws, tx);
          return null;
        });
        fromRows.add(ws);
        workspaces.add(ws.value());
      }
      try (PreparedStatement p = c.prepareStatement(
          "SELECT seq, workspace, body, body_text FROM cdp_journal ORDER BY seq")) {
        p.setFetchSize(64);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            long seq = rs.getLong(1);
            String ws = rs.getString(2);
            maxSeq = Math.max(maxSeq, seq);
            if (seq <= covers.getOrDefault(ws, 0L)) {
              continue; // a snapshot covers it (left by a crash before its deletion)
            }
            byte[] body = body(ws, BODY_COLUMN, rs, 3);
            memory.write(WorkspaceId.of(ws), tx -> {
              JournalCodec.replay(body, tx);
              return null;
            });
            pendingByWorkspace.merge(ws, (long) body.length, Long::sum);
            pendingBytes.addAndGet(body.length);
            workspaces.add(ws);
            replayed++;
          }
        }
      }
      nextSeq = maxSeq + 1;
    } catch (SQLException e) {
      throw JdbcStoreEngine.failure("loading the store", e);
    }
    for (WorkspaceId ws : fromRows) {
      snapshot(ws.value(), true, false, false);
    }
    LOG.info("CDPKit H2 file store loaded in {} ms ({} journal rows replayed, {} workspaces"
        + " moved from the row tables)",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), replayed, fromRows.size());
  }

  /** Whether the row tables hold any record of the workspace besides its registration. */
  private static boolean hasRecords(Connection c, String ws) throws SQLException {
    for (String table : TableLoader.WORKSPACE_TABLES) {
      if (table.equals("cdp_workspaces")) {
        continue;
      }
      String extra = table.equals("cdp_metadata")
          ? " AND meta_key <> '" + TableLoader.STORE_KEY + "'" : "";
      try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM (SELECT 1 FROM "
          + table + " WHERE workspace = ?" + extra + " FETCH FIRST 1 ROWS ONLY) t")) {
        p.setString(1, ws);
        try (ResultSet rs = p.executeQuery()) {
          if (rs.next() && rs.getLong(1) > 0) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private byte[] body(String ws, String column, ResultSet rs, int at) throws SQLException {
    byte[] raw = rs.getBytes(at);
    if (raw != null) {
      return raw;
    }
    String text = rs.getString(at + 1);
    if (text == null) {
      throw new StorageException("a row of " + column + " has no body", false, null);
    }
    return Base64.getDecoder().decode(
        pii.reveal(ws, column, text).getBytes(StandardCharsets.US_ASCII));
  }

  private void bind(PreparedStatement p, int at, String ws, String column, byte[] body)
      throws SQLException {
    if (plain) {
      p.setBytes(at, body);
      p.setNull(at + 1, Types.CLOB);
    } else {
      p.setNull(at, Types.VARBINARY);
      p.setString(at + 1, pii.protect(ws, column, Base64.getEncoder().encodeToString(body)));
    }
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
      snapshot(workspace.value(), false, true, false);
    } else {
      maybeQueueSnapshot();
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
  <T> T claiming(Supplier<T> work) {
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
        bind(insert, 3, ws.value(), BODY_COLUMN, body);
        insert.executeUpdate();
        nextSeq = seq + 1;
        workspaces.add(ws.value());
        pendingByWorkspace.merge(ws.value(), (long) body.length, Long::sum);
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

  private void maybeQueueSnapshot() {
    long pending = pendingBytes.get();
    if (pending < checkpointBytes || pending < totalSnapshotBytes() || closed
        || !snapshotQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      background.execute(() -> {
        try {
          for (String ws : List.copyOf(workspaces)) {
            if (pendingByWorkspace.getOrDefault(ws, 0L) > 0 && !closed) {
              snapshot(ws, false, false, true);
            }
          }
        } catch (RuntimeException e) {
          LOG.warn("a background snapshot failed; the journal keeps the rows", e);
        } finally {
          snapshotQueued.set(false);
        }
      });
    } catch (RejectedExecutionException e) {
      snapshotQueued.set(false);
    }
  }

  private long totalSnapshotBytes() {
    long total = 0;
    for (long b : snapshotBytes.values()) {
      total += b;
    }
    return total;
  }

  /**
   * Snapshots every workspace that has journal rows, so that the journal is empty (of rows
   * committed before each workspace's snapshot started). Writers go on meanwhile.
   *
   * @throws StorageException when a snapshot cannot be written (the journal keeps the rows)
   */
  public void checkpoint() {
    checkOpen();
    for (String ws : List.copyOf(workspaces)) {
      if (pendingByWorkspace.getOrDefault(ws, 0L) > 0) {
        snapshot(ws, false, false, true);
      }
    }
  }

  /**
   * Snapshots every workspace, so that every journal row and snapshot part is written again
   * under the codec's current key (a key rotation).
   */
  public Map<String, Long> rewriteAll() {
    checkOpen();
    List<String> all = List.copyOf(workspaces);
    for (String ws : all) {
      snapshot(ws, false, false, false);
    }
    return Map.of("snapshots", (long) all.size());
  }

  /**
   * Replaces a workspace's snapshot and the journal rows it covers by a new snapshot.
   *
   * @param dropRows also delete the workspace's rows of the row tables (moved into memory)
   * @param erased mark the file for the rewrite that removes deleted bytes
   * @param mayAppend whether the journal rows may be appended to the last snapshot's frames
   *     (see {@link #tryAppend}); else the workspace is copied, so that no byte of the old
   *     file or rows is carried over (erasure, key rotation)
   */
  private void snapshot(String ws, boolean dropRows, boolean erased, boolean mayAppend) {
    snapshotLock.lock();
    try {
      long t0 = System.nanoTime();
      long[] covered = new long[2];
      // A snapshot after an erasure, or of rows moved from the row tables, deletes the journal
      // rows it covers in its own commit: no row with what was erased outlives it. A routine one
      // deletes them after its commit, in small commits.
      boolean rowsInCommit = dropRows || erased;
      SnapshotFiles.Writer out = snapshots.writer(ws);
      String file;
      long bytes;
      boolean appended;
      try {
        appended = mayAppend && tryAppend(ws, covered, out);
        if (!appended) {
          copyLive(ws, covered, out);
        }
        file = out.finish();
        bytes = out.bytes();
      } catch (RuntimeException e) {
        out.abandon();
        throw e;
      }
      long t1 = System.nanoTime();
      String old = null;
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try {
          try (PreparedStatement p = c.prepareStatement(
              "SELECT file_name FROM cdp_snapshots WHERE workspace = ?")) {
            p.setString(1, ws);
            try (ResultSet rs = p.executeQuery()) {
              old = rs.next() ? rs.getString(1) : null;
            }
          }
          try (PreparedStatement p = c.prepareStatement("MERGE INTO cdp_snapshots"
              + " (workspace, covers, file_name, bytes) KEY (workspace) VALUES (?, ?, ?, ?)")) {
            p.setString(1, ws);
            p.setLong(2, covered[0]);
            p.setString(3, file);
            p.setLong(4, bytes);
            p.executeUpdate();
          }
          if (rowsInCommit) {
            try (PreparedStatement p = c.prepareStatement(
                "DELETE FROM cdp_journal WHERE workspace = ? AND seq <= ?")) {
              p.setString(1, ws);
              p.setLong(2, covered[0]);
              p.executeUpdate();
            }
          }
          if (dropRows) {
            for (String table : TableLoader.WORKSPACE_TABLES) {
              String extra = table.equals("cdp_metadata")
                  ? " AND meta_key <> '" + TableLoader.STORE_KEY + "'" : "";
              try (PreparedStatement p = c.prepareStatement(
                  "DELETE FROM " + table + " WHERE workspace = ?" + extra)) {
                p.setString(1, ws);
                p.executeUpdate();
              }
            }
          }
          if (erased) {
            try (PreparedStatement p = c.prepareStatement("MERGE INTO cdp_metadata"
                + " (workspace, meta_key, meta_value) KEY (workspace, meta_key)"
                + " VALUES (?, ?, ?)")) {
              p.setString(1, ws);
              p.setString(2, TableLoader.STORE_KEY);
              p.setString(3, "1");
              p.executeUpdate();
            }
          }
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          snapshots.delete(file);
          throw e;
        }
        if (!rowsInCommit) {
          try {
            deleteCovered(c, ws, covered[0]);
          } catch (SQLException e) {
            // The snapshot is recorded; the rows left are dead (opening skips them) and the
            // next snapshot of the workspace deletes them.
            LOG.warn("deleting journal rows a snapshot covers failed (SQLState {}); the next"
                + " snapshot deletes them", e.getSQLState());
            c.rollback();
          }
        }
      } catch (SQLException e) {
        throw JdbcStoreEngine.failure("recording a snapshot", e);
      }
      if (old != null && !old.equals(file)) {
        snapshots.delete(old);
      }
      if (!appended) {
        snapshotBytes.put(ws, bytes);
        copied.add(ws);
      }
      LOG.info("CDPKit H2 file store: snapshot of workspace {} ({} bytes): {} in {} ms,"
          + " recorded in {} ms", ws, bytes,
          appended ? "the journal appended to the last snapshot (its writers went on)"
              : "copied (its writers waited)",
          TimeUnit.NANOSECONDS.toMillis(t1 - t0),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
      synchronized (appendLock) {
        pendingByWorkspace.merge(ws, -covered[1], Long::sum);
        pendingBytes.addAndGet(-covered[1]);
      }
    } finally {
      snapshotLock.unlock();
    }
  }

  /** Writes the workspace as memory holds it, under its read lock (its writers wait). */
  private void copyLive(String ws, long[] covered, SnapshotFiles.Writer out) {
    memory.read(WorkspaceId.of(ws), rtx -> {
      // What the copy sees is every journal row of this workspace numbered up to here: its
      // writers are held by this read, and a claim appends its row after changing memory.
      markCovered(ws, covered);
      copy(rtx, out);
      return null;
    });
  }

  /**
   * Writes the new snapshot of a workspace by appending, when it may: the workspace's last
   * snapshot was copied out of memory in this process ({@link #copyLive}), and the new file
   * stays within {@value #APPENDED_GROWTH} times that copy's size. The file is then the old
   * file's frames as they are, followed by the body of each journal row up to the last row so
   * far (the mark) as a frame; it replays to the state after the mark, as opening the store
   * would replay the old file and the rows. Nothing is decoded and memory is not touched, so
   * the workspace's writers go on meanwhile (what they write after the mark stays in the
   * journal): every row up to the mark is committed, as a row is inserted and committed under
   * the append lock. The file also holds records that later rows replaced, up to that bound.
   *
   * @return whether it appended; if not, nothing was written to {@code out}
   */
  private boolean tryAppend(String ws, long[] covered, SnapshotFiles.Writer out) {
    try (Connection c = dataSource.getConnection()) {
      long from = 0;
      String oldFile = null;
      long oldBytes = 0;
      try (PreparedStatement p = c.prepareStatement(
          "SELECT covers, file_name, bytes FROM cdp_snapshots WHERE workspace = ?")) {
        p.setString(1, ws);
        try (ResultSet rs = p.executeQuery()) {
          if (rs.next()) {
            from = rs.getLong(1);
            oldFile = rs.getString(2);
            oldBytes = rs.getLong(3);
          }
        }
      }
      if (oldFile == null || !copied.contains(ws) || oldBytes
          + pendingByWorkspace.getOrDefault(ws, 0L)
          > APPENDED_GROWTH * snapshotBytes.getOrDefault(ws, 0L)) {
        return false;
      }
      markCovered(ws, covered);
      Runnable hook = afterSnapshotMark;
      if (hook != null) {
        hook.run();
      }
      snapshots.copy(ws, oldFile, oldBytes, out);
      try (PreparedStatement p = c.prepareStatement("SELECT body, body_text FROM cdp_journal"
          + " WHERE workspace = ? AND seq > ? AND seq <= ? ORDER BY seq")) {
        p.setFetchSize(64);
        p.setString(1, ws);
        p.setLong(2, from);
        p.setLong(3, covered[0]);
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            out.add(body(ws, BODY_COLUMN, rs, 1));
          }
        }
      }
      return true;
    } catch (SQLException e) {
      throw JdbcStoreEngine.failure("reading a workspace's journal for its snapshot", e);
    }
  }

  /** Notes the last journal row so far, and this workspace's journal bytes up to it. */
  private void markCovered(String ws, long[] covered) {
    synchronized (appendLock) {
      covered[0] = nextSeq - 1;
      covered[1] = pendingByWorkspace.getOrDefault(ws, 0L);
    }
  }

  private static void copy(ReadTransaction rtx, SnapshotFiles.Writer out) {
    JournalingTransaction sink = new JournalingTransaction(new Sink(), SNAPSHOT_OPS, out::add);
    rtx.require(WorkspaceCopy.class).copyTo(sink);
    if (!sink.isEmpty()) {
      out.add(sink.encode());
    }
  }

  /**
   * Deletes a workspace's journal rows up to {@code last}, which a recorded snapshot covers,
   * {@value #DELETE_ROWS} at a time, each in a commit of its own. One commit deleting them all
   * made H2 write every deleted row's value again in one chunk (tens of MB on a large store),
   * while the journal's appends waited for the file. The rows are dead already: opening skips
   * rows a snapshot covers, and a crash between these commits leaves some for the next snapshot
   * of the workspace to delete.
   */
  private static void deleteCovered(Connection c, String ws, long last) throws SQLException {
    long from;
    try (PreparedStatement p = c.prepareStatement(
        "SELECT MIN(seq) FROM cdp_journal WHERE workspace = ? AND seq <= ?")) {
      p.setString(1, ws);
      p.setLong(2, last);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        from = rs.getLong(1);
        if (rs.wasNull()) {
          return;
        }
      }
    }
    try (PreparedStatement p = c.prepareStatement(
        "DELETE FROM cdp_journal WHERE workspace = ? AND seq >= ? AND seq <= ?")) {
      for (long lo = from; lo <= last; lo += DELETE_ROWS) {
        p.setString(1, ws);
        p.setLong(2, lo);
        p.setLong(3, Math.min(last, lo + DELETE_ROWS - 1));
        p.executeUpdate();
        c.commit();
      }
    }
  }

  /** Journal bytes appended since the workspaces' last snapshots. */
  public long pendingBytes() {
    return pendingBytes.get();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the store is closed");
    }
  }

  /**
   * Stops taking work and waits for a running background snapshot. Every committed write is in
   * the journal or a snapshot already; the next open replays the journal.
   */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    background.shutdown();
    try {
      if (!background.awaitTermination(10, TimeUnit.MINUTES)) {
        LOG.warn("a background snapshot is still running at close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeAppender();
    }
  }
}
