package io.cdpkit.storage.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PostgreSQL's planner statistics of the store's tables from going stale while they grow
 * from empty. A plan made for a table the planner believes tiny reads a workspace's whole index
 * range instead of probing keys, and the cost of every batch then grows with the table. Autovacuum
 * analyzes such tables in time when it is on (PostgreSQL's default, and recommended); this class
 * also covers installations where it is off: after {@value #FIRST} rows written by this store, then
 * after twice as many each time (so about {@code log2(rows)} runs in all), it runs
 * {@code ANALYZE} on the store's tables once, on a connection of its own, on the writer that
 * crossed the mark. A failed {@code ANALYZE} is logged and ignored: it changes no data.
 *
 * <p>Its {@code ANALYZE} is a small one: {@code default_statistics_target} is
 * {@value #SAMPLE_TARGET} (PostgreSQL's default is 100) for the keeper's own transaction
 * ({@code SET LOCAL}), so it samples 3,000 rows per table instead of 30,000 and keeps at most
 * {@value #SAMPLE_TARGET} common values and histogram buckets per column (columns given a target
 * of their own keep it). That is enough for what the keeper is for: every query of the store
 * looks rows up by equality on key columns or reads an index range in order, so the planner needs
 * the tables' sizes and whether a column's values are unique, not fine histograms. Autovacuum's
 * own runs, when it is on, gather the full statistics.
 *
 * <p>A table another session holds against {@code ANALYZE} (another node's keeper analyzing it
 * at the same moment, a schema change) is skipped rather than waited for: see {@link #analyze}.
 *
 * <p>Thread-safe.
 */
final class Statistics {
  private static final Logger LOG = LoggerFactory.getLogger(Statistics.class);
  static final long FIRST = 2_000;
  /** The statistics target of the keeper's {@code ANALYZE} (PostgreSQL's default is 100). */
  static final int SAMPLE_TARGET = 10;
  private static final String TABLES = "cdp_events, cdp_nodes, cdp_components, cdp_links,"
      + " cdp_profiles, cdp_profile_orders, cdp_redirects, cdp_ledger, cdp_metadata, cdp_memberships, cdp_checks,"
      + " cdp_outbox, cdp_deliveries, cdp_tombstones, cdp_audit";

  private final DataSource dataSource;
  private final boolean enabled;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong next = new AtomicLong(FIRST);
  private final AtomicBoolean running = new AtomicBoolean();

  Statistics(DataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.enabled = dialect == Dialect.POSTGRES;
  }

  /**
   * The keeper's statement. From PostgreSQL 12 on it skips a table another session holds in a
   * mode that conflicts with {@code ANALYZE}'s ({@code SKIP_LOCKED}): usually another node's
   * keeper analyzing it at the same moment, whose statistics serve both, or a long schema change.
   * The writer that runs the keeper then goes on at once instead of waiting behind it.
   */
  static String analyze(Connection c) throws SQLException {
    return c.getMetaData().getDatabaseMajorVersion() >= 12
        ? "ANALYZE (SKIP_LOCKED) " + TABLES
        : "ANALYZE " + TABLES;
  }

  /** After a commit that wrote about {@code rows} rows. */
  void wrote(int rows) {
    if (!enabled) {
      return;
    }
    long total = written.addAndGet(rows);
    long mark = next.get();
    if (total < mark || !running.compareAndSet(false, true)) {
      return;
    }
    try {
      next.set(Math.max(mark * 2, total + FIRST));
      long t0 = System.nanoTime();
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          // SET LOCAL ends with the transaction: the pooled connection keeps its own setting.
          s.execute("SET LOCAL default_statistics_target = " + SAMPLE_TARGET);
          s.execute(analyze(c));
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(autoCommit);
        }
      }
      LOG.debug("analyzed the store's tables after {} rows written, in {} ms", total,
          (System.nanoTime() - t0) / 1_000_000);
    } catch (SQLException e) {
      LOG.warn("ANALYZE of the store's tables failed (SQLState {}); plans may degrade until"
          + " autovacuum analyzes them", e.getSQLState());
    } finally {
      running.set(false);
    }
  }
}
