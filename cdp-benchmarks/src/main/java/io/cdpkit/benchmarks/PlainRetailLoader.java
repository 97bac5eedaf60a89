package io.cdpkit.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.examples.OnlineRetailEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The loader a retailer would write instead of a CDP, the baseline of {@link OnlineRetailRounds}:
 * the {@link OnlineRetailEvents} go into three plain tables.
 *
 * <pre>
 * orders    (invoice PK, customer, ordered_at, total, line_items)   -- one row per Order Completed
 * refunds   (invoice PK, customer, refunded_at, total, line_items)  -- one row per Order Refunded
 * customers (customer PK, country, orders, total_spent, first_order, last_order)
 * </pre>
 *
 * {@code line_items} is the event's {@code products} list as JSON text (Jackson), in the column
 * type CDPKit's store uses for documents ({@code CHARACTER LARGE OBJECT} on H2, {@code TEXT} on
 * PostgreSQL, {@code LONGTEXT} on MariaDB). Each {@link #load} call is one JDBC transaction: the
 * orders and refunds go in as batched inserts, then each customer the call touched gets its row
 * upserted with the call's sums added (an identify sets the country; an order adds 1 to
 * {@code orders}, its total to {@code total_spent} and moves {@code first_order} /
 * {@code last_order}; a refund takes its total off {@code total_spent}). A replayed invoice fails
 * the call on the primary key: unlike CDPKit, this loader is not idempotent.
 *
 * <p>The databases are opened as {@link BenchStores} opens CDPKit's: {@code h2file} with the URL
 * settings of {@code JdbcStore.Builder.h2File} (every commit written, {@code WRITE_DELAY=0}) and
 * H2's own pool; {@code postgres} and {@code mariadb} in a scratch schema or database through
 * HikariCP with batched inserts rewritten into multi-row ones. Closing drops what was created.
 *
 * <p>Not thread-safe.
 */
final class PlainRetailLoader implements AutoCloseable {
  static final String KINDS = "h2file, postgres, mariadb";

  private enum Dialect { H2, POSTGRES, MARIADB }

  private final Dialect dialect;
  private final DataSource ds;
  private final Runnable cleanup;
  private final ObjectMapper json = new ObjectMapper();
  private final String insertOrder;
  private final String insertRefund;
  private final String upsertCustomer;

  /** A loader on the fresh database; runs {@code cleanup} when the tables cannot be made. */
  private static PlainRetailLoader create(Dialect dialect, DataSource ds, Runnable cleanup) {
    try {
      return new PlainRetailLoader(dialect, ds, cleanup);
    } catch (RuntimeException e) {
      cleanup.run();
      throw e;
    }
  }

  private PlainRetailLoader(Dialect dialect, DataSource ds, Runnable cleanup) {
    this.dialect = dialect;
    this.ds = ds;
    this.cleanup = cleanup;
    this.insertOrder = "INSERT INTO orders (invoice, customer, ordered_at, total, line_items)"
        + " VALUES (?, ?, ?, ?, ?)";
    this.insertRefund = "INSERT INTO refunds (invoice, customer, refunded_at, total, line_items)"
        + " VALUES (?, ?, ?, ?, ?)";
    this.upsertCustomer = switch (dialect) {
      case H2 -> "MERGE INTO customers c USING (VALUES (CAST(? AS VARCHAR(20)),"
          + " CAST(? AS VARCHAR(60)), CAST(? AS INT), CAST(? AS NUMERIC(16, 3)),"
          + " CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)))"
          + " s(customer, country, orders, total_spent, first_order, last_order)"
          + " ON c.customer = s.customer"
          + " WHEN MATCHED THEN UPDATE SET country = COALESCE(s.country, c.country),"
          + " orders = c.orders + s.orders, total_spent = c.total_spent + s.total_spent,"
          + " first_order = LEAST(COALESCE(c.first_order, s.first_order),"
          + " COALESCE(s.first_order, c.first_order)),"
          + " last_order = GREATEST(COALESCE(c.last_order, s.last_order),"
          + " COALESCE(s.last_order, c.last_order))"
          + " WHEN NOT MATCHED THEN INSERT (customer, country, orders, total_spent, first_order,"
          + " last_order) VALUES (s.customer, s.country, s.orders, s.total_spent, s.first_order,"
          + " s.last_order)";
      // LEAST and GREATEST skip NULLs on PostgreSQL.
      case POSTGRES -> "INSERT INTO customers (customer, country, orders, total_spent,"
          + " first_order, last_order) VALUES (?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (customer) DO UPDATE SET"
          + " country = COALESCE(EXCLUDED.country, customers.country),"
          + " orders = customers.orders + EXCLUDED.orders,"
          + " total_spent = customers.total_spent + EXCLUDED.total_spent,"
          + " first_order = LEAST(customers.first_order, EXCLUDED.first_order),"
          + " last_order = GREATEST(customers.last_order, EXCLUDED.last_order)";
      case MARIADB -> "INSERT INTO customers (customer, country, orders, total_spent,"
          + " first_order, last_order) VALUES (?, ?, ?, ?, ?, ?)"
          + " ON DUPLICATE KEY UPDATE"
          + " country = COALESCE(VALUES(country), country),"
          + " orders = orders + VALUES(orders),"
          + " total_spent = total_spent + VALUES(total_spent),"
          + " first_order = LEAST(COALESCE(first_order, VALUES(first_order)),"
          + " COALESCE(VALUES(first_order), first_order)),"
          + " last_order = GREATEST(COALESCE(last_order, VALUES(last_order)),"
          + " COALESCE(VALUES(last_order), last_order))";
    };
    createTables();
  }

