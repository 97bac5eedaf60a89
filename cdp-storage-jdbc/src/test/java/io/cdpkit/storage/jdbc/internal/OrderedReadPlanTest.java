package io.cdpkit.storage.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.storage.jdbc.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ordered reads (profile scans, a segment's members, due checks) must read a page as a
 * range of an index in its order and stop after the page. H2 does that only when the
 * {@code ORDER BY} names a prefix of the index's columns, the workspace included; ordered by the
 * id alone, it read and sorted every row of the workspace after the cursor for each page, which
 * made a scan over all profiles quadratic.
 */
class OrderedReadPlanTest {
  private static final Pattern SCAN_COUNT = Pattern.compile("scanCount: (\\d+)");

  @Test
  @DisplayName("regression: on H2 a page of profiles, members or due checks reads its index in"
      + " order and stops after the page, instead of sorting the rest of the workspace")
  void h2ReadsPagesInIndexOrder() throws SQLException {
    try (Connection c = migratedH2()) {
      try (Statement s = c.createStatement()) {
        for (String ws : List.of("shop-a", "shop-b")) {
          s.execute("INSERT INTO cdp_profiles SELECT '" + ws + "', 'p-' || X, 1, '{}'"
              + " FROM SYSTEM_RANGE(1, 5000)");
          s.execute("INSERT INTO cdp_memberships SELECT '" + ws + "', 'vip', 'p-' || X, X, 0"
              + " FROM SYSTEM_RANGE(1, 5000)");
          s.execute("INSERT INTO cdp_checks SELECT '" + ws + "', 'p-' || X, 1000 + X, 0"
              + " FROM SYSTEM_RANGE(1, 5000)");
        }
        s.execute("ANALYZE");
      }

      assertReadsOnlyThePage(c, Rows.profilesAfterSql(false), "shop-a", 10);
      assertReadsOnlyThePage(c, Rows.profilesAfterSql(true), "shop-a", "p-1", 10);
      assertReadsOnlyThePage(c, Rows.membersSql(false), "shop-a", "vip", 10);
      assertReadsOnlyThePage(c, Rows.membersSql(true), "shop-a", "vip", "p-1", 10);
      assertReadsOnlyThePage(c, Rows.dueChecksSql(false), "shop-a", 9_000L, 9_000L, 0, 10);
      assertReadsOnlyThePage(c, Rows.dueChecksSql(true), "shop-a", 9_000L, 9_000L, 0,
          1_100L, 1_100L, 0, 0, "p-100", 10);
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
  }

  @Test
  @DisplayName("on H2 a page of outbox entries by status, or of claimable ones, reads its index"
      + " in order and stops after the page")
  void h2ReadsOutboxPagesInIndexOrder() throws SQLException {
    try (Connection c = migratedH2()) {
      try (Statement s = c.createStatement()) {
        for (String ws : List.of("shop-a", "shop-b")) {
          for (String status : List.of("PENDING", "DONE")) {
            s.execute("INSERT INTO cdp_outbox SELECT '" + ws + "', '" + status + "-' || X, 'r',"
                + " 'p-' || X, 'email', 0, 0, 1000 + X, 0, 0, '" + status + "', '{}', NULL,"
                + " NULL, NULL, NULL FROM SYSTEM_RANGE(1, 5000)");
          }
        }
        s.execute("ANALYZE");
      }

      assertReadsOnlyThePage(c, Rows.outboxPageSql(Dialect.H2, false), "shop-a", "PENDING",
          10);
      assertReadsOnlyThePage(c, Rows.outboxPageSql(Dialect.H2, true), "shop-a", "DONE",
          "DONE-1", 10);
      assertReadsOnlyThePage(c, Rows.claimableSql(Dialect.H2, false, false, false), "shop-a",
          "PENDING", 9_000L, 9_000L, 0, 9_000L, 9_000L, 0, 10);
      assertReadsOnlyThePage(c, Rows.claimableSql(Dialect.H2, true, false, false), "shop-a",
          "PENDING", 9_000L, 9_000L, 0, 9_000L, 9_000L, 0, 1_100L, 1_100L, 0, 0, "PENDING-100",
          10);
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
  }

  @Test
  @DisplayName("on H2 a page of the audit log reads its primary key in order and stops after"
      + " the page")
  void h2ReadsAuditPagesInKeyOrder() throws SQLException {
    try (Connection c = migratedH2()) {
      try (Statement s = c.createStatement()) {
        for (String ws : List.of("shop-a", "shop-b")) {
          s.execute("INSERT INTO cdp_audit SELECT '" + ws + "', X, 1000 + X, 0, 'erase', NULL,"
              + " NULL, '{}' FROM SYSTEM_RANGE(1, 5000)");
        }
        s.execute("ANALYZE");
      }

      assertReadsOnlyThePage(c, Rows.auditSql(Dialect.H2), "shop-a", 0L, 10);
      assertReadsOnlyThePage(c, Rows.auditSql(Dialect.H2), "shop-a", 2_500L, 10);
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
  }

  @Test
  @DisplayName("regression: on MariaDB a claim reads the due index in order and stops at the"
      + " limit, instead of sorting, and so locking, every due row (what MariaDB 10.11 did when"
      + " the ORDER BY named the workspace and status, and on small tables)")
  void mariaDbClaimsReadTheDueIndexInOrder() throws SQLException {
    TestDatabases.Scratch db = TestDatabases.mariadb();
    try (Connection c = db.dataSource().getConnection()) {
      Schema.migrate(c, Dialect.MARIADB);
      for (int rows : new int[] {6, 3_000}) {
        try (Statement s = c.createStatement()) {
          s.execute("DELETE FROM cdp_outbox");
          for (String ws : List.of("shop-a", "shop-b")) {
            s.execute("INSERT INTO cdp_outbox SELECT '" + ws + "', CONCAT('k-', seq), 'r',"
                + " CONCAT('p-', seq), 'email', 0, 0, 1000 + seq, 0, 0,"
                + " IF(seq % 3 = 0, 'DONE', 'PENDING'), '{}', NULL, NULL, NULL, NULL"
                + " FROM seq_1_to_" + rows);
          }
          s.execute("ANALYZE TABLE cdp_outbox");
        }
        for (boolean after : new boolean[] {false, true}) {
          String sql = Rows.claimableSql(Dialect.MARIADB, after, false, true);
          try (PreparedStatement p = c.prepareStatement("EXPLAIN " + sql)) {
            Object[] params = after
                ? new Object[] {"shop-a", "PENDING", 9_000L, 9_000L, 0, 9_000L, 9_000L, 0,
                    1_001L, 1_001L, 0, 0, "k-1", 10}
                : new Object[] {"shop-a", "PENDING", 9_000L, 9_000L, 0, 9_000L, 9_000L, 0, 10};
            for (int i = 0; i < params.length; i++) {
              p.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = p.executeQuery()) {
              assertThat(rs.next()).isTrue();
              String plan = rs.getString("key") + " / " + rs.getString("Extra");
              assertThat(plan).as("%d rows: %s", rows, sql).startsWith("cdp_outbox_due /")
                  .doesNotContain("filesort");
            }
          }
        }
      }
    } finally {
      TestDatabases.drop(db);
    }
  }

  private static void assertReadsOnlyThePage(Connection c, String sql, Object... params)
      throws SQLException {
    String plan;
    try (PreparedStatement p = c.prepareStatement("EXPLAIN ANALYZE " + sql)) {
      for (int i = 0; i < params.length; i++) {
        p.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = p.executeQuery()) {
        assertThat(rs.next()).isTrue();
        plan = rs.getString(1);
      }
    }
    assertThat(plan).as(sql).contains("/* index sorted */");
    Matcher m = SCAN_COUNT.matcher(plan);
    assertThat(m.find()).as(plan).isTrue();
    assertThat(Integer.parseInt(m.group(1))).as(plan).isLessThanOrEqualTo(20);
  }

  /** A connection to a new in-memory H2 database at the current schema. */
  private static Connection migratedH2() throws SQLException {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:plan-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    ds.setUser("sa");
    Connection c = ds.getConnection();
    Schema.migrate(c, Dialect.H2);
    return c;
  }
}
