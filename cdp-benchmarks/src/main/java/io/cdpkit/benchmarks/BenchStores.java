package io.cdpkit.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.storage.jdbc.Encryption;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The stores the benchmarks compare, each opened fresh and empty and removed again on close:
 * {@code memory}, {@code h2mem}, {@code h2file} (a temporary directory, the journaled layout),
 * {@code h2rows} (the same in the row layout, {@code journal(false)}), {@code postgres} and
 * {@code mariadb} (a scratch schema or database on the servers at 127.0.0.1, database
 * {@code test}, user {@code postgres} / {@code root}; override with the system properties
 * {@code cdp.bench.pg} and {@code cdp.bench.maria}).
 */
final class BenchStores implements AutoCloseable {
  static final String KINDS = "memory, h2mem, h2file, h2rows, postgres, mariadb";

  private final String kind;
  private Store store;
  private final Runnable cleanup;
  /** Opens the store again on the same data (H2 file kinds), or null. */
  private final @Nullable Supplier<Store> again;

  private BenchStores(String kind, Store store, Runnable cleanup) {
    this(kind, store, cleanup, null);
  }

  private BenchStores(String kind, Store store, Runnable cleanup,
      @Nullable Supplier<Store> again) {
    this.kind = kind;
    this.store = store;
    this.cleanup = cleanup;
    this.again = again;
  }

  /**
   * Closes the store and opens it again on the same files, as a restart would (H2 file kinds
   * only); the {@link #store()} is then the new one.
   *
   * @return nanoseconds spent closing, then opening
   */
  long[] reopen() {
    if (again == null) {
      throw new IllegalStateException(kind + " cannot be reopened");
    }
    long t0 = System.nanoTime();
    store.close();
    long t1 = System.nanoTime();
    store = again.get();
    return new long[] {t1 - t0, System.nanoTime() - t1};
  }

  Store store() {
    return store;
  }

  String kind() {
    return kind;
  }

  /** A fresh, empty store of this kind; {@code cacheSize} as {@link JdbcStore.Builder#cacheSize}. */
  static BenchStores open(String kind, long cacheSize) {
    return open(kind, cacheSize, false);
  }

  /**
   * As {@link #open(String, long)}; with {@code encrypted}, the JDBC stores encrypt at rest
   * ({@link JdbcStore.Builder#encryption}) under fixed benchmark keys. The in-memory store has
   * no encryption.
   */
  static BenchStores open(String kind, long requestedCacheSize, boolean encrypted) {
    // -Dcdp.bench.cacheSize=N overrides the benchmark's cache size (0: no cache)
    long cacheSize = Long.getLong("cdp.bench.cacheSize", requestedCacheSize);
    if (encrypted && kind.equals("memory")) {
      throw new IllegalArgumentException("the memory store does not encrypt");
    }
    String scratch = "cdp_b_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    switch (kind) {
      case "memory":
        return new BenchStores(kind, Store.inMemory(), () -> {});
      case "h2mem":
        return new BenchStores(kind,
            jdbc(encrypted).h2InMemory(scratch).cacheSize(cacheSize).build(), () -> {});
      case "h2file":
      case "h2rows": {
        Path dir;
        try {
          dir = Files.createTempDirectory(scratch);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        // -Dcdp.bench.checkpointBytes: the journaled layout's snapshot threshold (to measure
        // ingestion without background snapshots, set it above the run's journal).
        long checkpointBytes = Long.getLong("cdp.bench.checkpointBytes",
            JdbcStore.DEFAULT_CHECKPOINT_BYTES);
        Supplier<Store> opener = () -> jdbc(encrypted).h2File(dir)
            .journal(kind.equals("h2file")).checkpointBytes(checkpointBytes).cacheSize(cacheSize)
            .build();
        return new BenchStores(kind, opener.get(), () -> deleteTree(dir), opener);
      }
      case "postgres": {
        String url = postgresUrl();
        exec(url, "postgres", "CREATE SCHEMA " + scratch);
        HikariDataSource ds = pool(url + "?currentSchema=" + scratch + "&reWriteBatchedInserts=true",
            "postgres");
        return new BenchStores(kind, jdbc(encrypted).dataSource(ds).cacheSize(cacheSize).build(),
            () -> {
              ds.close();
              exec(url, "postgres", "DROP SCHEMA " + scratch + " CASCADE");
            });
      }
      case "mariadb": {
        String url = System.getProperty("cdp.bench.maria", "jdbc:mariadb://127.0.0.1:3306/");
        exec(url + "test", "root", "CREATE DATABASE " + scratch);
        HikariDataSource ds = pool(url + scratch + "?rewriteBatchedStatements=true", "root");
        return new BenchStores(kind, jdbc(encrypted).dataSource(ds).cacheSize(cacheSize).build(),
            () -> {
              ds.close();
              exec(url + "test", "root", "DROP DATABASE " + scratch);
            });
      }
      default:
        throw new IllegalArgumentException("store kind " + kind + " is not one of " + KINDS);
    }
  }

  /**
   * Snapshots a journaled store's workspaces so that its journal is empty
   * ({@link JdbcStore#checkpoint}); the other kinds have nothing to do.
   */
  void checkpoint() {
    if (store instanceof JdbcStore j) {
      j.checkpoint();
    }
  }

  private static JdbcStore.Builder jdbc(boolean encrypted) {
    JdbcStore.Builder b = JdbcStore.builder();
    if (encrypted) {
      byte[] data = new byte[32];
      byte[] index = new byte[32];
      for (int i = 0; i < 32; i++) {
        data[i] = (byte) i;
        index[i] = (byte) (255 - i);
      }
      b.encryption(Encryption.builder().dataKey("bench-1", data).currentKey("bench-1")
          .indexKey(index).build());
    }
    return b;
  }

  @Override
  public void close() {
    try {
      store.close();
    } finally {
      cleanup.run();
    }
  }

  static HikariDataSource pool(String url, String user) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername(user);
    cfg.setMaximumPoolSize(4);
    return new HikariDataSource(cfg);
  }

  /**
   * The PostgreSQL database the benchmarks use: {@code -Dcdp.bench.pg}, by default
   * {@code jdbc:postgresql://127.0.0.1:5432/test} (user {@code postgres}).
   */
  static String postgresUrl() {
    return System.getProperty("cdp.bench.pg", "jdbc:postgresql://127.0.0.1:5432/test");
  }

  static void exec(String url, String user, String sql) {
    try (Connection c = DriverManager.getConnection(url, user, "");
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " on " + url + ": " + e.getMessage(), e);
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
