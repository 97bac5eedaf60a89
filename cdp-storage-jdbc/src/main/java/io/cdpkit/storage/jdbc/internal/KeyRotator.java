package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.core.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-encrypts, under the current key, every value whose ciphertext names another key id: table
 * by table, in key order, a short batch per transaction.
 *
 * <p>A batch reads up to {@code batchSize} rows after the last one done whose protected columns
 * hold text not under the current key (no locks), decrypts and encrypts them again in memory,
 * and updates each column only where it still holds the text read ({@code UPDATE ... WHERE key
 * AND column = old}), then commits. A writer that changed the value meanwhile wrote it under the
 * current key already, so its text is kept; nothing a writer does is undone. The plaintext does
 * not change, so neither the workspace's version nor any cache is touched. A pass that lost
 * such races goes over the table again (at most {@value #PASSES} passes). Retryable failures
 * (a deadlock with a writer, a lost connection) retry the batch.
 *
 * <p>Every node writing to the database must already encrypt under the new current key when
 * the rotation starts, or its writes may leave values under the old one.
 *
 * <p>Not thread-safe: one rotation at a time per instance.
 */
final class KeyRotator {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRotator.class);
  private static final int PASSES = 3;

  /** Progress per table: rows rewritten so far, and whether the table is finished. */
  @FunctionalInterface
  interface Progress {
    void progress(String table, long rewritten, boolean tableDone);
  }

  /**
   * A table with protected columns. {@code key}: the primary key's columns in order; when the
   * workspace is not among them, it is read beside (it is part of each ciphertext's place).
   */
  private record Target(String table, List<String> key, List<String> columns) {}

  /** Every column that goes through the codec (see {@link Rows}), by table. */
  private static final List<Target> TARGETS = List.of(
      new Target("cdp_events", List.of("workspace", "message_id"), List.of("body")),
      new Target("cdp_nodes", List.of("workspace", "id_type", "id_value"),
          List.of("id_secret")),
      new Target("cdp_components", List.of("workspace", "id"), List.of("body")),
      new Target("cdp_links", List.of("seq"), List.of("body")),
      new Target("cdp_profiles", List.of("workspace", "id"), List.of("body")),
      new Target("cdp_profile_orders", List.of("workspace", "profile_id", "order_key"),
          List.of("body")),
      new Target("cdp_ledger", List.of("seq"), List.of("body")),
      new Target("cdp_metadata", List.of("workspace", "meta_key"), List.of("meta_value")),
      new Target("cdp_outbox", List.of("workspace", "outbox_key"),
          List.of("trigger_text", "last_error")),
      new Target("cdp_deliveries", List.of("workspace", "delivery_id"),
          List.of("detail", "reason")),
      new Target("cdp_audit", List.of("workspace", "seq"), List.of("detail")));

  /** The tables a rotation goes through, in order. */
  static List<String> tables() {
    List<String> out = new ArrayList<>();
    for (Target t : TARGETS) {
      out.add(t.table());
    }
    return out;
  }

  private final DataSource dataSource;
  private final AesGcmCodec codec;
  private final int batchSize;

  /** Runs after a batch has read its rows and before it updates them; for tests of races. */
  private final Consumer<String> afterRead;

  KeyRotator(DataSource dataSource, AesGcmCodec codec, int batchSize) {
    this(dataSource, codec, batchSize, table -> { });
  }

  KeyRotator(DataSource dataSource, AesGcmCodec codec, int batchSize,
      Consumer<String> afterRead) {
    this.dataSource = dataSource;
    this.codec = codec;
    this.batchSize = batchSize;
    this.afterRead = afterRead;
  }

  /**
   * Runs until every table is done or {@code stop} says so (checked between batches).
   *
   * @return rows rewritten per table, for the tables started
   */
  Map<String, Long> run(BooleanSupplier stop, Progress progress) {
    LOG.info("CDPKit key rotation to key id {} started", codec.currentKeyId());
    Map<String, Long> out = new LinkedHashMap<>();
    for (Target t : TARGETS) {
      if (stop.getAsBoolean()) {
        break;
      }
      long rewritten = 0;
      for (int pass = 1; pass <= PASSES && !stop.getAsBoolean(); pass++) {
        long[] counts = pass(t, stop, rewritten, progress);
        rewritten += counts[0];
        if (counts[1] == 0) {
          break;
        }
        LOG.debug("key rotation: {} values of {} changed meanwhile; another pass", counts[1],
            t.table());
      }
      out.put(t.table(), rewritten);
      progress.progress(t.table(), rewritten, !stop.getAsBoolean());
    }
    LOG.info("CDPKit key rotation to key id {} {}: values re-encrypted per table {}",
        codec.currentKeyId(), stop.getAsBoolean() ? "stopped" : "finished", out);
    return out;
  }

  /** One pass over a table: {rewritten, lost to concurrent writers}. */
  private long[] pass(Target t, BooleanSupplier stop, long before, Progress progress) {
    long rewritten = 0;
    long lost = 0;
    Object @Nullable [] cursor = null;
    while (!stop.getAsBoolean()) {
      Batch b = batchWithRetries(t, cursor);
      rewritten += b.rewritten;
      lost += b.lost;
      if (b.last == null) {
        break;
      }
      cursor = b.last;
      progress.progress(t.table(), before + rewritten, false);
      if (b.rows < batchSize) {
        break;
      }
    }
    return new long[] {rewritten, lost};
  }

  private record Batch(int rows, long rewritten, long lost, Object @Nullable [] last) {}

  private Batch batchWithRetries(Target t, Object @Nullable [] cursor) {
    for (int attempt = 1; ; attempt++) {
      try {
        return batch(t, cursor);
      } catch (SQLException e) {
        StorageException se = Rows.fail("re-encrypting " + t.table(), e);
        if (!se.isRetryable() || attempt >= JdbcStoreEngine.ATTEMPTS) {
          throw se;
        }
        long base = 5L << Math.min(attempt, 8);
        try {
          Thread.sleep(base + ThreadLocalRandom.current().nextLong(base));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new StorageException("interrupted while re-encrypting", false, ie);
        }
      }
    }
  }

  private Batch batch(Target t, Object @Nullable [] cursor) throws SQLException {
    boolean workspaceInKey = t.key().contains("workspace");
    List<String> select = new ArrayList<>(t.key());
    if (!workspaceInKey) {
      select.add("workspace");
    }
    select.addAll(t.columns());
    StringBuilder sql = new StringBuilder("SELECT ").append(String.join(", ", select))
        .append(" FROM ").append(t.table()).append(" WHERE (");
    for (int i = 0; i < t.columns().size(); i++) {
      String c = t.columns().get(i);
      sql.append(i == 0 ? "" : " OR ").append("(").append(c).append(" IS NOT NULL AND ")
          .append(c).append(" NOT LIKE ? ESCAPE '!')");
    }
    sql.append(")");
    if (cursor != null) {
      sql.append(" AND ").append(after(t.key()));
    }
    sql.append(" ORDER BY ").append(String.join(", ", t.key())).append(" LIMIT ?");
    String current = Rows.likePrefix(codec.currentPrefix());
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      try {
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql.toString())) {
          int i = 1;
          for (int k = 0; k < t.columns().size(); k++) {
            p.setString(i++, current);
          }
          if (cursor != null) {
            i = bindAfter(p, i, cursor, t.key().size());
          }
          p.setInt(i, batchSize);
          try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
              Object[] row = new Object[select.size()];
              for (int k = 0; k < row.length; k++) {
                row[k] = k < t.key().size() ? rs.getObject(k + 1) : rs.getString(k + 1);
              }
              rows.add(row);
            }
          }
        }
        afterRead.accept(t.table());
        long rewritten = 0;
        long lost = 0;
        int wsIndex = workspaceInKey ? t.key().indexOf("workspace") : t.key().size();
        int firstColumn = t.key().size() + (workspaceInKey ? 0 : 1);
        for (int k = 0; k < t.columns().size(); k++) {
          String column = t.columns().get(k);
          String place = t.table() + "." + column;
          List<Object[]> updates = new ArrayList<>();
          for (Object[] row : rows) {
            String old = (String) row[firstColumn + k];
            if (old == null || codec.isCurrent(old)) {
              continue;
            }
            String ws = (String) row[wsIndex];
            String plain = codec.reveal(ws, place, old);
            updates.add(new Object[] {codec.protect(ws, place, plain), row, old});
          }
          if (updates.isEmpty()) {
            continue;
          }
          StringBuilder u = new StringBuilder("UPDATE ").append(t.table()).append(" SET ")
              .append(column).append(" = ? WHERE ");
          for (String key : t.key()) {
            u.append(key).append(" = ? AND ");
          }
          u.append(column).append(" = ?");
          try (PreparedStatement p = c.prepareStatement(u.toString())) {
            for (Object[] up : updates) {
              Object[] row = (Object[]) up[1];
              int i = 1;
              p.setString(i++, (String) up[0]);
              for (int key = 0; key < t.key().size(); key++) {
                p.setObject(i++, row[key]);
              }
              p.setString(i, (String) up[2]);
              p.addBatch();
            }
            for (int n : p.executeBatch()) {
              if (n == 0) {
                lost++;
              } else {
                rewritten++;
              }
            }
          }
        }
        c.commit();
        Object @Nullable [] last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        return new Batch(rows.size(), rewritten, lost, last);
      } catch (RuntimeException | Error | SQLException e) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(Rows.withheld(r));
        }
        throw e;
      }
    }
  }

  /** {@code (k1, k2, ...) > (?, ?, ...)} spelled out, for every database. */
  private static String after(List<String> key) {
    StringBuilder b = new StringBuilder();
    int open = 0;
    for (int i = 0; i < key.size(); i++) {
      String k = key.get(i);
      if (i == key.size() - 1) {
        b.append(k).append(" > ?");
      } else {
        b.append("(").append(k).append(" > ? OR (").append(k).append(" = ? AND ");
        open += 2;
      }
    }
    return "(" + b + ")".repeat(open) + ")";
  }

  /** Binds {@link #after}'s parameters from the key values of the last row done. */
  private static int bindAfter(PreparedStatement p, int from, Object[] cursor, int keySize)
      throws SQLException {
    int i = from;
    for (int k = 0; k < keySize; k++) {
      p.setObject(i++, cursor[k]);
      if (k < keySize - 1) {
        p.setObject(i++, cursor[k]);
      }
    }
    return i;
  }
}
