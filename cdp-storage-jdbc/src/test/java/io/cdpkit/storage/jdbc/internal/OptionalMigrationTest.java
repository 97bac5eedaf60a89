package io.cdpkit.storage.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.Proxies;
import io.cdpkit.storage.jdbc.TestDatabases;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Migration 10 asks PostgreSQL for LZ4 compression, which PostgreSQL 13 does not parse and a
 * server built without LZ4 refuses. Such a refusal is skipped and the migration completes; any
 * other failure of the same statement still stops it, with the version left where it was.
 * The refusals are made by a connection that answers the statement with the server's error code,
 * on a real PostgreSQL that would have accepted it.
 */
class OptionalMigrationTest {
  /** The version migration 10 (LZ4) starts from. */
  private static final int BEFORE_LZ4 = 9;

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "42601, true, PostgreSQL 13: syntax error at or near COMPRESSION",
      "0A000, true, compression method lz4 not supported",
      "42501, false, must be owner of table cdp_events",
      "55P03, false, canceling statement due to lock timeout"})
  void refusedCompressionIsSkippedAndAnyOtherFailureStops(String state, boolean skipped,
      String message) throws SQLException {
    TestDatabases.Scratch db = TestDatabases.postgres();
    try {
      JdbcStore.create(db.dataSource());
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute("ALTER TABLE cdp_events ALTER COLUMN body SET COMPRESSION default");
        s.executeUpdate("UPDATE cdp_schema_version SET version = " + BEFORE_LZ4
            + " WHERE id = 1");
      }
      try (Connection real = db.dataSource().getConnection()) {
        Connection refusing = refusing(real, "SET COMPRESSION", new SQLException(message, state));
        if (skipped) {
          Schema.migrate(refusing, Dialect.POSTGRES);
          assertThat(Schema.currentVersion(real)).isEqualTo(Schema.VERSION);
        } else {
          assertThatThrownBy(() -> Schema.migrate(refusing, Dialect.POSTGRES))
              .isInstanceOf(SQLException.class).hasMessage(message);
          assertThat(Schema.currentVersion(real)).isEqualTo(BEFORE_LZ4);
        }
        assertThat(Schema.optionalRefused("ALTER TABLE cdp_events ALTER COLUMN body SET"
            + " COMPRESSION lz4", new SQLException(message, state))).isEqualTo(skipped);
        // The same refusal of any other statement is never skipped.
        assertThat(Schema.optionalRefused("ALTER TABLE cdp_events ALTER COLUMN body SET"
            + " STATISTICS 0", new SQLException(message, state))).isFalse();
      }
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT attcompression::text FROM pg_attribute"
              + " WHERE attrelid = 'cdp_events'::regclass AND attname = 'body'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).as("nothing was changed by the refused statement")
            .isNotEqualTo("l");
      }
    } finally {
      TestDatabases.drop(db);
    }
  }

  /** A connection whose statements throw {@code error} for SQL containing {@code marker}. */
  private static Connection refusing(Connection real, String marker, SQLException error) {
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          Object out = Proxies.forward(real, method, args);
          if (!(out instanceof Statement st) || !method.getName().equals("createStatement")) {
            return out;
          }
          return Proxy.newProxyInstance(Statement.class.getClassLoader(),
              new Class<?>[] {Statement.class}, (p, m, a) -> {
                if (m.getName().startsWith("execute") && a != null && a.length > 0
                    && a[0] instanceof String sql && sql.contains(marker)) {
                  throw error;
                }
                return Proxies.forward(st, m, a);
              });
        });
  }

}
