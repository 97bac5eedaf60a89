package io.cdpkit.storage.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The statistics keeper on PostgreSQL: a store growing from empty gets planner statistics without
 * anyone running {@code ANALYZE}; they come from the keeper's small sample, hold nothing about
 * document columns, and the keeper's setting does not stay on the pooled connection it borrowed.
 */
class StatisticsKeeperTest {
  @Test
  @DisplayName("PostgreSQL: after more than FIRST rows the store's tables have statistics from a"
      + " sample at the keeper's target, none on documents, and every pooled connection keeps"
      + " the server's own default_statistics_target")
  void keeperAnalyzesWithASmallSampleAndLeavesTheConnectionAsItWas() throws SQLException {
    TestDatabases.Scratch db = TestDatabases.postgres();
    try {
      Instant t = Instant.parse("2026-09-01T08:00:00Z");
      int people = 1_000;
      JdbcStore store = JdbcStore.create(db.dataSource());
      // Where autovacuum is on, its own ANALYZE (at the full target) must not come in between.
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        for (String table : List.of("cdp_events", "cdp_nodes", "cdp_profiles",
            "cdp_components")) {
          s.execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
        }
      }
      try (Cdp cdp = Cdp.builder().store(store).build()) {
        for (int from = 0; from < people; from += 100) {
          List<Event> batch = new ArrayList<>();
          for (int i = from; i < from + 100; i++) {
            batch.add(Event.identify().messageId("m-" + i).userId("c-" + i)
                .timestamp(t.plusSeconds(i)).trait("email", "p" + i + "@example.com").build());
          }
          cdp.ingest(batch);
        }
      }

      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        Map<String, Integer> bounds = new HashMap<>();
        try (ResultSet rs = s.executeQuery("SELECT tablename || '.' || attname,"
            + " COALESCE(array_length(histogram_bounds::text::text[], 1), 0) FROM pg_stats"
            + " WHERE schemaname = current_schema()")) {
          while (rs.next()) {
            bounds.put(rs.getString(1), rs.getInt(2));
          }
        }
        // 1,000 distinct messageIds: the default target (100) would keep 101 bounds.
        assertThat(bounds).as("columns the keeper analyzed").containsKeys(
            "cdp_events.message_id", "cdp_nodes.id_value", "cdp_profiles.id");
        assertThat(bounds.get("cdp_events.message_id")).isBetween(2,
            Statistics.SAMPLE_TARGET + 1);
        assertThat(bounds).doesNotContainKeys("cdp_events.body", "cdp_profiles.body",
            "cdp_components.body", "cdp_nodes.id_secret");
      }

      // Hold every connection of the pool at once: the keeper's is among them.
      List<Connection> all = new ArrayList<>();
      try {
        for (int i = 0; i < db.dataSource().getMaximumPoolSize(); i++) {
          all.add(db.dataSource().getConnection());
        }
        for (Connection c : all) {
          try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
              "SELECT setting, reset_val FROM pg_settings"
                  + " WHERE name = 'default_statistics_target'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the connection's setting")
                .isEqualTo(rs.getString(2));
          }
        }
      } finally {
        for (Connection c : all) {
          c.close();
        }
      }
    } finally {
      TestDatabases.drop(db);
    }
  }
  @Test
  @DisplayName("PostgreSQL: a table another session holds against ANALYZE (as another node's"
      + " keeper does) is skipped, not waited for; the other tables are analyzed")
  void keeperSkipsATableHeldByAnotherSession() throws Exception {
    TestDatabases.Scratch db = TestDatabases.postgres();
    ExecutorService keeper = Executors.newSingleThreadExecutor();
    try {
      JdbcStore.create(db.dataSource());
      try (Connection c = db.dataSource().getConnection()) {
        assertThat(reltuples(c, "cdp_events")).as("never analyzed").isEqualTo(-1);
        assertThat(reltuples(c, "cdp_nodes")).as("never analyzed").isEqualTo(-1);
      }
      try (Connection holder = db.dataSource().getConnection();
          Statement s = holder.createStatement()) {
        holder.setAutoCommit(false);
        // The mode ANALYZE itself takes, and conflicts with: what another keeper holds.
        s.execute("LOCK TABLE cdp_events IN SHARE UPDATE EXCLUSIVE MODE");
        try {
          Statistics statistics = new Statistics(db.dataSource(), Dialect.POSTGRES);
          Future<?> run = keeper.submit(() -> statistics.wrote((int) Statistics.FIRST));
          run.get(30, TimeUnit.SECONDS);
        } finally {
          holder.rollback();
        }
      }
      try (Connection c = db.dataSource().getConnection()) {
        assertThat(reltuples(c, "cdp_events")).as("skipped").isEqualTo(-1);
        assertThat(reltuples(c, "cdp_nodes")).as("analyzed (empty)").isEqualTo(0);
        assertThat(reltuples(c, "cdp_profiles")).as("analyzed (empty)").isEqualTo(0);
      }
    } finally {
      keeper.shutdownNow();
      TestDatabases.drop(db);
    }
  }

  /** The planner's row estimate of a table: -1 until it was first vacuumed or analyzed. */
  private static double reltuples(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT reltuples FROM pg_class WHERE oid = to_regclass('" + table + "')")) {
      assertThat(rs.next()).as(table).isTrue();
      return rs.getDouble(1);
    }
  }
}