  /**
   * A fresh, empty database of this kind with the three tables.
   *
   * @throws IllegalArgumentException when the kind is not one of {@value #KINDS}
   */
  static PlainRetailLoader open(String kind) {
    String scratch = "cdp_p_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    switch (kind) {
      case "h2file": {
        Path dir;
        try {
          dir = Files.createTempDirectory(scratch);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        // The settings JdbcStore.Builder.h2File opens its database with.
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("retail")
            + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000;MAX_LENGTH_INPLACE_LOB=131072"
            + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0");
        h2.setUser("sa");
        JdbcConnectionPool pool = JdbcConnectionPool.create(h2);
        return create(Dialect.H2, pool, () -> {
          try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("SHUTDOWN IMMEDIATELY");
          } catch (SQLException e) {
            // shut down already
          } finally {
            pool.dispose();
            BenchStores.deleteTree(dir);
          }
        });
      }
      case "postgres": {
        String url = BenchStores.postgresUrl();
        BenchStores.exec(url, "postgres", "CREATE SCHEMA " + scratch);
        HikariDataSource pool = BenchStores.pool(url + "?currentSchema=" + scratch
            + "&reWriteBatchedInserts=true", "postgres");
        return create(Dialect.POSTGRES, pool, () -> {
          pool.close();
          BenchStores.exec(url, "postgres", "DROP SCHEMA " + scratch + " CASCADE");
        });
      }
      case "mariadb": {
        String url = System.getProperty("cdp.bench.maria", "jdbc:mariadb://127.0.0.1:3306/");
        BenchStores.exec(url + "test", "root", "CREATE DATABASE " + scratch);
        HikariDataSource pool =
            BenchStores.pool(url + scratch + "?rewriteBatchedStatements=true", "root");
        return create(Dialect.MARIADB, pool, () -> {
          pool.close();
          BenchStores.exec(url + "test", "root", "DROP DATABASE " + scratch);
        });
      }
      default:
        throw new IllegalArgumentException("loader kind " + kind + " is not one of " + KINDS);
    }
  }

  private void createTables() {
    String text = switch (dialect) {
      case H2 -> "CHARACTER LARGE OBJECT";
      case POSTGRES -> "TEXT";
      case MARIADB -> "LONGTEXT";
    };
    String time = dialect == Dialect.MARIADB ? "DATETIME(6)" : "TIMESTAMP";
    String options = dialect == Dialect.MARIADB
        ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin" : "";
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      for (String[] t : new String[][] {{"orders", "ordered_at"}, {"refunds", "refunded_at"}}) {
        st.execute("CREATE TABLE " + t[0] + " (invoice VARCHAR(20) NOT NULL PRIMARY KEY,"
            + " customer VARCHAR(20) NOT NULL, " + t[1] + " " + time + " NOT NULL,"
            + " total NUMERIC(16, 3) NOT NULL, line_items " + text + " NOT NULL)" + options);
      }
      st.execute("CREATE TABLE customers (customer VARCHAR(20) NOT NULL PRIMARY KEY,"
          + " country VARCHAR(60), orders INT NOT NULL, total_spent NUMERIC(16, 3) NOT NULL,"
          + " first_order " + time + ", last_order " + time + ")" + options);
    } catch (SQLException e) {
      throw new IllegalStateException("creating the tables: " + e.getMessage(), e);
    }
  }

  /**
   * Loads the events in one transaction: nothing is written when any of them fails.
   *
   * @throws IllegalArgumentException when an event is not of the {@link OnlineRetailEvents} kinds
   * @throws IllegalStateException when the database refuses the transaction
   */
  void load(List<Event> events) {
    Map<String, Customer> touched = new LinkedHashMap<>();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement orders = c.prepareStatement(insertOrder);
          PreparedStatement refunds = c.prepareStatement(insertRefund);
          PreparedStatement customers = c.prepareStatement(upsertCustomer)) {
        int nOrders = 0;
        int nRefunds = 0;
        for (Event e : events) {
          String customer = customer(e);
          Customer agg = touched.computeIfAbsent(customer, k -> new Customer());
          Instant at = e.timestamp();
          if (at == null) {
            throw new IllegalArgumentException(e.messageId() + ": timestamp is missing");
          }
          if (e.type() == EventType.IDENTIFY) {
            Object country = e.traits().get("country");
            agg.country = country instanceof String s ? s : agg.country;
            continue;
          }
          boolean order = OnlineRetailEvents.ORDER.equals(e.name());
          if (e.type() != EventType.TRACK
              || !order && !OnlineRetailEvents.REFUND.equals(e.name())) {
            throw new IllegalArgumentException(
                e.messageId() + ": not an order, refund or identify");
          }
          if (!(e.properties().get("order_id") instanceof String invoice)) {
            throw new IllegalArgumentException(e.messageId() + ": order_id must be a string");
          }
          if (!(e.properties().get("total") instanceof BigDecimal total)) {
            throw new IllegalArgumentException(e.messageId() + ": total must be a decimal");
          }
          String lines = json.writeValueAsString(e.properties().get("products"));
          PreparedStatement ps = order ? orders : refunds;
          ps.setString(1, invoice);
          ps.setString(2, customer);
          ps.setObject(3, LocalDateTime.ofInstant(at, ZoneOffset.UTC));
          ps.setBigDecimal(4, total);
          ps.setString(5, lines);
          ps.addBatch();
          if (order) {
            nOrders++;
            agg.orders++;
            agg.spent = agg.spent.add(total);
            agg.first = agg.first == null || at.isBefore(agg.first) ? at : agg.first;
            agg.last = agg.last == null || at.isAfter(agg.last) ? at : agg.last;
          } else {
            nRefunds++;
            agg.spent = agg.spent.subtract(total);
          }
        }
        if (nOrders > 0) {
          orders.executeBatch();
        }
        if (nRefunds > 0) {
          refunds.executeBatch();
        }
        for (Map.Entry<String, Customer> t : touched.entrySet()) {
          Customer agg = t.getValue();
          customers.setString(1, t.getKey());
          customers.setString(2, agg.country);
          customers.setInt(3, agg.orders);
          customers.setBigDecimal(4, agg.spent);
          setTime(customers, 5, agg.first);
          setTime(customers, 6, agg.last);
          customers.addBatch();
        }
        if (!touched.isEmpty()) {
          customers.executeBatch();
        }
        c.commit();
      } catch (SQLException | JsonProcessingException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading " + events.size() + " events: " + e.getMessage(),
          e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing the lines as JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Rows per table; the sum of {@code customers.orders} under {@code customer_orders};
   * {@code spent_off_by} 0 when the customers' {@code total_spent} add up to the orders' totals
   * less the refunds' (else 1); {@code bad_order_times} the customers with orders whose first or
   * last order time is missing or out of order.
   */
  Map<String, Long> counts() {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      for (String table : List.of("orders", "refunds", "customers")) {
        try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
          rs.next();
          out.put(table, rs.getLong(1));
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(orders), 0) FROM customers")) {
        rs.next();
        out.put("customer_orders", rs.getLong(1));
      }
      // The aggregates agree with the rows: spent is orders less refunds, and a customer with
      // orders has both order times.
      try (ResultSet rs = st.executeQuery("SELECT (SELECT COALESCE(SUM(total_spent), 0)"
          + " FROM customers) - (SELECT COALESCE(SUM(total), 0) FROM orders)"
          + " + (SELECT COALESCE(SUM(total), 0) FROM refunds)")) {
        rs.next();
        out.put("spent_off_by", rs.getBigDecimal(1).signum() == 0 ? 0L : 1L);
      }
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM customers WHERE orders > 0"
          + " AND (first_order IS NULL OR last_order IS NULL OR first_order > last_order)")) {
        rs.next();
        out.put("bad_order_times", rs.getLong(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("counting rows: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void close() {
    cleanup.run();
  }

  /** A customer's sums within one {@link #load} call. */
  private static final class Customer {
    @Nullable String country;
    int orders;
    BigDecimal spent = BigDecimal.ZERO;
    @Nullable Instant first;
    @Nullable Instant last;
  }

  private static String customer(Event e) {
    String userId = e.userId();
    if (userId == null || !userId.startsWith("c")) {
      throw new IllegalArgumentException(e.messageId() + ": userId must be c and a number");
    }
    return userId.substring(1);
  }

  private static void setTime(PreparedStatement ps, int i, @Nullable Instant t)
      throws SQLException {
    if (t == null) {
      ps.setNull(i, Types.TIMESTAMP);
    } else {
      ps.setObject(i, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }
  }
}
