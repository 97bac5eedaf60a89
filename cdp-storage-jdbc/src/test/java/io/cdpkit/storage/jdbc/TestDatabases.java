package io.cdpkit.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL and MariaDB servers tests run against (127.0.0.1, database {@code test}), and
 * a fresh schema or database per use, dropped afterwards. Without a reachable server a test is
 * skipped on a laptop, but fails under {@code CI=true}.
 */
public final class TestDatabases {
  static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  /**
   * A database on the same server whose default collation follows English (ICU {@code en-US}):
   * {@code a} before {@code B}, punctuation before letters, unlike Java's String order.
   */
  static final String PG_ICU_DB = "cdp_test_icu";
  static final String PG_ICU_URL = "jdbc:postgresql://127.0.0.1:5432/" + PG_ICU_DB;
  static final String PG_USER = "postgres";
  static final String MARIA_URL = "jdbc:mariadb://127.0.0.1:3306/";
  static final String MARIA_USER = "root";

  private TestDatabases() {}

  /**
   * A pooled data source on a new, empty database; close it with {@link #drop}.
   *
   * @param server the URL of the PostgreSQL database holding the scratch schema, or of the
   *     MariaDB server
   */
  public record Scratch(HikariDataSource dataSource, String name, boolean postgres,
      String server) {
    /** The JDBC URL of the scratch schema or database, for another process. */
    public String url() {
      return postgres ? server + "?currentSchema=" + name : server + name;
    }

    public String user() {
      return postgres ? PG_USER : MARIA_USER;
    }
  }

  static void assumeReachable(String url, String user) {
    try (Connection c = DriverManager.getConnection(url, user, "")) {
      c.isValid(2);
    } catch (SQLException e) {
      String msg = "database at " + url + " is unreachable: " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail(msg + " (CI=true: a missing server is a failure)");
      }
      Assumptions.abort(msg);
    }
  }

  public static Scratch postgres() {
    assumeReachable(PG_URL, PG_USER);
    return postgresSchema(PG_URL);
  }

  /**
   * A fresh schema in {@link #PG_ICU_DB}, made on first use. Skipped when the server cannot make
   * such a database (PostgreSQL before 15, or built without ICU).
   */
  public static Scratch postgresIcu() {
    assumeReachable(PG_URL, PG_USER);
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, "");
        Statement st = c.createStatement()) {
      boolean exists;
      try (ResultSet rs = st.executeQuery(
          "SELECT 1 FROM pg_database WHERE datname = '" + PG_ICU_DB + "'")) {
        exists = rs.next();
      }
      if (!exists) {
        st.execute("CREATE DATABASE " + PG_ICU_DB + " TEMPLATE template0 ENCODING 'UTF8'"
            + " LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
      }
    } catch (SQLException e) {
      // 42P04: another run made it meanwhile.
      if (!"42P04".equals(e.getSQLState())) {
        Assumptions.abort("cannot make a database with an ICU collation: " + e.getMessage());
      }
    }
    return postgresSchema(PG_ICU_URL);
  }

  private static Scratch postgresSchema(String url) {
    String schema = "cdp_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    exec(url, PG_USER, "CREATE SCHEMA " + schema);
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url + "?currentSchema=" + schema);
    cfg.setUsername(PG_USER);
    cfg.setMaximumPoolSize(6);
    cfg.setPoolName(schema);
    return new Scratch(new HikariDataSource(cfg), schema, true, url);
  }

  public static Scratch mariadb() {
    assumeReachable(MARIA_URL + "test", MARIA_USER);
    String db = "cdp_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    exec(MARIA_URL + "test", MARIA_USER, "CREATE DATABASE " + db);
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(MARIA_URL + db);
    cfg.setUsername(MARIA_USER);
    cfg.setMaximumPoolSize(6);
    cfg.setPoolName(db);
    return new Scratch(new HikariDataSource(cfg), db, false, MARIA_URL);
  }

  /** A scratch database on the server {@code kind} names: {@code postgres} or {@code mariadb}. */
  public static Scratch server(String kind) {
    return switch (kind) {
      case "postgres" -> postgres();
      case "mariadb" -> mariadb();
      default -> throw new IllegalArgumentException("no server kind " + kind);
    };
  }

  public static void drop(Scratch s) {
    s.dataSource().close();
    if (s.postgres()) {
      exec(s.server(), PG_USER, "DROP SCHEMA " + s.name() + " CASCADE");
    } else {
      exec(MARIA_URL + "test", MARIA_USER, "DROP DATABASE " + s.name());
    }
  }

  private static void exec(String url, String user, String sql) {
    try (Connection c = DriverManager.getConnection(url, user, "");
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
