package io.cdpkit.storage.jdbc;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.storage.jdbc.internal.H2FileCompaction;
import io.cdpkit.storage.jdbc.internal.JdbcStoreEngine;
import io.cdpkit.storage.jdbc.internal.journal.JournaledStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.sql.DataSource;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The storage SPI over JDBC, for H2 2.x (the embedded default), PostgreSQL 13+ and MariaDB 10.6+
 * / MySQL 8. The dialect is detected from the connection.
 *
 * <pre>{@code
 * Store store = JdbcStore.h2File(Path.of("cdp-data"));     // embedded, journaled
 * Store shared = JdbcStore.create(hikariDataSource);       // the host's own pool
 * Cdp cdp = Cdp.builder().store(store).build();
 * }</pre>
 *
 * <p>An {@link Builder#h2File} store uses the journaled layout unless
 * {@link Builder#journal journal(false)}: the state in memory, each write transaction made durable
 * by one journal row before it returns, snapshots in files beside the database. Everything else
 * (PostgreSQL, MariaDB, {@link Builder#h2InMemory}) uses the row layout described below.
 *
 * <p>Opening a store applies the schema's versioned migrations (idempotent, one node at a time)
 * and refuses a schema newer than this code. Everything one write transaction does commits
 * atomically. On PostgreSQL and MariaDB the writers of one workspace, on any number of nodes
 * sharing the database, run side by side and wait only for writers of the same customers (row
 * locks, taken in one order and checked before the write); on H2 they run one after the other.
 * Reads see whole transactions only. Failures surface as {@link StorageException},
 * retryable or not, with nothing written and no personal data in the message.
 *
 * <p>Columns holding personal data pass through a {@link PiiCodec}; with
 * {@link Builder#encryption} they are encrypted at rest (AES-GCM, blind indexes for
 * identifiers) and {@link #rotateKeys} moves old values to the current key.
 *
 * <p>Thread-safe.
 */
public final class JdbcStore implements Store {
  /** Entries the cache keeps unless {@link Builder#cacheSize} says otherwise. */
  public static final long DEFAULT_CACHE_SIZE = 100_000;

  /** Journal bytes after which the journaled layout snapshots, unless configured (64 MiB). */
  public static final long DEFAULT_CHECKPOINT_BYTES = 64L << 20;

  /** Directories of journaled H2 file stores open in this JVM. */
  private static final java.util.Set<Path> JOURNALED_OPEN =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Connections the embedded H2 database keeps open at most (one per concurrent caller). */
  static final int H2_CONNECTIONS = 32;

  private final JdbcStoreEngine engine;
  /** The embedded database this store opened, pooled; null on a host's data source. */
  private final @Nullable JdbcConnectionPool ownedH2;
  private final boolean encrypted;
  /** The embedded file database's directory and URL, or null for the other kinds. */
  private final @Nullable Path h2Directory;
  private final @Nullable String h2Url;
  /** The journaled layout, or null for the row layout. */
  private final @Nullable JournaledStore journal;
  private final @Nullable Path journalKey;

  private JdbcStore(Builder b, DataSource ds, @Nullable JdbcConnectionPool ownedH2,
      @Nullable String h2Url) {
    this.ownedH2 = ownedH2;
    this.h2Url = h2Url;
    this.h2Directory = h2Url == null ? null : b.h2File;
    boolean journaled = b.journal != null ? b.journal : h2Url != null;
    if (journaled && h2Url == null) {
      if (ownedH2 != null) {
        ownedH2.dispose();
      }
      throw new IllegalStateException("journal: only an h2File store has the journaled layout");
    }
    Path key = journaled ? b.h2File.toAbsolutePath().normalize() : null;
    if (key != null && !JOURNALED_OPEN.add(key)) {
      ownedH2.dispose();
      throw new IllegalStateException("a journaled store is already open on this directory in"
          + " this JVM; share that instance");
    }
    try {
      PiiCodec codec = b.encryption == null ? b.pii : b.encryption.codec();
      // The journaled layout reads from memory: a cache over the row tables would be unused.
      this.engine = new JdbcStoreEngine(ds, codec, journaled ? 0 : b.cacheSize, h2Url != null);
      this.encrypted = b.encryption != null;
      if (!journaled && ownedH2 != null) {
        refuseJournaledData(ds);
      }
      this.journal = journaled ? new JournaledStore(ds, codec, b.checkpointBytes,
          b.h2File.toAbsolutePath().resolve("snapshots")) : null;
      this.journalKey = key;
    } catch (RuntimeException e) {
      if (key != null) {
        JOURNALED_OPEN.remove(key);
      }
      if (ownedH2 != null) {
        ownedH2.dispose();
      }
      throw e;
    }
  }

  /**
   * A store on the host's data source (its own pool). The host closes the pool; closing the
   * store does nothing to it.
   *
   * @throws StorageException when the database cannot be reached or migrated
   */
  public static JdbcStore create(DataSource dataSource) {
    return builder().dataSource(dataSource).build();
  }

  /** As {@link #create(DataSource)}, with a codec for the columns holding personal data. */
  public static JdbcStore create(DataSource dataSource, PiiCodec pii) {
    return builder().dataSource(dataSource).piiCodec(pii).build();
  }

  /**
   * An embedded H2 database in files under {@code directory} (created if needed). Closing the
   * store shuts the database down.
   */
  public static JdbcStore h2File(Path directory) {
    return builder().h2File(directory).build();
  }

  /**
   * An embedded H2 database in memory, named so that several can live in one JVM; gone when the
   * store is closed.
   */
  public static JdbcStore h2InMemory(String name) {
    return builder().h2InMemory(name).build();
  }

  /** A builder: where the data lives (exactly one of three choices), the codec, the cache. */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link JdbcStore}. Not thread-safe. */
  public static final class Builder {
    private @Nullable DataSource dataSource;
    private @Nullable Path h2File;
    private @Nullable String h2Memory;
    private PiiCodec pii = PiiCodec.IDENTITY;
    private @Nullable Encryption encryption;
    private long cacheSize = DEFAULT_CACHE_SIZE;
    private @Nullable Boolean journal;
    private long checkpointBytes = DEFAULT_CHECKPOINT_BYTES;

    private Builder() {}

    /** The host's data source (its pool); the host closes it. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** An embedded H2 database in files under {@code directory} (created if needed). */
    public Builder h2File(Path directory) {
      this.h2File = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** An embedded H2 database in memory, by name. */
    public Builder h2InMemory(String name) {
      this.h2Memory = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The codec of the columns holding personal data; identity by default. */
    public Builder piiCodec(PiiCodec pii) {
      Objects.requireNonNull(pii, "pii");
      if (encryption != null) {
        throw new IllegalStateException("encryption was already set; it brings its own codec");
      }
      this.pii = pii;
      return this;
    }

    /**
     * Encrypts every column holding personal data with these keys, and looks identifiers up
     * by blind index: see {@link Encryption} and the module README ("Encryption at rest"). Off
     * by default. A database written with encryption opens only with encryption and the same
     * index key; one written without it never opens with it.
     *
     * @throws IllegalStateException when a {@link #piiCodec} was set
     */
    public Builder encryption(Encryption encryption) {
      Objects.requireNonNull(encryption, "encryption");
      if (pii != PiiCodec.IDENTITY) {
        throw new IllegalStateException("piiCodec was already set; encryption brings its own"
            + " codec");
      }
      this.encryption = encryption;
      return this;
    }

    /**
     * How many entries (an identifier's node, a profile, a profile's identifiers, a component,
     * a redirect, an event's presence) the cache keeps; 100,000 by
     * default ({@link JdbcStore#DEFAULT_CACHE_SIZE}), 0 turns it off. The cache never serves data older than the transaction's
     * snapshot, also when other nodes write (see the package documentation).
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder cacheSize(long entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("cacheSize: must be 0 or more, was " + entries);
      }
      this.cacheSize = entries;
      return this;
    }

    /**
     * The layout of an {@link #h2File} store. Journaled (the default for {@link #h2File}): the
     * whole state in memory (the in-memory store's structures), each write transaction made
     * durable by one row of a journal table before it returns, and snapshots replacing the
     * journal now and then (see the module README, "The journaled H2 file layout"); reads never
     * touch the database, and the heap must hold the store's data. {@code false}: the row
     * layout, as on PostgreSQL and MariaDB (a database the journaled layout wrote is refused).
     * Only {@link #h2File} has the journaled layout.
     */
    public Builder journal(boolean on) {
      this.journal = on;
      return this;
    }

    /**
     * Journal bytes after which the journaled layout snapshots a workspace in the background
     * (when they also exceed the last snapshots' size); {@value JdbcStore#DEFAULT_CHECKPOINT_BYTES}
     * by default. Larger means fewer snapshots (each holds the workspace's writers while it
     * copies) and a longer replay when the store opens.
     *
     * @throws IllegalArgumentException when less than 1
     */
    public Builder checkpointBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("checkpointBytes: must be positive, was " + bytes);
      }
      this.checkpointBytes = bytes;
      return this;
    }

    /**
     * Opens the store: connects, migrates the schema, refuses a newer one.
     *
     * @throws IllegalStateException when not exactly one of dataSource, h2File, h2InMemory was
     *     chosen
     * @throws StorageException when the database cannot be reached or migrated
     */
    public JdbcStore build() {
      int chosen = (dataSource != null ? 1 : 0) + (h2File != null ? 1 : 0)
          + (h2Memory != null ? 1 : 0);
      if (chosen != 1) {
        throw new IllegalStateException("choose exactly one of dataSource, h2File, h2InMemory"
            + " (chose " + chosen + ")");
      }
      if (dataSource != null) {
        return new JdbcStore(this, dataSource, null, null);
      }
      JdbcDataSource ds = new JdbcDataSource();
      String url = null;
      if (h2File != null) {
        try {
          Files.createDirectories(h2File);
        } catch (java.io.IOException e) {
          throw new StorageException("cannot create the store directory", false, e);
        }
        // TRACE_LEVEL_FILE=0: H2's trace file would quote values of failed statements.
        url = "jdbc:h2:file:" + h2File.toAbsolutePath().resolve(H2FileCompaction.NAME)
            + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000;MAX_LENGTH_INPLACE_LOB=131072"
            + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0"
            // The journaled layout deletes journal rows wholesale at every snapshot: no
            // background compaction of partly filled chunks (H2's own housekeeping failed the
            // crash test after recoveries; wholly free chunks are still reused).
            + (journal == null || journal ? ";AUTO_COMPACT_FILL_RATE=0" : "");
        // An erasure followed by a crash: rewrite the file before anything else.
        H2FileCompaction.atOpen(h2File, url);
        ds.setURL(url);
      } else {
        ds.setURL("jdbc:h2:mem:" + h2Memory + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
      }
      ds.setUser("sa");
      // A session per transaction costs about half a millisecond to open: keep a few open.
      JdbcConnectionPool pool = JdbcConnectionPool.create(ds);
      pool.setMaxConnections(H2_CONNECTIONS);
      return new JdbcStore(this, pool, pool, url);
    }
  }

  @Override
  public <T> T write(WorkspaceId workspace, Function<? super WriteTransaction, ? extends T> work) {
    Objects.requireNonNull(workspace, "workspace");
    return journal != null ? journal.write(workspace, work) : engine.write(workspace, work);
  }

  @Override
  public <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work) {
    Objects.requireNonNull(workspace, "workspace");
    return journal != null ? journal.read(workspace, work) : engine.read(workspace, work);
  }

  /** The row layout must not open a database the journaled layout wrote. */
  private static void refuseJournaledData(DataSource ds) {
    try (Connection c = ds.getConnection()) {
      if (JournaledStore.holdsJournaledData(c)) {
        throw new StorageException("this database holds data of the journaled layout (a"
            + " snapshot or journal rows): open it with journal(true)", false, null);
      }
    } catch (SQLException e) {
      throw JdbcStoreEngine.failure("checking the layout", e);
    }
  }

  /** Activation's store-level capability, recognised by name: see {@link #capability}. */
  private static final String OUTBOX_CLAIMS = "io.cdpkit.activation.spi.storage.OutboxClaims";

  /**
   * {@inheritDoc}
   *
   * <p>This store has activation's {@code OutboxClaims}: each claim is a short transaction of
   * its own at READ COMMITTED, {@code SELECT ... FOR UPDATE SKIP LOCKED} over the due index,
   * then an {@code UPDATE} of the lease, then the commit. It does not lock the workspace's row
   * that write transactions lock, so claims run while the workspace is being written, on any
   * number of threads and nodes; rows another claim or a writer holds are skipped, not waited
   * for. Retryable failures are retried as writes are. The type is recognised by its name
   * before any class of cdp-activation-spi is touched, so a host without that module never
   * loads one.
   *
   * <p>Its transactions ({@link ReadTransaction#capability}) have the core's
   * {@code MetadataStorage} and {@code PrivacyStorage}, segmentation's {@code SegmentStorage}
   * and activation's {@code OutboxStorage}.
   */
  @Override
  public <C> Optional<C> capability(Class<C> type) {
    Objects.requireNonNull(type, "type");
    if (journal != null) {
      return journal.capability(type);
    }
    if (type.getName().equals(OUTBOX_CLAIMS)) {
      Object claims = engine.outboxClaims();
      if (type.isInstance(claims)) {
        return Optional.of(type.cast(claims));
      }
    }
    return Optional.empty();
  }

  /**
   * In the journaled layout ({@link Builder#journal}), snapshots every workspace that has
   * journal rows now, as the background snapshots do: afterwards the snapshot files hold
   * everything committed before the call, and the journal none of it (a short open, or before
   * timing something else). A workspace's writers wait while it is copied out of memory; a
   * snapshot that appends the journal to the workspace's last one (see the module README) does
   * not hold them, and what they commit after it started stays in the journal. Does nothing in
   * the row layout.
   *
   * @throws StorageException when a snapshot cannot be written (the journal keeps the rows)
   */
  public void checkpoint() {
    if (journal != null) {
      journal.checkpoint();
    }
  }

  /** Rows a key rotation re-encrypts per transaction. */
  static final int ROTATION_BATCH = 200;

  /**
   * Re-encrypts under the current key ({@link Encryption#currentKeyId}) every value stored
   * under another key id, on this thread, table by table in transactions of
   * {@value #ROTATION_BATCH} rows, while the store is in use: a value a writer changes
   * meanwhile is left as that writer wrote it (under the current key). Caches hold plaintext
   * and are not touched. Afterwards the older keys are needed no more, provided every node
   * writing to the database encrypted under the current key already when the rotation began.
   * Stops early when this thread is interrupted (between batches). The index key of the blind
   * indexes cannot be rotated.
   *
   * @return values re-encrypted per table
   * @throws IllegalStateException when the store has no {@link Builder#encryption}
   * @throws StorageException when a value cannot be read (its key id is not among the keys) or
   *     a statement fails
   */
  public Map<String, Long> rotateKeys(KeyRotation.Listener listener) {
    Objects.requireNonNull(listener, "listener");
    requireEncryption();
    if (journal != null) {
      return journal.rewriteAll();
    }
    return engine.rotateKeys(ROTATION_BATCH, () -> Thread.currentThread().isInterrupted(),
        listener::progress);
  }

  /**
   * As {@link #rotateKeys}, on {@code executor}; {@link KeyRotation#stop} stops it after its
   * current batch.
   *
   * @throws IllegalStateException when the store has no {@link Builder#encryption}
   */
  public KeyRotation rotateKeysInBackground(Executor executor, KeyRotation.Listener listener) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(listener, "listener");
    requireEncryption();
    KeyRotation rotation = new KeyRotation();
    executor.execute(() -> {
      try {
        if (journal != null) {
          rotation.finish(journal.rewriteAll());
          return;
        }
        rotation.finish(engine.rotateKeys(ROTATION_BATCH,
            () -> rotation.stopRequested() || Thread.currentThread().isInterrupted(),
            listener::progress));
      } catch (RuntimeException | Error e) {
        rotation.fail(e);
      }
    });
    return rotation;
  }

  /**
   * As {@link #rotateKeysInBackground(Executor, KeyRotation.Listener)}, on a daemon thread of
   * its own ({@code cdpkit-key-rotation}).
   */
  public KeyRotation rotateKeysInBackground(KeyRotation.Listener listener) {
    return rotateKeysInBackground(r -> {
      Thread t = new Thread(r, "cdpkit-key-rotation");
      t.setDaemon(true);
      t.start();
    }, listener);
  }

  private void requireEncryption() {
    if (!encrypted) {
      throw new IllegalStateException("key rotation needs a store built with encryption");
    }
  }

  /**
   * Shuts down an embedded H2 database this store opened, for every store open on it (other
   * stores on the same database then fail); a host's data source is left alone.
   *
   * <p>An H2 file store in which personal data was erased or events deleted since its file was
   * last rewritten then rewrites the file: only the live data is copied into a new file that
   * replaces the old one, and H2's trace and temporary files are deleted, so no byte of an
   * erased person is left in the directory. That takes about as long as copying the file. A
   * crash before the rewrite is caught up when the store next opens, before anything else.
   *
   * @throws StorageException when the shut-down or the rewrite fails (the data is intact; the
   *     rewrite is tried again at the next open)
   */
  @Override
  public void close() {
    try {
      if (journal != null) {
        journal.close();
      }
    } finally {
      if (journalKey != null) {
        JOURNALED_OPEN.remove(journalKey);
      }
      closeDatabase();
    }
  }

  private void closeDatabase() {
    if (ownedH2 != null) {
      boolean rewrite = false;
      try (Connection c = ownedH2.getConnection(); Statement s = c.createStatement()) {
        rewrite = h2Directory != null && H2FileCompaction.pending(c);
        // Not a plain SHUTDOWN: H2 2.3.232 compacts the file when it closes, and doing so
        // within its retention time (45 s) after recovering from a crash can corrupt the file
        // (h2database#4123). Every commit is in the file already (WRITE_DELAY=0), so closing
        // without that clean-up loses nothing; the next open recovers as after a crash.
        s.execute("SHUTDOWN IMMEDIATELY");
      } catch (SQLException e) {
        // Another store on the same embedded database shut it down first: nothing left to do.
        if (e.getErrorCode() != ErrorCode.DATABASE_CALLED_AT_SHUTDOWN
            && e.getErrorCode() != ErrorCode.DATABASE_IS_CLOSED) {
          throw JdbcStoreEngine.failure("shutting down the embedded database", e);
        }
      } finally {
        ownedH2.dispose();
      }
      if (rewrite) {
        H2FileCompaction.rewrite(h2Directory, h2Url);
      }
    }
  }
}
