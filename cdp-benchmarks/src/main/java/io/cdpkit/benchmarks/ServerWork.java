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
    return out.toString();
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
