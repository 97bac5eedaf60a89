package io.cdpkit.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a PostgreSQL server did for a timed part, in counts that do not drift with the machine's
 * speed as CPU time does: WAL bytes, WAL records and full-page images ({@code pg_stat_wal}),
 * rows inserted, updated and deleted, and shared buffers hit and read ({@code pg_stat_database}),
 * over the whole database. With {@code -Dbench.serverWork=true} (PostgreSQL only; off
 * otherwise, and then every reading is empty).
 *
 * <p>Backends report their counts to the statistics system at most once a second while busy
 * and within about ten seconds of going idle; a reading therefore waits
 * {@value #SETTLE_MILLIS} ms first, outside the timed part. Work of other sessions on the same
 * database in that time counts too: run it on a quiet server. A benchmark helper, not a
 * library type.
 *
 * <p>With {@code -Dbench.walRecords=N} as well, and the {@code pg_walinspect} extension installed
 * in the database ({@code CREATE EXTENSION pg_walinspect}, by hand, as a superuser; drop it
 * afterwards), the reading also gives the {@code N} kinds of WAL record that took the most bytes
 * (as {@code pg_get_wal_stats} names them: {@code Heap/INSERT}, {@code Btree/INSERT_LEAF}, ...),
 * each with its records and bytes per event: where the WAL goes, by operation.
 */
final class ServerWork {
  static final long SETTLE_MILLIS = 11_000;
  private static final String[] NAMES = {"WAL bytes", "WAL records", "full pages",
      "rows written", "buffers hit", "buffers read"};

  private final long[] start;

  private ServerWork(long[] start) {
    this.start = start;
  }

  /** Whether readings are on for a store of benchmark kind {@code kind}. */
  static boolean on(String kind) {
    return kind.equals("postgres") && Boolean.getBoolean("bench.serverWork");
  }

  /** Settles, then reads the counters; null when readings are off. */
  static ServerWork start(String kind) {
    return on(kind) ? new ServerWork(read()) : null;
  }

  /** Settles, reads again, and gives the counts per event since {@link #start} as text. */
  String perEvent(int events) {
    long[] end = read();
    StringBuilder out = new StringBuilder("server work per event:");
    for (int i = 0; i < NAMES.length; i++) {
      out.append(i == 0 ? " " : ", ").append(NAMES[i]).append(' ')
          .append(String.format("%.1f", (end[i] - start[i]) / (double) events));
    }
    int kinds = Integer.getInteger("bench.walRecords", 0);
    if (kinds > 0) {
      out.append("; WAL by record kind per event:").append(walRecords(start[0], end[0], kinds,
          events));
    }
    return out.toString();
  }

  /** The {@code kinds} largest kinds of WAL record between two positions, per event. */
  private static String walRecords(long from, long to, int kinds, int events) {
    String sql = "SELECT \"resource_manager/record_type\", count, combined_size"
        + " FROM pg_get_wal_stats(?::pg_lsn, ?::pg_lsn, true) ORDER BY combined_size DESC"
        + " LIMIT ?";
    try (Connection c = DriverManager.getConnection(BenchStores.postgresUrl(), "postgres", "");
        java.sql.PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, lsn(from));
      p.setString(2, lsn(to));
      p.setInt(3, kinds);
      StringBuilder out = new StringBuilder();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.append(' ').append(rs.getString(1)).append(' ')
              .append(String.format("%.2f records %.0f bytes,", rs.getLong(2) / (double) events,
                  rs.getLong(3) / (double) events));
        }
      }
      return out.toString();
    } catch (SQLException e) {
      return " (pg_walinspect unavailable: " + e.getMessage() + ")";
    }
  }

  /** A WAL position as PostgreSQL writes it, from its byte offset. */
  private static String lsn(long bytes) {
    return Long.toHexString(bytes >>> 32).toUpperCase() + "/"
        + Long.toHexString(bytes & 0xFFFFFFFFL).toUpperCase();
  }

  private static long[] read() {
    try {
      Thread.sleep(SETTLE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String url = BenchStores.postgresUrl();
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0'),"
            + " w.wal_records, w.wal_fpi, d.tup_inserted + d.tup_updated + d.tup_deleted,"
            + " d.blks_hit, d.blks_read FROM pg_stat_wal w,"
            + " pg_stat_database d WHERE d.datname = current_database()")) {
      rs.next();
      long[] out = new long[NAMES.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = rs.getLong(i + 1);
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("reading the server's statistics: " + e.getMessage(), e);
    }
  }
}
