package io.cdpkit.storage.jdbc.redteam;

import static io.cdpkit.storage.jdbc.StorageCapabilities.metadataOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks "a first write into a new workspace is a write like any other": registering the
 * workspace (its row in {@code cdp_workspaces}) used to run before, and outside, the write's
 * retry loop, so a lock timeout while registering ({@code HYT00} on H2) failed the write.
 *
 * <p>Two attacks on H2 file, PostgreSQL and MariaDB: (1) two stores ("nodes") on one database,
 * 16 threads, 12 new workspaces; all threads first-write into each new workspace at the same
 * instant (a barrier); every write must succeed and land. (2) Registration statements that fail
 * with a lock timeout the first two times (a data source that injects the failure): the write
 * must be retried and succeed.
 */
class FirstWriteIntoNewWorkspaceRedTeamTest {
  private static final int THREADS = 16;
  private static final int WORKSPACES = 12;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2rows", "postgres", "mariadb"})
  @DisplayName("issue 15 item 10: many threads on two nodes first-writing into new workspaces"
      + " at once all succeed")
  void concurrentFirstWrites(String kind) throws Exception {
    try (RedTeamStores place = RedTeamStores.open(kind);
        Store a = place.store(); Store b = place.store()) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      try {
        for (int w = 0; w < WORKSPACES; w++) {
          WorkspaceId ws = new WorkspaceId("fresh-" + w);
          CyclicBarrier start = new CyclicBarrier(THREADS);
          List<Future<?>> done = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Store node = t % 2 == 0 ? a : b;
            done.add(pool.submit(() -> {
              try {
                start.await(30, TimeUnit.SECONDS);
                node.write(ws, tx -> {
                  metadataOf(tx).putMetadata("writer." + thread, "1");
                  return null;
                });
              } catch (Throwable e) {
                failures.add(e);
              }
              return null;
            }));
          }
          for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
          }
          assertThat(failures).as("failed first writes into %s", ws).isEmpty();
          assertThat(a.<java.util.Map<String, String>>read(ws,
              tx -> metadataOf(tx).metadata("writer."))).hasSize(THREADS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2rows", "postgres", "mariadb"})
  @DisplayName("issue 15 item 10: a lock timeout while registering a new workspace is retried,"
      + " not thrown (HYT00)")
  void registrationFailuresAreRetried(String kind) {
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      DataSource real;
      JdbcConnectionPool h2 = null;
      if (kind.equals("h2rows")) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + place.h2Directory().toAbsolutePath().resolve("injected")
            + ";LOCK_TIMEOUT=10000;TRACE_LEVEL_FILE=0");
        ds.setUser("sa");
        h2 = JdbcConnectionPool.create(ds);
        real = h2;
      } else {
        real = place.database().dataSource();
      }
      AtomicInteger injected = new AtomicInteger();
      try (JdbcStore store = JdbcStore.create(new FailingRegistration(real, injected, 2))) {
        WorkspaceId ws = new WorkspaceId("brand-new");
        store.write(ws, tx -> {
          metadataOf(tx).putMetadata("k", "v");
          return null;
        });
        assertThat(injected).as("injected lock timeouts").hasValue(2);
        assertThat(store.<java.util.Map<String, String>>read(ws,
            tx -> metadataOf(tx).metadata("k"))).containsEntry("k", "v");
      } finally {
        if (h2 != null) {
          h2.dispose();
        }
      }
    }
  }

  /**
   * A data source whose connections fail the first {@code failures} statements that write
   * {@code cdp_workspaces} with a lock timeout, as H2 reports one.
   */
  private static final class FailingRegistration implements DataSource {
    private final DataSource real;
    private final AtomicInteger injected;
    private final int failures;

    FailingRegistration(DataSource real, AtomicInteger injected, int failures) {
      this.real = real;
      this.injected = injected;
      this.failures = failures;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection c = real.getConnection();
      return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            if (method.getName().equals("prepareStatement") && args != null
                && args[0] instanceof String sql) {
              String s = sql.toLowerCase(Locale.ROOT);
              if ((s.startsWith("merge into cdp_workspaces")
                  || s.startsWith("insert into cdp_workspaces"))
                  && injected.getAndUpdate(n -> n < failures ? n + 1 : n) < failures) {
                throw new SQLException("Timeout trying to lock table", "HYT00", 50200);
              }
            }
            try {
              return method.invoke(c, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
