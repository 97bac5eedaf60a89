package io.cdpkit.storage.jdbc;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.storage.jdbc.internal.JdbcStoreEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.function.Function;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The storage SPI over JDBC, for H2 2.x (the embedded default), PostgreSQL 13+ and MariaDB 10.6+
 * / MySQL 8. The dialect is detected from the connection.
 *
 * <pre>{@code
 * Store store = JdbcStore.h2File(Path.of("cdp-data"));     // embedded, survives restarts
 * Store shared = JdbcStore.create(hikariDataSource);       // the host's own pool
 * Cdp cdp = Cdp.builder().store(store).build();
 * }</pre>
 *
 * <p>Opening a store applies the schema's versioned migrations (idempotent, one node at a time)
 * and refuses a schema newer than this code. Everything one write transaction does commits
 * atomically; the writers of one workspace run one after the other, also across nodes sharing a
 * database; reads see whole transactions only. Failures surface as {@link StorageException},
 * retryable or not, with nothing written and no personal data in the message.
 *
 * <p>Thread-safe.
 */
public final class JdbcStore implements Store {
  private final JdbcStoreEngine engine;
  private final @Nullable JdbcDataSource ownedH2;

  private JdbcStore(DataSource ds, PiiCodec pii, @Nullable JdbcDataSource ownedH2) {
    this.engine = new JdbcStoreEngine(ds, pii);
    this.ownedH2 = ownedH2;
  }

  /**
   * A store on the host's data source (its own pool). The host closes the pool; closing the
   * store does nothing to it.
   *
   * @throws StorageException when the database cannot be reached or migrated
   */
  public static JdbcStore create(DataSource dataSource) {
    return create(dataSource, PiiCodec.IDENTITY);
  }

  /** As {@link #create(DataSource)}, with a codec for the columns holding personal data. */
  public static JdbcStore create(DataSource dataSource, PiiCodec pii) {
    return new JdbcStore(Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(pii, "pii"), null);
  }

  /**
   * An embedded H2 database in files under {@code directory} (created if needed). Closing the
   * store shuts the database down.
   */
  public static JdbcStore h2File(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (java.io.IOException e) {
      throw new StorageException("cannot create the store directory", false, e);
    }
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + directory.toAbsolutePath().resolve("cdpkit")
        + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
    ds.setUser("sa");
    return new JdbcStore(ds, PiiCodec.IDENTITY, ds);
  }

  /**
   * An embedded H2 database in memory, named so that several can live in one JVM; gone when the
   * store is closed.
   */
  public static JdbcStore h2InMemory(String name) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
    ds.setUser("sa");
    return new JdbcStore(ds, PiiCodec.IDENTITY, ds);
  }

  @Override
  public <T> T write(WorkspaceId workspace, Function<? super WriteTransaction, ? extends T> work) {
    return engine.write(Objects.requireNonNull(workspace, "workspace"), work);
  }

  @Override
  public <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work) {
    return engine.read(Objects.requireNonNull(workspace, "workspace"), work);
  }

  /** Shuts down an embedded H2 database this store opened; a host's data source is left alone. */
  @Override
  public void close() {
    if (ownedH2 != null) {
      try (Connection c = ownedH2.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      } catch (SQLException e) {
        throw new StorageException("shutting down the embedded database failed", false, e);
      }
    }
  }
}
