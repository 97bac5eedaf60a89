package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.storage.jdbc.PiiCodec;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of one transaction on one connection, scoped to one workspace: point reads, bulk
 * reads by key lists, queries, and batched writes. Every statement names the workspace. Knows
 * nothing of caching or buffering ({@link BufferedTx} does that).
 *
 * <p>Memberships, checks, outbox entries and delivery lines are classes of optional modules
 * (cdp-segmentation, cdp-activation-spi) that a host may not have: a statement over them, or a
 * lambda whose type names one, is only reached when the transaction holds some of them.
 *
 * <p>Not thread-safe.
 */
final class Rows {
  /** Keys per {@code IN (...)} list; well under every database's parameter limit. */
  static final int IN_LIST = 500;

  // The columns that pass through the PiiCodec, as the codec is told their place (and as key
  // rotation names them): "table.column".
  static final String EVENT_BODY = "cdp_events.body";
  static final String NODE_SECRET = "cdp_nodes.id_secret";
  static final String COMPONENT_BODY = "cdp_components.body";
  static final String LINK_BODY = "cdp_links.body";
  static final String PROFILE_BODY = "cdp_profiles.body";
  static final String ORDER_BODY = "cdp_profile_orders.body";
  static final String LEDGER_BODY = "cdp_ledger.body";
  static final String METADATA_VALUE = "cdp_metadata.meta_value";
  static final String OUTBOX_TRIGGER = "cdp_outbox.trigger_text";
  static final String OUTBOX_ERROR = "cdp_outbox.last_error";
  static final String DELIVERY_DETAIL = "cdp_deliveries.detail";
  static final String DELIVERY_REASON = "cdp_deliveries.reason";
  static final String AUDIT_DETAIL = "cdp_audit.detail";

  private final Connection c;
  private final Dialect dialect;
  private final String ws;
  private final RecordCodec codec;
  private final PiiCodec pii;
  /**
   * Documents are stored as the codec writes them ({@link PiiCodec#IDENTITY}): the one-statement
   * writes then take the codec's UTF-8 bytes of events and profiles as they are ({@link Packed}).
   */
  private final boolean plainDocuments;

  /** Runs once, before the first query after it is set; see {@link #beforeNextQuery}. */
  @FunctionalInterface
  interface BeforeQuery {
    void run() throws SQLException;
  }

  private @Nullable BeforeQuery beforeQuery;

  /**
   * Whether {@link #lockNodes}, {@link #lockProfiles} and {@link #lockComponents} fail at once
   * ({@code NOWAIT}) on a row another transaction holds, instead of waiting for it: see
   * {@link #lockingWithoutWait}.
   */
  private boolean noWait;

  /**
   * Makes the row locks of {@link #lockNodes}, {@link #lockProfiles} and {@link #lockComponents}
   * fail at once on a row another transaction holds ({@code FOR UPDATE NOWAIT}; PostgreSQL
   * {@code 55P03}, MariaDB 1205, both recognised by {@link #lockNotAvailable}), or wait again.
   */
  void lockingWithoutWait(boolean on) {
    this.noWait = on;
  }

  /** Whether a failure is a {@code NOWAIT} lock that another transaction held. */
  static boolean lockNotAvailable(io.cdpkit.core.StorageException e) {
    return e.getCause() instanceof SQLException s
        && ("55P03".equals(s.getSQLState()) || s.getErrorCode() == 1205
            || s.getErrorCode() == 3572);
  }

  private String forUpdate() {
    return noWait ? " FOR UPDATE NOWAIT" : " FOR UPDATE";
  }

  Rows(Connection c, Dialect dialect, String ws, RecordCodec codec, PiiCodec pii) {
    this.c = c;
    this.dialect = dialect;
    this.ws = ws;
    this.codec = codec;
    this.pii = pii;
    this.plainDocuments = pii == PiiCodec.IDENTITY;
  }

  /** A statement failed: no values in the message, only what was being done and the state. */
  static StorageException fail(String what, SQLException e) {
    return new StorageException(what + " failed (SQLState " + e.getSQLState() + ", code "
        + e.getErrorCode() + ")", Dialect.isRetryable(e), withheld(e));
  }

  /**
   * The driver's exception without its message, which may quote stored values (a duplicate
   * key, a row in a constraint violation): its class, SQLState, vendor code and stack trace stay
   * for diagnosis. Its causes are dropped for the same reason.
   */
  static SQLException withheld(SQLException e) {
    SQLException copy = new SQLException(e.getClass().getName()
        + " (message withheld: it may quote stored values)", e.getSQLState(), e.getErrorCode());
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  @FunctionalInterface
  interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  @FunctionalInterface
  interface ItemBinder<T> {
    void bind(PreparedStatement p, T item) throws SQLException;
  }

  /**
   * Has {@code hook} run once before the next query (a read that opens its transaction only
   * when it needs the database). What it throws propagates; a {@link SQLException} as a
   * {@link StorageException}.
   */
  void beforeNextQuery(@Nullable BeforeQuery hook) {
    this.beforeQuery = hook;
  }

  private void beforeQuery(String what) {
    BeforeQuery hook = beforeQuery;
    if (hook != null) {
      beforeQuery = null;
      try {
        hook.run();
      } catch (SQLException e) {
        throw fail(what, e);
      }
    }
  }

  private <T> List<T> query(String what, String sql, Binder b, Row<T> row) {
    beforeQuery(what);
    try (PreparedStatement p = c.prepareStatement(sql)) {
      b.bind(p);
      try (ResultSet rs = p.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(row.read(rs));
        }
        return out;
      }
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  private static <T> Optional<T> first(List<T> l) {
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  /**
   * Runs {@code sql} once per item as one JDBC batch: one round trip for the lot where the
   * driver allows it.
   */
  private <T> void batch(String what, String sql, Collection<T> items, ItemBinder<T> b) {
    batch(what, sql, items, b, false);
  }

  /**
   * As above; with {@code raced}, a broken unique key is a retryable failure: concurrent
   * writers ({@link Dialect#concurrentWriters}) that both found a key absent and both insert it
   * (the same new identifier, the same messageId) meet here, and the one that runs again finds
   * the other's row.
   */
  private <T> void batch(String what, String sql, Collection<T> items, ItemBinder<T> b,
      boolean raced) {
    if (items.isEmpty()) {
      return;
    }
    try (PreparedStatement p = c.prepareStatement(sql)) {
      for (T item : items) {
        b.bind(p, item);
        p.addBatch();
      }
      p.executeBatch();
    } catch (SQLException e) {
      SQLException first = e.getNextException() != null && !Dialect.isUniqueViolation(e)
          ? e.getNextException() : e;
      if (raced && (Dialect.isUniqueViolation(e) || Dialect.isUniqueViolation(first))) {
        throw new WriteConflict(what + " failed: a concurrent writer stored the same key"
            + " first (SQLState " + e.getSQLState() + ")", withheld(e));
      }
      throw fail(what, e);
    }
  }

  /**
   * Reads the rows of {@code table} (alias {@code t}) in this workspace whose {@code keyColumn}
   * is one of {@code keys}, and, when {@code leadColumn} is not null, whose {@code leadColumn}
   * is {@code leadValue}. How depends on the database ({@link Dialect#bulkRead}): one query with
   * the keys as one array parameter on PostgreSQL, {@code IN} lists of up to
   * {@value #IN_LIST} keys on MariaDB/MySQL, one reused point query per key on H2. Every form
   * reaches each row through the index that starts with (workspace[, lead], key).
   */
  private <T> List<T> queryIn(String what, String columns, String table,
      @Nullable String leadColumn, @Nullable String leadValue, String keyColumn,
      Collection<String> keys, Row<T> row) {
    return queryIn(what, columns, table, leadColumn, leadValue, keyColumn, keys, row, false);
  }

  /**
   * As above; with {@code lock}, the rows are read in key order and locked until the
   * transaction ends ({@code ORDER BY ... FOR UPDATE}), so that writers that lock overlapping
   * sets take their locks in one order.
   */
  private <T> List<T> queryIn(String what, String columns, String table,
      @Nullable String leadColumn, @Nullable String leadValue, String keyColumn,
      Collection<String> keys, Row<T> row, boolean lock) {
    List<String> all = lock ? List.copyOf(new java.util.TreeSet<>(keys))
        : List.copyOf(new LinkedHashSet<>(keys));
    String tail = lock ? " ORDER BY t." + keyColumn + forUpdate() : "";
    List<T> out = new ArrayList<>();
    if (all.isEmpty()) {
      return out;
    }
    beforeQuery(what);
    String lead = leadColumn == null ? "" : " AND t." + leadColumn + " = ?";
    try {
      switch (dialect.bulkRead()) {
        case ARRAY -> {
          String sql = "SELECT " + columns + " FROM " + table + " t WHERE t.workspace = ?" + lead
              + " AND t." + keyColumn + " = ANY(?)" + tail;
          try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, ws);
            if (leadColumn != null) {
              p.setString(2, leadValue);
            }
            p.setArray(leadColumn == null ? 2 : 3, c.createArrayOf("varchar", all.toArray()));
            read(p, row, out);
          }
        }
        case POINT -> {
          String sql = "SELECT " + columns + " FROM " + table + " t WHERE t.workspace = ?" + lead
              + " AND t." + keyColumn + " = ?" + (lock ? forUpdate() : "");
          try (PreparedStatement p = c.prepareStatement(sql)) {
            int k = leadColumn == null ? 2 : 3;
            p.setString(1, ws);
            if (leadColumn != null) {
              p.setString(2, leadValue);
            }
            for (String key : all) {
              p.setString(k, key);
              read(p, row, out);
            }
          }
        }
        case IN_LIST -> {
          for (int from = 0; from < all.size(); from += IN_LIST) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_LIST));
            String sql = "SELECT " + columns + " FROM " + table + " t WHERE t.workspace = ?"
                + lead + " AND t." + keyColumn + " IN ("
                + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")" + tail;
            try (PreparedStatement p = c.prepareStatement(sql)) {
              int i = 1;
              p.setString(i++, ws);
              if (leadColumn != null) {
                p.setString(i++, leadValue);
              }
              for (String key : chunk) {
                p.setString(i++, key);
              }
              read(p, row, out);
            }
          }
        }
      }
      return out;
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  private static <T> void read(PreparedStatement p, Row<T> row, List<T> out)
      throws SQLException {
    try (ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(row.read(rs));
      }
    }
  }

  /**
   * Deletes the rows of {@code table} in this workspace whose {@code keyColumn} is one of
   * {@code keys}, sent as {@link #queryIn} sends a read: one statement with an array parameter on
   * PostgreSQL, {@code IN} lists of up to {@value #IN_LIST} keys on MariaDB/MySQL, one JDBC batch
   * of point deletes on H2.
   */
  private void deleteIn(String what, String table, String keyColumn, Collection<String> keys) {
    List<String> all = List.copyOf(new LinkedHashSet<>(keys));
    if (all.isEmpty()) {
      return;
    }
    String head = "DELETE FROM " + table + " WHERE workspace = ? AND " + keyColumn;
    try {
      switch (dialect.bulkRead()) {
        case ARRAY -> {
          try (PreparedStatement p = c.prepareStatement(head + " = ANY(?)")) {
            p.setString(1, ws);
            p.setArray(2, c.createArrayOf("varchar", all.toArray()));
            p.executeUpdate();
          }
        }
        case POINT -> batch(what, head + " = ?", all, (p, k) -> {
          p.setString(1, ws);
          p.setString(2, k);
        });
        case IN_LIST -> {
          for (int from = 0; from < all.size(); from += IN_LIST) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_LIST));
            try (PreparedStatement p = c.prepareStatement(head + " IN ("
                + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")")) {
              int i = 1;
              p.setString(i++, ws);
              for (String k : chunk) {
                p.setString(i++, k);
              }
              p.executeUpdate();
            }
          }
        }
      }
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  // ------------------------------------------------------------------ writes as one statement

  /**
   * A write held for {@link #sendWrites}: one {@code INSERT ... SELECT FROM unnest(...)} with
   * the workspace and one array parameter per column.
   */
  private record Part(String what, String sql, String[] types, List<Object[]> columns,
      boolean raced) {}

  /** The writes collected since {@link #collectWrites}; null while writes go out at once. */
  private @Nullable List<Part> parts;

  /**
   * On PostgreSQL, holds the inserts and upserts of events, identity nodes, components,
   * profiles, redirects, links and ledger entries from now until {@link #sendWrites}, which
   * sends them as one statement (data-modifying {@code WITH} parts, one per table and kind, each
   * row set as array parameters). Elsewhere does nothing: those writes go out at once as JDBC
   * batches. Deletes, link moves and every other write always go out at once, so they reach
   * the database before the held writes, whatever the order of the calls.
   */
  void collectWrites() {
    if (dialect == Dialect.POSTGRES) {
      parts = new ArrayList<>();
    }
  }

  /**
   * Sends the writes held since {@link #collectWrites} as one statement: one round trip and
   * one plan, where JDBC batches cost a round trip and a plan per table (and the driver's
   * rewritten multi-row inserts one plan per chunk size). The parts of one statement see one
   * snapshot and not each other's rows, so they must touch different rows, which they do: each
   * table's inserts and upserts hold distinct keys, and the transaction's deletes went before.
   * A unique key broken by an insert of {@code raced} rows (a concurrent writer stored the
   * same new identifier or messageId first) is a {@link WriteConflict}.
   */
  void sendWrites() {
    List<Part> held = parts;
    parts = null;
    if (held == null || held.isEmpty()) {
      return;
    }
    StringBuilder sql = new StringBuilder();
    List<String> what = new ArrayList<>();
    boolean raced = false;
    for (int i = 0; i < held.size(); i++) {
      Part part = held.get(i);
      what.add(part.what());
      raced |= part.raced();
      if (i == held.size() - 1) {
        sql.append(i == 0 ? "" : " ").append(part.sql());
      } else {
        sql.append(i == 0 ? "WITH " : ", ").append('w').append(i).append(" AS (")
            .append(part.sql()).append(')');
      }
    }
    String joined = String.join(", ", what);
    try (PreparedStatement p = c.prepareStatement(sql.toString())) {
      int k = 1;
      long documentBytes = 0;
      for (Part part : held) {
        p.setString(k++, ws);
        String[] types = part.types();
        Packed[] packed = new Packed[types.length];
        for (int col = 0; col < types.length; col++) {
          if (types[col].equals(BODY)) {
            packed[col] = Packed.of(part.columns().get(col), joined);
            documentBytes += packed[col].bytes().length;
            checkDocumentBytes(documentBytes, joined);
            p.setBytes(k++, packed[col].bytes());
          }
        }
        for (int col = 0; col < types.length; col++) {
          if (packed[col] != null) {
            p.setArray(k++, c.createArrayOf("integer", packed[col].starts()));
            p.setArray(k++, c.createArrayOf("integer", packed[col].lengths()));
          } else {
            Object[] values = part.columns().get(col);
            p.setArray(k++, c.createArrayOf(types[col], types[col].equals("bigint")
                ? Arrays.copyOf(values, values.length, Long[].class)
                : Arrays.copyOf(values, values.length, String[].class)));
          }
        }
      }
      p.executeUpdate();
    } catch (SQLException e) {
      if (raced && Dialect.isUniqueViolation(e)) {
        throw new WriteConflict(joined + " failed: a concurrent writer stored the same key"
            + " first (SQLState " + e.getSQLState() + ")", withheld(e));
      }
      throw fail(joined, e);
    }
  }

  /**
   * Holds rows of {@code table} for {@link #sendWrites} when writes are being collected: the
   * workspace plus {@code columns} (of the array element {@code types}), from {@code row} per
   * item, inserted in the items' order; upserted on {@code (workspace, keys)} when
   * {@code keys} is not null, replacing {@code updated}.
   *
   * @return false when writes go out at once (the caller writes them)
   */
  private <T> boolean held(String what, String table, List<String> columns, String[] types,
      @Nullable List<String> keys, List<String> updated, Collection<T> items,
      java.util.function.Function<T, Object[]> row, boolean raced) {
    List<Part> to = parts;
    if (to == null) {
      return false;
    }
    if (items.isEmpty()) {
      return true;
    }
    to.add(new Part(what, heldSql(table, columns, types, keys, updated), types,
        heldColumns(columns.size(), items, row), raced));
    return true;
  }

  /**
   * The column arrays of {@code items}' rows. Kept apart from {@link #heldSql} and filled as
   * plain {@code Object[]}s, typed only when bound ({@link #sendWrites}): one loop for every
   * table, whose stores then never meet an array of another class. Filling {@code Long[]} and
   * {@code String[]} columns in one loop made the JIT compile {@link #held} again and again
   * (ten times in the first seconds of a run, each time with the SQL building inlined).
   */
  private static <T> List<Object[]> heldColumns(int width, Collection<T> items,
      java.util.function.Function<T, Object[]> row) {
    Object[][] cols = new Object[width][items.size()];
    int r = 0;
    for (T item : items) {
      Object[] values = row.apply(item);
      for (int col = 0; col < width; col++) {
        cols[col][r] = values[col];
      }
      r++;
    }
    return Arrays.asList(cols);
  }

  private static String heldSql(String table, List<String> columns, String[] types,
      @Nullable List<String> keys, List<String> updated) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (workspace, ")
        .append(String.join(", ", columns)).append(") SELECT ?::varchar");
    StringBuilder args = new StringBuilder();
    StringBuilder packed = new StringBuilder();
    StringBuilder names = new StringBuilder();
    for (int col = 0; col < columns.size(); col++) {
      String sep = col == 0 ? "" : ", ";
      if (types[col].equals(BODY)) {
        // The texts of this column one after the other in a bytea parameter (see packed), and
        // two arrays: where each starts (from 1) and its length in bytes.
        sql.append(", convert_from(substring(b").append(col).append(".v FROM u.c").append(col)
            .append(" FOR u.c").append(col).append("l), 'UTF8')");
        args.append(sep).append("?::integer[], ?::integer[]");
        packed.append("(SELECT ?::bytea AS v) AS b").append(col).append(", ");
        names.append('c').append(col).append(", c").append(col).append("l, ");
      } else {
        sql.append(", u.c").append(col);
        args.append(sep).append("?::").append(types[col]).append("[]");
        names.append('c').append(col).append(", ");
      }
    }
    sql.append(" FROM ").append(packed).append("unnest(").append(args)
        .append(") WITH ORDINALITY AS u(").append(names);
    sql.append("n) ORDER BY u.n");
    if (keys != null) {
      sql.append(" ON CONFLICT (workspace, ").append(String.join(", ", keys))
          .append(") DO UPDATE SET ");
      for (int i = 0; i < updated.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append(updated.get(i)).append(" = EXCLUDED.")
            .append(updated.get(i));
      }
    }
    return sql.toString();
  }

  /**
   * The type of a column of documents (JSON text, or its encrypted form): not sent as a
   * {@code text[]} but packed into one {@code bytea} ({@link Packed}), which each row slices.
   * The driver encodes a {@code text[]} into a buffer that starts at 1 KB and doubles, so a
   * batch of large documents was copied about twice more than its size, and that was a tenth
   * of the ingest thread's time on orders of about 20 lines; a {@code bytea} goes out as it is.
   */
  private static final String BODY = "body";
  private static final String[] TEXT2 = {"text", "text"};
  private static final String[] TEXT_BODY = {"text", BODY};
  private static final String[] TEXT2_BODY = {"text", "text", BODY};
  private static final String[] TEXT4_BODY = {"text", "text", "text", "text", BODY};
  private static final String[] TEXT5 = {"text", "text", "text", "text", "text"};
  private static final String[] TEXT_BIGINT_BODY = {"text", "bigint", BODY};

  /**
   * The most bytes of documents one write statement sends: PostgreSQL takes a statement's
   * parameters in one message of at most 1 GB (its {@code MaxAllocSize}), less a margin for the
   * other columns.
   */
  static final long MAX_DOCUMENT_BYTES = (1L << 30) - (16L << 20);

  /**
   * Refuses, before anything is sent, a commit whose documents would pass
   * {@link #MAX_DOCUMENT_BYTES}: the server would end the connection on the message, which the
   * caller would see as a retryable connection failure, again on every try.
   */
  static void checkDocumentBytes(long bytes, String what) {
    if (bytes > MAX_DOCUMENT_BYTES) {
      throw new StorageException(String.format("%s refused: the documents of one commit take"
          + " more than %,d bytes, the most one statement to PostgreSQL can carry (at least"
          + " %,d so far); ingest fewer or smaller events per call", what, MAX_DOCUMENT_BYTES,
          bytes), false, null);
    }
  }

  /**
   * A column of documents as one {@code bytea} parameter: their UTF-8 bytes one after the
   * other, where each starts (counting from 1, as {@code substring} does) and its length. A
   * document comes as text or as the codec's UTF-8 bytes.
   */
  private record Packed(byte[] bytes, Integer[] starts, Integer[] lengths) {
    static Packed of(Object[] texts, String what) {
      byte[][] each = new byte[texts.length][];
      Integer[] starts = new Integer[texts.length];
      Integer[] lengths = new Integer[texts.length];
      long total = 0;
      for (int i = 0; i < texts.length; i++) {
        if (texts[i] instanceof byte[] utf8) {
          each[i] = utf8;
        } else if (texts[i] instanceof String text) {
          each[i] = text.getBytes(StandardCharsets.UTF_8);
        } else {
          throw new IllegalStateException(what + ": document " + i + " of " + texts.length
              + " is " + (texts[i] == null ? "null" : "a " + texts[i].getClass().getName()));
        }
        starts[i] = (int) total + 1;
        lengths[i] = each[i].length;
        total += each[i].length;
        checkDocumentBytes(total, what);
      }
      byte[] bytes = new byte[(int) total];
      for (int i = 0; i < texts.length; i++) {
        System.arraycopy(each[i], 0, bytes, starts[i] - 1, each[i].length);
      }
      return new Packed(bytes, starts, lengths);
    }
  }

  // ------------------------------------------------------------------ the workspace row

  /** Locks the workspace's row until the transaction ends; returns its version. */
  long lockWorkspace() {
    List<Long> v = query("locking the workspace",
        "SELECT version FROM cdp_workspaces WHERE workspace = ? FOR UPDATE",
        p -> p.setString(1, ws), rs -> rs.getLong(1));
    if (v.isEmpty()) {
      throw new StorageException("the workspace row is missing", true, null);
    }
    return v.get(0);
  }

  /**
   * For a writer that runs beside others ({@link Dialect#concurrentWriters}): takes the
   * workspace's lock in shared mode until the transaction ends, so that it runs beside other
   * such writers but never beside one that holds it exclusively ({@link #lockWorkspaceAlone});
   * returns the workspace's version, which only exclusive writers advance. PostgreSQL: a
   * transaction-scoped shared advisory lock (nothing is written, no row is locked); MariaDB: a
   * shared lock on the workspace's row.
   */
  long lockWorkspaceShared() {
    if (dialect == Dialect.POSTGRES) {
      advisoryLock("pg_advisory_xact_lock_shared");
      return lockedVersion("SELECT version FROM cdp_workspaces WHERE workspace = ?");
    }
    return lockedVersion(
        "SELECT version FROM cdp_workspaces WHERE workspace = ? LOCK IN SHARE MODE");
  }

  /**
   * For a writer that must run alone in its workspace (it writes metadata, erases, appends to
   * the audit log) where writers otherwise run side by side: the workspace's lock in exclusive
   * mode (the advisory lock on PostgreSQL, then the row) until the transaction ends.
   */
  long lockWorkspaceAlone() {
    if (dialect == Dialect.POSTGRES) {
      advisoryLock("pg_advisory_xact_lock");
    }
    return lockWorkspace();
  }

  /** The advisory lock of this workspace in this schema: two 32-bit keys, schema and name. */
  private void advisoryLock(String function) {
    query("locking the workspace", "SELECT 1 FROM (SELECT " + function
        + "(hashtext(current_schema()), hashtext(?))) l", p -> p.setString(1, ws),
        rs -> rs.getInt(1));
  }

  private long lockedVersion(String sql) {
    List<Long> v = query("locking the workspace", sql, p -> p.setString(1, ws),
        rs -> rs.getLong(1));
    if (v.isEmpty()) {
      throw new StorageException("the workspace row is missing", true, null);
    }
    return v.get(0);
  }

  /** The workspace's version, or -1 when it has never been written. */
  long version() {
    return first(query("reading the workspace version",
        "SELECT version FROM cdp_workspaces WHERE workspace = ?",
        p -> p.setString(1, ws), rs -> rs.getLong(1))).orElse(-1L);
  }

  void setVersion(long version) {
    batch("advancing the workspace version",
        "UPDATE cdp_workspaces SET version = ? WHERE workspace = ?", List.of(version),
        (p, v) -> {
          p.setLong(1, v);
          p.setString(2, ws);
        });
  }

  // ------------------------------------------------------------------ events

  Optional<StoredEvent> event(String messageId) {
    return first(query("reading an event",
        "SELECT body FROM cdp_events WHERE workspace = ? AND message_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, messageId);
        },
        rs -> codec.readEvent(pii.reveal(ws, EVENT_BODY, rs.getString(1)))));
  }

  /** The stored events with these messageIds. */
  List<StoredEvent> events(Collection<String> messageIds) {
    return queryIn("reading events", "t.body", "cdp_events", null, null, "message_id",
        messageIds, rs -> codec.readEvent(pii.reveal(ws, EVENT_BODY, rs.getString(1))));
  }

  /** Which of these messageIds are stored. */
  Set<String> storedMessageIds(Collection<String> messageIds) {
    return new HashSet<>(queryIn("checking stored events", "t.message_id", "cdp_events",
        null, null, "message_id", messageIds, rs -> rs.getString(1)));
  }

  List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors) {
    List<StoredEvent> out = new ArrayList<>();
    for (Map.Entry<IdentifierType, List<Identifier>> byType : groupByType(anchors).entrySet()) {
      out.addAll(queryIn("reading events by identifier", "t.body", "cdp_events",
          "anchor_type", byType.getKey().id(), "anchor_value", protectedValues(byType.getValue()),
          rs -> codec.readEvent(pii.reveal(ws, EVENT_BODY, rs.getString(1)))));
    }
    return out;
  }

  /** The messageIds of the events anchored at these identifiers, without their bodies. */
  List<String> messageIdsByAnchors(Collection<Identifier> anchors) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<IdentifierType, List<Identifier>> byType : groupByType(anchors).entrySet()) {
      out.addAll(queryIn("reading messageIds by identifier", "t.message_id", "cdp_events",
          "anchor_type", byType.getKey().id(), "anchor_value", protectedValues(byType.getValue()),
          rs -> rs.getString(1)));
    }
    return out;
  }

  Map<String, Long> eventNameCounts() {
    Map<String, Long> out = new TreeMap<>();
    query("counting events",
        "SELECT counted_name, COUNT(*) FROM cdp_events WHERE workspace = ?"
            + " GROUP BY counted_name",
        p -> p.setString(1, ws),
        rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  void insertEvents(Collection<StoredEvent> events) {
    if (held("storing events", "cdp_events",
        List.of("message_id", "anchor_type", "anchor_value", "counted_name", "body"), TEXT4_BODY,
        null, List.of(), events, e -> new Object[] {e.messageId(),
            e.anchor() == null ? null : e.anchor().type().id(),
            e.anchor() == null ? null
                : pii.protectKey(ws, e.anchor().type().id(), e.anchor().value()),
            e.countedName(), plainDocuments ? codec.writeEventUtf8(e)
                : pii.protect(ws, EVENT_BODY, codec.writeEvent(e))},
        dialect.concurrentWriters())) {
      return;
    }
    batch("storing events",
        "INSERT INTO cdp_events (workspace, message_id, anchor_type, anchor_value, counted_name,"
            + " body) VALUES (?, ?, ?, ?, ?, ?)",
        events, (p, e) -> {
          p.setString(1, ws);
          p.setString(2, e.messageId());
          p.setString(3, e.anchor() == null ? null : e.anchor().type().id());
          p.setString(4, e.anchor() == null ? null
              : pii.protectKey(ws, e.anchor().type().id(), e.anchor().value()));
          p.setString(5, e.countedName());
          p.setString(6, pii.protect(ws, EVENT_BODY, codec.writeEvent(e)));
        }, dialect.concurrentWriters());
  }

  void deleteEvents(Collection<String> messageIds) {
    deleteIn("deleting events", "cdp_events", "message_id", messageIds);
  }

  // ------------------------------------------------------------------ nodes

  private static final String NODE_COLUMNS = "SELECT id_type, id_value, profile_id, component_id,"
      + " id_secret FROM cdp_nodes WHERE workspace = ? AND ";

  /**
   * A node from its row. With a reversible codec the value is read back from its lookup text
   * ({@code id_value}); otherwise (a blind index) from its protected copy ({@code id_secret}).
   */
  private IdentityNode node(ResultSet rs) throws SQLException {
    String value = pii.keysReversible() ? pii.revealKey(rs.getString(2))
        : pii.reveal(ws, NODE_SECRET, secret(rs.getString(5)));
    return new IdentityNode(new Identifier(IdentifierType.of(rs.getString(1)), value),
        new ProfileId(rs.getString(3)), rs.getString(4));
  }

  private static String secret(@Nullable String stored) {
    if (stored == null) {
      throw new StorageException("an identity node has no " + NODE_SECRET + " (written"
          + " without encryption?)", false, null);
    }
    return stored;
  }

  Optional<IdentityNode> node(Identifier id) {
    return first(query("reading an identity node",
        NODE_COLUMNS + "id_type = ? AND id_value = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, id.type().id());
          p.setString(3, pii.protectKey(ws, id.type().id(), id.value()));
        },
        this::node));
  }

  /** The stored nodes of these identifiers (the absent ones have none). */
  List<IdentityNode> nodes(Collection<Identifier> ids) {
    if (dialect.bulkRead() == Dialect.BulkRead.ARRAY) {
      return nodesByPairs("reading identity nodes", ids, false);
    }
    List<IdentityNode> out = new ArrayList<>();
    for (Map.Entry<IdentifierType, List<Identifier>> byType : groupByType(ids).entrySet()) {
      out.addAll(queryIn("reading identity nodes",
          "t.id_type, t.id_value, t.profile_id, t.component_id, t.id_secret", "cdp_nodes",
          "id_type", byType.getKey().id(), "id_value", protectedValues(byType.getValue()),
          this::node));
    }
    return out;
  }

  /**
   * The stored nodes of these identifiers, locked until the transaction ends, in key order per
   * identifier type, types in id order. Absent identifiers lock nothing: two writers creating
   * the same one meet on its key when they insert it ({@link #insertNodes}).
   */
  List<IdentityNode> lockNodes(Collection<Identifier> ids) {
    if (dialect.bulkRead() == Dialect.BulkRead.ARRAY) {
      return nodesByPairs("locking identity nodes", ids, true);
    }
    List<IdentityNode> out = new ArrayList<>();
    Map<IdentifierType, List<Identifier>> byType = new TreeMap<>(
        java.util.Comparator.comparing(IdentifierType::id));
    byType.putAll(groupByType(ids));
    for (Map.Entry<IdentifierType, List<Identifier>> e : byType.entrySet()) {
      out.addAll(queryIn("locking identity nodes",
          "t.id_type, t.id_value, t.profile_id, t.component_id, t.id_secret", "cdp_nodes",
          "id_type", e.getKey().id(), "id_value", protectedValues(e.getValue()),
          this::node, true));
    }
    return out;
  }

  /**
   * PostgreSQL: the nodes of identifiers of any types in one statement, the (type, value)
   * pairs as two array parameters joined by position; with {@code lock}, in key order and
   * locked until the transaction ends.
   */
  private List<IdentityNode> nodesByPairs(String what, Collection<Identifier> ids,
      boolean lock) {
    List<IdentityNode> out = new ArrayList<>();
    if (ids.isEmpty()) {
      return out;
    }
    beforeQuery(what);
    String[][] keys = nodeKeys(ids);
    String[] types = keys[0];
    String[] values = keys[1];
    String sql = "SELECT t.id_type, t.id_value, t.profile_id, t.component_id, t.id_secret"
        + " FROM cdp_nodes t JOIN unnest(?::varchar[], ?::varchar[]) AS k(id_type, id_value)"
        + " ON t.id_type = k.id_type AND t.id_value = k.id_value WHERE t.workspace = ?"
        + (lock ? " ORDER BY t.id_type, t.id_value FOR UPDATE OF t" + (noWait ? " NOWAIT" : "")
            : "");
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setArray(1, c.createArrayOf("varchar", types));
      p.setArray(2, c.createArrayOf("varchar", values));
      p.setString(3, ws);
      read(p, this::node, out);
    } catch (SQLException e) {
      throw fail(what, e);
    }
    return out;
  }

  /** The distinct identifiers' types and protected values, as two arrays for {@code unnest}. */
  private String[][] nodeKeys(Collection<Identifier> ids) {
    Set<Identifier> unique = new LinkedHashSet<>(ids);
    String[] types = new String[unique.size()];
    String[] values = new String[unique.size()];
    int i = 0;
    for (Identifier id : unique) {
      types[i] = id.type().id();
      values[i++] = pii.protectKey(ws, id.type().id(), id.value());
    }
    return new String[][] {types, values};
  }

  /** What {@link #prefetch} found. */
  record Prefetched(Set<String> stored, List<IdentityNode> nodes) {}

  /**
   * Which of these messageIds are stored, and the stored nodes of these identifiers: on
   * PostgreSQL in one statement (one round trip), elsewhere as {@link #storedMessageIds} and
   * {@link #nodes}.
   */
  Prefetched prefetch(Collection<String> messageIds, Collection<Identifier> ids) {
    return prefetch(messageIds, ids, false);
  }

  /**
   * As {@link #prefetch(Collection, Collection)}; with {@code lock}, the nodes are locked until
   * the transaction ends, in key order, as {@link #lockNodes} locks them (on PostgreSQL in a
   * {@code WITH} query of the same statement).
   */
  Prefetched prefetch(Collection<String> messageIds, Collection<Identifier> ids, boolean lock) {
    if (dialect != Dialect.POSTGRES || messageIds.isEmpty() || ids.isEmpty()) {
      return new Prefetched(messageIds.isEmpty() ? Set.of() : storedMessageIds(messageIds),
          ids.isEmpty() ? List.of() : lock ? lockNodes(ids) : nodes(ids));
    }
    String what = lock ? "checking stored events and locking identity nodes"
        : "checking stored events and reading identity nodes";
    beforeQuery(what);
    String[][] keys = nodeKeys(ids);
    String[] types = keys[0];
    String[] values = keys[1];
    String columns = "t.id_type, t.id_value, t.profile_id, t.component_id, t.id_secret";
    String fromNodes = " FROM cdp_nodes t JOIN unnest(?::varchar[], ?::varchar[])"
        + " AS k(id_type, id_value) ON t.id_type = k.id_type AND t.id_value = k.id_value"
        + " WHERE t.workspace = ?";
    String events = "SELECT NULL, NULL, NULL, NULL, NULL, t.message_id FROM cdp_events t"
        + " WHERE t.workspace = ? AND t.message_id = ANY(?)";
    String sql = lock
        ? "WITH n AS MATERIALIZED (SELECT " + columns + fromNodes
            + " ORDER BY t.id_type, t.id_value FOR UPDATE OF t)"
            + " SELECT n.*, NULL FROM n UNION ALL " + events
        : events + " UNION ALL SELECT " + columns + ", NULL" + fromNodes;
    Set<String> stored = new HashSet<>();
    List<IdentityNode> found = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(sql)) {
      Array typesArray = c.createArrayOf("varchar", types);
      Array valuesArray = c.createArrayOf("varchar", values);
      Array idsArray = c.createArrayOf("varchar", new LinkedHashSet<>(messageIds).toArray());
      int i = 1;
      if (lock) {
        p.setArray(i++, typesArray);
        p.setArray(i++, valuesArray);
        p.setString(i++, ws);
        p.setString(i++, ws);
        p.setArray(i, idsArray);
      } else {
        p.setString(i++, ws);
        p.setArray(i++, idsArray);
        p.setArray(i++, typesArray);
        p.setArray(i++, valuesArray);
        p.setString(i, ws);
      }
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          String messageId = rs.getString(6);
          if (messageId != null) {
            stored.add(messageId);
          } else {
            found.add(node(rs));
          }
        }
      }
    } catch (SQLException e) {
      throw fail(what, e);
    }
    return new Prefetched(stored, found);
  }

  /** What {@link #current} found: the committed state of the keys asked, at one instant. */
  record Current(long version, Map<Identifier, IdentityNode> nodes,
      Map<ProfileId, Long> profiles, Map<String, ComponentRecord> components,
      Map<ProfileId, List<Membership>> memberships, Map<ProfileId, ScheduledCheck> checks) {}

  /**
   * The workspace's version and the committed state of these keys, in one statement (so at one
   * instant: a statement sees one snapshot on PostgreSQL and MariaDB): the nodes of the
   * identifiers, the versions of the profiles, the components, the memberships and the
   * scheduled checks of the profiles. For a read answered from the cache, to check that every
   * entry it used still holds.
   */
  Current current(Collection<Identifier> nodeKeys, Collection<ProfileId> profileIds,
      Collection<String> componentIds, Collection<ProfileId> membershipsOf,
      Collection<ProfileId> checksOf) {
    List<Identifier> nodeList = List.copyOf(new LinkedHashSet<>(nodeKeys));
    List<String> profileList = profileIds.stream().map(ProfileId::value).distinct().toList();
    List<String> componentList = List.copyOf(new LinkedHashSet<>(componentIds));
    List<String> memberList = membershipsOf.stream().map(ProfileId::value).distinct().toList();
    List<String> checkList = checksOf.stream().map(ProfileId::value).distinct().toList();
    String num = dialect == Dialect.POSTGRES ? "VARCHAR" : "CHAR";
    StringBuilder sql = new StringBuilder("SELECT 'v' AS k, NULL AS a, NULL AS b, CAST(version AS "
        + num + ") AS c, NULL AS d FROM cdp_workspaces WHERE workspace = ?");
    List<Binder> binders = new ArrayList<>();
    int[] at = {2};
    binders.add(p -> p.setString(1, ws));
    if (!nodeList.isEmpty()) {
      sql.append(" UNION ALL SELECT 'n', t.id_type, t.id_value, t.profile_id, t.component_id"
          + " FROM cdp_nodes t WHERE t.workspace = ? AND (");
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < nodeList.size(); i++) {
        parts.add("(t.id_type = ? AND t.id_value = ?)");
      }
      sql.append(String.join(" OR ", parts)).append(")");
      binders.add(p -> {
        p.setString(at[0]++, ws);
        for (Identifier id : nodeList) {
          p.setString(at[0]++, id.type().id());
          p.setString(at[0]++, pii.protectKey(ws, id.type().id(), id.value()));
        }
      });
    }
    appendIn(sql, binders, at, "'p', t.id, NULL, CAST(t.version AS " + num + "), NULL",
        "cdp_profiles", "id", profileList);
    appendIn(sql, binders, at, "'c', t.id, NULL, t.body, NULL", "cdp_components", "id",
        componentList);
    appendIn(sql, binders, at, "'m', t.profile_id, t.segment, CAST(t.since_second AS " + num
        + "), CAST(t.since_nano AS " + num + ")", "cdp_memberships", "profile_id", memberList);
    appendIn(sql, binders, at, "'s', t.profile_id, NULL, CAST(t.at_second AS " + num
        + "), CAST(t.at_nano AS " + num + ")", "cdp_checks", "profile_id", checkList);

    long[] version = {Long.MIN_VALUE};
    Map<Identifier, IdentityNode> nodes = new HashMap<>();
    Map<String, Identifier> byKey = new HashMap<>();
    for (Identifier id : nodeList) {
      byKey.put(id.type().id() + "\u0000" + pii.protectKey(ws, id.type().id(), id.value()), id);
    }
    Map<ProfileId, Long> profiles = new HashMap<>();
    Map<String, ComponentRecord> components = new HashMap<>();
    Map<ProfileId, List<Membership>> memberships = new HashMap<>();
    Map<ProfileId, ScheduledCheck> checks = new HashMap<>();
    query("checking cached reads", sql.toString(), p -> {
      at[0] = 2;
      for (Binder b : binders) {
        b.bind(p);
      }
    }, rs -> {
      switch (rs.getString(1)) {
        case "v" -> version[0] = Long.parseLong(rs.getString(4).trim());
        case "n" -> {
          Identifier id = byKey.get(rs.getString(2) + "\u0000" + rs.getString(3));
          if (id != null) {
            nodes.put(id, new IdentityNode(id, new ProfileId(rs.getString(4)),
                rs.getString(5)));
          }
        }
        case "p" -> profiles.put(new ProfileId(rs.getString(2)),
            Long.parseLong(rs.getString(4).trim()));
        case "c" -> components.put(rs.getString(2),
            codec.readComponent(pii.reveal(ws, COMPONENT_BODY, rs.getString(4))));
        case "m" -> {
          ProfileId p = new ProfileId(rs.getString(2));
          memberships.computeIfAbsent(p, k -> new ArrayList<>()).add(new Membership(
              rs.getString(3), p, Instant.ofEpochSecond(Long.parseLong(rs.getString(4).trim()),
                  Long.parseLong(rs.getString(5).trim()))));
        }
        case "s" -> {
          ProfileId p = new ProfileId(rs.getString(2));
          checks.put(p, new ScheduledCheck(p, Instant.ofEpochSecond(
              Long.parseLong(rs.getString(4).trim()), Long.parseLong(rs.getString(5).trim()))));
        }
        default -> throw new IllegalStateException("unexpected row kind");
      }
      return Boolean.TRUE;
    });
    memberships.values().forEach(l -> l.sort(Comparator.comparing(Membership::segment)));
    return new Current(version[0], nodes, profiles, components, memberships, checks);
  }

  /** A branch {@code UNION ALL SELECT columns FROM table t WHERE t.key IN (...)}, if any keys. */
  private void appendIn(StringBuilder sql, List<Binder> binders, int[] at, String columns,
      String table, String keyColumn, List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    sql.append(" UNION ALL SELECT ").append(columns).append(" FROM ").append(table)
        .append(" t WHERE t.workspace = ? AND t.").append(keyColumn).append(" IN (")
        .append(String.join(", ", Collections.nCopies(keys.size(), "?"))).append(")");
    binders.add(p -> {
      p.setString(at[0]++, ws);
      for (String k : keys) {
        p.setString(at[0]++, k);
      }
    });
  }

  /** The stored versions of these profiles, locked until the transaction ends, in id order. */
  Map<ProfileId, Long> lockProfiles(Collection<ProfileId> ids) {
    Map<ProfileId, Long> out = new HashMap<>();
    queryIn("locking profiles", "t.id, t.version", "cdp_profiles", null, null, "id",
        ids.stream().map(ProfileId::value).toList(),
        rs -> out.put(new ProfileId(rs.getString(1)), rs.getLong(2)), true);
    return out;
  }

  /** The stored components with these ids, locked until the transaction ends, in id order. */
  List<ComponentRecord> lockComponents(Collection<String> ids) {
    return queryIn("locking components", "t.body", "cdp_components", null, null, "id", ids,
        rs -> codec.readComponent(pii.reveal(ws, COMPONENT_BODY, rs.getString(1))), true);
  }

  List<IdentityNode> nodesOfProfile(ProfileId profile) {
    return query("reading the nodes of a profile", NODE_COLUMNS + "profile_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, profile.value());
        },
        this::node);
  }

  List<IdentityNode> nodesOfComponent(String component) {
    return query("reading the nodes of a component", NODE_COLUMNS + "component_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, component);
        },
        this::node);
  }

  void upsertNodes(Collection<IdentityNode> nodes) {
    if (heldNodes(nodes, List.of("id_type", "id_value"), false)) {
      return;
    }
    storeNodes(nodes, dialect.upsert("cdp_nodes", List.of("workspace", "id_type", "id_value"),
        List.of("profile_id", "component_id", "id_secret")), false);
  }

  /**
   * Inserts nodes of identifiers that had none when this transaction looked: a plain insert,
   * so that two concurrent writers that both create the same identifier's node meet on its key
   * (a retryable failure) instead of one silently replacing the other's.
   */
  void insertNodes(Collection<IdentityNode> nodes) {
    if (heldNodes(nodes, null, dialect.concurrentWriters())) {
      return;
    }
    storeNodes(nodes, "INSERT INTO cdp_nodes (workspace, id_type, id_value, profile_id,"
        + " component_id, id_secret) VALUES (?, ?, ?, ?, ?, ?)", dialect.concurrentWriters());
  }

  private boolean heldNodes(Collection<IdentityNode> nodes, @Nullable List<String> keys,
      boolean raced) {
    return held("storing identity nodes", "cdp_nodes",
        List.of("id_type", "id_value", "profile_id", "component_id", "id_secret"), TEXT5, keys,
        List.of("profile_id", "component_id", "id_secret"), nodes, n -> {
          Identifier id = n.identifier();
          return new Object[] {id.type().id(), pii.protectKey(ws, id.type().id(), id.value()),
              n.profile().value(), n.component(),
              pii.keysReversible() ? null : pii.protect(ws, NODE_SECRET, id.value())};
        }, raced);
  }

  private void storeNodes(Collection<IdentityNode> nodes, String sql, boolean raced) {
    batch("storing identity nodes", sql, nodes, (p, n) -> {
          Identifier id = n.identifier();
          p.setString(1, ws);
          p.setString(2, id.type().id());
          p.setString(3, pii.protectKey(ws, id.type().id(), id.value()));
          p.setString(4, n.profile().value());
          p.setString(5, n.component());
          p.setString(6, pii.keysReversible() ? null : pii.protect(ws, NODE_SECRET, id.value()));
        }, raced);
  }

  void deleteNodes(Collection<Identifier> ids) {
    batch("deleting identity nodes",
        "DELETE FROM cdp_nodes WHERE workspace = ? AND id_type = ? AND id_value = ?",
        ids, (p, id) -> {
          p.setString(1, ws);
          p.setString(2, id.type().id());
          p.setString(3, pii.protectKey(ws, id.type().id(), id.value()));
        });
  }

  // ------------------------------------------------------------------ components and links

  Optional<ComponentRecord> component(String id) {
    return first(components(List.of(id)));
  }

  List<ComponentRecord> components(Collection<String> ids) {
    return queryIn("reading components", "t.body", "cdp_components", null, null, "id", ids,
        rs -> codec.readComponent(pii.reveal(ws, COMPONENT_BODY, rs.getString(1))));
  }

  void upsertComponents(Collection<ComponentRecord> records) {
    if (held("storing components", "cdp_components", List.of("id", "body"), TEXT_BODY,
        List.of("id"), List.of("body"), records,
        r -> new Object[] {r.id(), pii.protect(ws, COMPONENT_BODY, codec.writeComponent(r))},
        false)) {
      return;
    }
    batch("storing components",
        dialect.upsert("cdp_components", List.of("workspace", "id"), List.of("body")),
        records, (p, r) -> {
          p.setString(1, ws);
          p.setString(2, r.id());
          p.setString(3, pii.protect(ws, COMPONENT_BODY, codec.writeComponent(r)));
        });
  }

  void deleteComponents(Collection<String> ids) {
    batch("deleting components", "DELETE FROM cdp_components WHERE workspace = ? AND id = ?",
        ids, (p, id) -> {
          p.setString(1, ws);
          p.setString(2, id);
        });
  }

  /** A link and the component it is stored under. */
  record LinkRow(String component, Link link) {}

  private record Numbered(long seq, LinkRow row) {}

  /** The links stored under any of these components, in the order they were stored. */
  List<LinkRow> links(Collection<String> components) {
    List<Numbered> rows = new ArrayList<>(queryIn("reading links",
        "t.component_id, t.body, t.seq", "cdp_links", null, null, "component_id", components,
        rs -> new Numbered(rs.getLong(3),
            new LinkRow(rs.getString(1),
                codec.readLink(pii.reveal(ws, LINK_BODY, rs.getString(2)))))));
    // The rows of several components come in no particular order: sort by when stored.
    rows.sort(Comparator.comparingLong(Numbered::seq));
    List<LinkRow> out = new ArrayList<>(rows.size());
    for (Numbered n : rows) {
      out.add(n.row());
    }
    return out;
  }

  /**
   * Moves links between components and deletes a component's links, in the given order:
   * {@code {from, to}} pairs, where a null {@code to} deletes the links stored under
   * {@code from}. Consecutive operations of one kind go as one JDBC batch.
   */
  void applyLinkOps(List<String[]> ops) {
    int from = 0;
    while (from < ops.size()) {
      boolean delete = ops.get(from)[1] == null;
      int to = from;
      while (to < ops.size() && (ops.get(to)[1] == null) == delete) {
        to++;
      }
      List<String[]> run = ops.subList(from, to);
      if (delete) {
        batch("deleting links", "DELETE FROM cdp_links WHERE workspace = ? AND component_id = ?",
            run, (p, m) -> {
              p.setString(1, ws);
              p.setString(2, m[0]);
            });
      } else {
        batch("moving links",
            "UPDATE cdp_links SET component_id = ? WHERE workspace = ? AND component_id = ?",
            run, (p, m) -> {
              p.setString(1, m[1]);
              p.setString(2, ws);
              p.setString(3, m[0]);
            });
      }
      from = to;
    }
  }

  void insertLinks(Collection<LinkRow> links) {
    if (held("storing links", "cdp_links", List.of("component_id", "body"), TEXT_BODY, null,
        List.of(), links, l -> new Object[] {l.component(),
            pii.protect(ws, LINK_BODY, codec.writeLink(l.link()))}, false)) {
      return;
    }
    batch("storing links",
        "INSERT INTO cdp_links (workspace, component_id, body) VALUES (?, ?, ?)",
        links, (p, l) -> {
          p.setString(1, ws);
          p.setString(2, l.component());
          p.setString(3, pii.protect(ws, LINK_BODY, codec.writeLink(l.link())));
        });
  }

  // ------------------------------------------------------------------ profiles

  Optional<ProfileRecord> profile(ProfileId id) {
    return first(profiles(List.of(id)));
  }

  /**
   * The profiles of these ids that exist, each with its orders: its head and its order rows
   * read in one statement (so from one snapshot, at any isolation), put together by
   * {@link #assemble}.
   */
  List<ProfileRecord> profiles(Collection<ProfileId> ids) {
    List<String> all = List.copyOf(new LinkedHashSet<>(ids.stream().map(ProfileId::value)
        .toList()));
    if (all.isEmpty()) {
      return List.of();
    }
    Map<String, String> heads = new LinkedHashMap<>();
    Map<String, List<String>> orders = new HashMap<>();
    String what = "reading profiles";
    beforeQuery(what);
    try {
      switch (dialect.bulkRead()) {
        case ARRAY -> {
          try (PreparedStatement p = c.prepareStatement(profileReadSql(" = ANY(?)"))) {
            Array keys = c.createArrayOf("varchar", all.toArray());
            p.setString(1, ws);
            p.setArray(2, keys);
            p.setString(3, ws);
            p.setArray(4, keys);
            readProfileRows(p, heads, orders);
          }
        }
        case POINT -> {
          try (PreparedStatement p = c.prepareStatement(profileReadSql(" = ?"))) {
            p.setString(1, ws);
            p.setString(3, ws);
            for (String key : all) {
              p.setString(2, key);
              p.setString(4, key);
              readProfileRows(p, heads, orders);
            }
          }
        }
        case IN_LIST -> {
          for (int from = 0; from < all.size(); from += IN_LIST) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_LIST));
            String in = " IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?"))
                + ")";
            try (PreparedStatement p = c.prepareStatement(profileReadSql(in))) {
              int i = 1;
              p.setString(i++, ws);
              for (String key : chunk) {
                p.setString(i++, key);
              }
              p.setString(i++, ws);
              for (String key : chunk) {
                p.setString(i++, key);
              }
              readProfileRows(p, heads, orders);
            }
          }
        }
      }
    } catch (SQLException e) {
      throw fail(what, e);
    }
    List<ProfileRecord> out = new ArrayList<>(heads.size());
    heads.forEach((id, head) -> out.add(assemble(head, orders.getOrDefault(id, List.of()))));
    return out;
  }

  /**
   * The heads of the profiles whose id meets {@code condition}, then their order rows: one
   * statement. A head's order key is empty (an order row's never is).
   */
  private static String profileReadSql(String condition) {
    return "SELECT t.id, '' AS order_key, t.body FROM cdp_profiles t WHERE t.workspace = ?"
        + " AND t.id" + condition + " UNION ALL SELECT o.profile_id, o.order_key, o.body"
        + " FROM cdp_profile_orders o WHERE o.workspace = ? AND o.profile_id" + condition;
  }

  private static void readProfileRows(PreparedStatement p, Map<String, String> heads,
      Map<String, List<String>> orders) throws SQLException {
    try (ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        String key = rs.getString(2);
        if (key == null || key.isEmpty()) {
          heads.put(id, rs.getString(3));
        } else {
          orders.computeIfAbsent(id, k -> new ArrayList<>()).add(rs.getString(3));
        }
      }
    }
  }

  /**
   * A profile from its stored head and the stored texts of its order rows. A head written
   * before order rows existed (schema 11 and older) holds its orders itself and has no rows;
   * such a record is remembered ({@link #ORDERS_IN_HEAD}) so that its first write here puts
   * every order in a row. A head whose count of orders differs from its rows fails: an order
   * would otherwise be lost without a word.
   */
  private ProfileRecord assemble(String head, List<String> orderTexts) {
    RecordCodec.ProfileHead h = codec.readProfileHead(pii.reveal(ws, PROFILE_BODY, head));
    List<Map.Entry<String, ProfileState.OrderEntry>> orders =
        new ArrayList<>(orderTexts.size());
    for (String text : orderTexts) {
      orders.add(codec.readOrder(pii.reveal(ws, ORDER_BODY, text)));
    }
    ProfileRecord r = h.withOrders(orders);
    return h.orderRows() == 0 ? remembered(r) : r;
  }

  /**
   * {@code r}, read from a head without orders kept apart, remembered in
   * {@link #ORDERS_IN_HEAD} when it holds orders itself (written before order rows).
   */
  private static ProfileRecord remembered(ProfileRecord r) {
    if (!r.state().orders().isEmpty()) {
      ORDERS_IN_HEAD.add(r);
    }
    return r;
  }

  /**
   * Profile records read from a head that holds its orders itself (written before order rows):
   * by identity, held weakly. A write whose stored profile is one of them writes every order in
   * a row ({@link #upsertProfiles}).
   */
  private static final Set<ProfileRecord> ORDERS_IN_HEAD = Collections.newSetFromMap(
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().weakKeys()
          .<ProfileRecord, Boolean>build().asMap());

  /**
   * The key of an order's row: the first 128 bits of a SHA-256 digest of the codec's lookup text
   * of its order id, in 22 characters of unpadded base64url (a short key keeps the index small;
   * two order ids of one profile meet on a key with a chance of about n²/2¹²⁹).
   */
  private String orderKey(String orderId) {
    // The door refuses such text in events; refused here too, since its UTF-8 would turn each
    // unpaired surrogate into '?' and two order ids into one key.
    for (int i = 0; i < orderId.length(); i++) {
      char ch = orderId.charAt(i);
      if (Character.isHighSurrogate(ch) && i + 1 < orderId.length()
          && Character.isLowSurrogate(orderId.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(ch)) {
        throw new IllegalArgumentException("an order id holds an unpaired UTF-16 surrogate");
      }
    }
    String lookup = pii.protectKey(ws, ORDER_KEY_TYPE, orderId);
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
          .digest(lookup.getBytes(StandardCharsets.UTF_8));
      return java.util.Base64.getUrlEncoder().withoutPadding()
          .encodeToString(Arrays.copyOf(hash, 16));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The type the codec is told an order id's lookup text is of ({@link #orderKey}). */
  static final String ORDER_KEY_TYPE = "cdp.order";

  /** One order row to write. */
  private record OrderRow(String profileId, String key, String orderId,
      ProfileState.OrderEntry entry) {}

  /**
   * Stores the profiles: each one's head, and the rows of the orders that are new or changed
   * since {@code stored}'s. {@code stored} holds, for a profile whose stored state the caller
   * knows, that state (empty: no row); the rows of a profile it does not hold are read first.
   * The rows of orders a profile no longer has are deleted at once.
   */
  void upsertProfiles(Collection<ProfileRecord> records,
      Map<ProfileId, Optional<ProfileRecord>> stored) {
    if (records.isEmpty()) {
      return;
    }
    List<OrderRow> newRows = new ArrayList<>();
    List<OrderRow> orderRows = new ArrayList<>();
    List<String[]> gone = new ArrayList<>();
    List<ProfileRecord> unknown = new ArrayList<>();
    for (ProfileRecord r : records) {
      Optional<ProfileRecord> base = stored.get(r.id());
      if (base == null) {
        unknown.add(r);
        continue;
      }
      Map<String, ProfileState.OrderEntry> now = r.state().orders();
      Map<String, ProfileState.OrderEntry> was = base.isEmpty()
          || ORDERS_IN_HEAD.contains(base.get()) ? Map.of() : base.get().state().orders();
      if (now == was) {
        continue;
      }
      now.forEach((orderId, entry) -> {
        ProfileState.OrderEntry before = was.get(orderId);
        if (before == null) {
          newRows.add(new OrderRow(r.id().value(), orderKey(orderId), orderId, entry));
        } else if (before != entry && !entry.equals(before)) {
          orderRows.add(new OrderRow(r.id().value(), orderKey(orderId), orderId, entry));
        }
      });
      for (String orderId : was.keySet()) {
        if (!now.containsKey(orderId)) {
          gone.add(new String[] {r.id().value(), orderKey(orderId)});
        }
      }
    }
    if (!unknown.isEmpty()) {
      Map<String, Set<String>> keys = new HashMap<>();
      queryIn("reading the order keys of profiles", "t.profile_id, t.order_key",
          "cdp_profile_orders", null, null, "profile_id",
          unknown.stream().map(r -> r.id().value()).toList(), rs -> {
            keys.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
            return null;
          });
      for (ProfileRecord r : unknown) {
        Set<String> left = new HashSet<>(keys.getOrDefault(r.id().value(), Set.of()));
        r.state().orders().forEach((orderId, entry) -> {
          String key = orderKey(orderId);
          left.remove(key);
          orderRows.add(new OrderRow(r.id().value(), key, orderId, entry));
        });
        left.forEach(key -> gone.add(new String[] {r.id().value(), key}));
      }
    }
    batch("deleting the orders of profiles", "DELETE FROM cdp_profile_orders"
        + " WHERE workspace = ? AND profile_id = ? AND order_key = ?", gone, (p, k) -> {
          p.setString(1, ws);
          p.setString(2, k[0]);
          p.setString(3, k[1]);
        });
    if (!held("storing profiles", "cdp_profiles", List.of("id", "version", "body"),
        TEXT_BIGINT_BODY, List.of("id"), List.of("version", "body"), records,
        r -> new Object[] {r.id().value(), r.version(), plainDocuments
            ? codec.writeProfileHeadUtf8(r)
            : pii.protect(ws, PROFILE_BODY, codec.writeProfileHead(r))},
        false)) {
      batch("storing profiles",
          dialect.upsert("cdp_profiles", List.of("workspace", "id"), List.of("version", "body")),
          records, (p, r) -> {
            p.setString(1, ws);
            p.setString(2, r.id().value());
            p.setLong(3, r.version());
            p.setString(4, pii.protect(ws, PROFILE_BODY, codec.writeProfileHead(r)));
          });
    }
    // Orders the stored profile lacks are inserted (no row can hold them: the profile's row
    // lock and its checked version guard its rows); on PostgreSQL a plain insert also spares
    // the speculative insertion of an upsert and its WAL record. The others are upserted.
    storeOrders("storing the new orders of profiles", newRows, false);
    storeOrders("storing the orders of profiles", orderRows, true);
  }

  private void storeOrders(String what, List<OrderRow> rows, boolean upsert) {
    List<String> keys = List.of("profile_id", "order_key");
    if (held(what, "cdp_profile_orders", List.of("profile_id", "order_key", "body"),
        TEXT2_BODY, upsert ? keys : null, List.of("body"), rows,
        o -> new Object[] {o.profileId(), o.key(), plainDocuments
            ? codec.writeOrderUtf8(o.orderId(), o.entry())
            : pii.protect(ws, ORDER_BODY, codec.writeOrder(o.orderId(), o.entry()))},
        false)) {
      return;
    }
    batch(what, upsert
        ? dialect.upsert("cdp_profile_orders", List.of("workspace", "profile_id", "order_key"),
            List.of("body"))
        : "INSERT INTO cdp_profile_orders (workspace, profile_id, order_key, body)"
            + " VALUES (?, ?, ?, ?)", rows,
        (p, o) -> {
          p.setString(1, ws);
          p.setString(2, o.profileId());
          p.setString(3, o.key());
          p.setString(4, pii.protect(ws, ORDER_BODY, codec.writeOrder(o.orderId(),
              o.entry())));
        });
  }

  void deleteProfiles(Collection<ProfileId> ids) {
    if (ids.isEmpty()) {
      return;
    }
    deleteIn("deleting the orders of profiles", "cdp_profile_orders", "profile_id",
        ids.stream().map(ProfileId::value).toList());
    batch("deleting profiles", "DELETE FROM cdp_profiles WHERE workspace = ? AND id = ?",
        ids, (p, id) -> {
          p.setString(1, ws);
          p.setString(2, id.value());
        });
  }

  Optional<ProfileId> redirect(ProfileId mergedAway) {
    return first(query("reading a redirect",
        "SELECT to_id FROM cdp_redirects WHERE workspace = ? AND from_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, mergedAway.value());
        },
        rs -> new ProfileId(rs.getString(1))));
  }

  /** Stores redirects, {@code from -> to}. */
  void upsertRedirects(Map<ProfileId, ProfileId> redirects) {
    if (held("storing redirects", "cdp_redirects", List.of("from_id", "to_id"), TEXT2,
        List.of("from_id"), List.of("to_id"), redirects.entrySet(),
        e -> new Object[] {e.getKey().value(), e.getValue().value()}, false)) {
      return;
    }
    batch("storing redirects",
        dialect.upsert("cdp_redirects", List.of("workspace", "from_id"), List.of("to_id")),
        redirects.entrySet(), (p, e) -> {
          p.setString(1, ws);
          p.setString(2, e.getKey().value());
          p.setString(3, e.getValue().value());
        });
  }

  void deleteRedirects(Collection<ProfileId> from) {
    batch("deleting redirects", "DELETE FROM cdp_redirects WHERE workspace = ? AND from_id = ?",
        from, (p, id) -> {
          p.setString(1, ws);
          p.setString(2, id.value());
        });
  }

  /** The ids redirected to this profile, in no particular order (index by target). */
  List<ProfileId> redirectsTo(ProfileId to) {
    return query("reading the redirects to a profile",
        "SELECT from_id FROM cdp_redirects WHERE workspace = ? AND to_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, to.value());
        },
        rs -> new ProfileId(rs.getString(1)));
  }

  /** The statement of {@link #profilesAfter}; {@code after}: with a cursor. */
  static String profilesAfterSql(boolean after) {
    return "SELECT body FROM cdp_profiles WHERE workspace = ?" + (after ? " AND id > ?" : "")
        + " ORDER BY workspace, id LIMIT ?";
  }

  /**
   * Up to {@code limit} profiles whose id sorts after {@code after} (from the first when null),
   * in id order: a range of the primary key, whose id column sorts as Java does on every
   * database (see {@link Dialect#binaryCollation}). Ordered by the whole key, workspace first:
   * H2 reads a range in index order only when the {@code ORDER BY} is a prefix of the index's
   * columns, and would otherwise sort every row after the cursor for each page.
   */
  List<ProfileRecord> profilesAfter(@Nullable String after, int limit) {
    List<RecordCodec.ProfileHead> heads = query("scanning profiles",
        profilesAfterSql(after != null),
        p -> {
          int i = 1;
          p.setString(i++, ws);
          if (after != null) {
            p.setString(i++, after);
          }
          p.setInt(i, limit);
        },
        rs -> codec.readProfileHead(pii.reveal(ws, PROFILE_BODY, rs.getString(1))));
    // The profiles with order rows are read again with them, in one statement each batch (a
    // second statement for the rows alone could see a later commit than the page's).
    List<ProfileId> withRows = new ArrayList<>();
    for (RecordCodec.ProfileHead h : heads) {
      if (h.orderRows() > 0) {
        withRows.add(h.profile().id());
      }
    }
    Map<ProfileId, ProfileRecord> whole = new HashMap<>();
    if (!withRows.isEmpty()) {
      profiles(withRows).forEach(r -> whole.put(r.id(), r));
    }
    List<ProfileRecord> out = new ArrayList<>(heads.size());
    for (RecordCodec.ProfileHead h : heads) {
      ProfileRecord r = h.profile();
      if (h.orderRows() == 0) {
        out.add(remembered(r));
      } else if (whole.containsKey(r.id())) {
        out.add(whole.get(r.id()));
      }
      // else: deleted since the page was read (only at READ COMMITTED); left out as it is gone
    }
    return out;
  }

  // ------------------------------------------------------------------ ledger

  List<LedgerEntry> ledger(ProfileId profile) {
    return query("reading the ledger",
        "SELECT body FROM cdp_ledger WHERE workspace = ? AND (profile_id = ? OR other_id = ?)"
            + " ORDER BY seq",
        p -> {
          p.setString(1, ws);
          p.setString(2, profile.value());
          p.setString(3, profile.value());
        },
        rs -> codec.readLedger(pii.reveal(ws, LEDGER_BODY, rs.getString(1))));
  }

  void appendLedger(Collection<LedgerEntry> entries) {
    if (held("appending to the ledger", "cdp_ledger", List.of("profile_id", "other_id", "body"),
        TEXT2_BODY, null, List.of(), entries, e -> new Object[] {e.profile().value(),
            e.other() == null ? null : e.other().value(),
            pii.protect(ws, LEDGER_BODY, codec.writeLedger(e))}, false)) {
      return;
    }
    batch("appending to the ledger",
        "INSERT INTO cdp_ledger (workspace, profile_id, other_id, body) VALUES (?, ?, ?, ?)",
        entries, (p, e) -> {
          p.setString(1, ws);
          p.setString(2, e.profile().value());
          p.setString(3, e.other() == null ? null : e.other().value());
          p.setString(4, pii.protect(ws, LEDGER_BODY, codec.writeLedger(e)));
        });
  }

  /**
   * Deletes every entry naming one of these profiles on either side: one statement per side, so
   * that each reads its own index.
   */
  void deleteLedger(Collection<ProfileId> profiles) {
    for (String side : List.of("profile_id", "other_id")) {
      batch("deleting ledger entries",
          "DELETE FROM cdp_ledger WHERE workspace = ? AND " + side + " = ?",
          profiles, (p, id) -> {
            p.setString(1, ws);
            p.setString(2, id.value());
          });
    }
  }

  // ------------------------------------------------------------------ metadata

  /** The metadata entries whose key starts with {@code prefix}, in no particular order. */
  Map<String, String> metadata(String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : query("reading metadata",
        "SELECT meta_key, meta_value FROM cdp_metadata WHERE workspace = ?"
            + " AND meta_key LIKE ? ESCAPE '!'",
        p -> {
          p.setString(1, ws);
          p.setString(2, likePrefix(prefix));
        },
        rs -> Map.entry(rs.getString(1), rs.getString(2)))) {
      // LIKE is exact under the binary collations the keys have; the check costs nothing.
      if (e.getKey().startsWith(prefix)) {
        out.put(e.getKey(), pii.reveal(ws, METADATA_VALUE, e.getValue()));
      }
    }
    return out;
  }

  /** A {@code LIKE} pattern, escaped with {@code !}, for the strings that start with prefix. */
  static String likePrefix(String prefix) {
    StringBuilder b = new StringBuilder(prefix.length() + 8);
    for (int i = 0; i < prefix.length(); i++) {
      char ch = prefix.charAt(i);
      if (ch == '!' || ch == '%' || ch == '_') {
        b.append('!');
      }
      b.append(ch);
    }
    return b.append('%').toString();
  }

  void upsertMetadata(Map<String, String> entries) {
    batch("storing metadata",
        dialect.upsert("cdp_metadata", List.of("workspace", "meta_key"), List.of("meta_value")),
        entries.entrySet(), (p, e) -> {
          p.setString(1, ws);
          p.setString(2, e.getKey());
          p.setString(3, pii.protect(ws, METADATA_VALUE, e.getValue()));
        });
  }

  void deleteMetadata(Collection<String> keys) {
    batch("deleting metadata", "DELETE FROM cdp_metadata WHERE workspace = ? AND meta_key = ?",
        keys, (p, k) -> {
          p.setString(1, ws);
          p.setString(2, k);
        });
  }

  // ------------------------------------------------------------------ memberships

  /** The memberships of a profile, sorted by segment id ({@link String#compareTo}). */
  List<Membership> membershipsOf(ProfileId profile) {
    List<Membership> out = new ArrayList<>(query("reading the memberships of a profile",
        "SELECT segment, since_second, since_nano FROM cdp_memberships"
            + " WHERE workspace = ? AND profile_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, profile.value());
        },
        rs -> new Membership(rs.getString(1), profile, instant(rs, 2))));
    out.sort(Comparator.comparing(Membership::segment));
    return out;
  }

  /** The memberships of these profiles, each profile's sorted by segment id. */
  Map<ProfileId, List<Membership>> membershipsOf(Collection<ProfileId> profiles) {
    Map<ProfileId, List<Membership>> out = new HashMap<>();
    queryIn("reading the memberships of profiles", "t.profile_id, t.segment, t.since_second,"
        + " t.since_nano", "cdp_memberships", null, null, "profile_id",
        profiles.stream().map(ProfileId::value).toList(), rs -> {
          ProfileId p = new ProfileId(rs.getString(1));
          out.computeIfAbsent(p, k -> new ArrayList<>())
              .add(new Membership(rs.getString(2), p, instant(rs, 3)));
          return p;
        });
    out.values().forEach(l -> l.sort(Comparator.comparing(Membership::segment)));
    return out;
  }

  /** The scheduled checks of these profiles; profiles without one left out. */
  Map<ProfileId, ScheduledCheck> checks(Collection<ProfileId> profiles) {
    Map<ProfileId, ScheduledCheck> out = new HashMap<>();
    queryIn("reading scheduled checks", "t.profile_id, t.at_second, t.at_nano", "cdp_checks",
        null, null, "profile_id", profiles.stream().map(ProfileId::value).toList(), rs -> {
          ProfileId p = new ProfileId(rs.getString(1));
          out.put(p, new ScheduledCheck(p, instant(rs, 2)));
          return p;
        });
    return out;
  }

  /** The statement of {@link #members}; {@code after}: with a cursor. */
  static String membersSql(boolean after) {
    return "SELECT profile_id, since_second, since_nano FROM cdp_memberships"
        + " WHERE workspace = ? AND segment = ?" + (after ? " AND profile_id > ?" : "")
        + " ORDER BY workspace, segment, profile_id LIMIT ?";
  }

  /**
   * Up to {@code limit} members of a segment whose id sorts after {@code after}, in order: a
   * range of the primary key (ordered by all of it, as {@link #profilesAfter} explains).
   */
  List<Membership> members(String segment, @Nullable String after, int limit) {
    return query("reading the members of a segment", membersSql(after != null),
        p -> {
          int i = 1;
          p.setString(i++, ws);
          p.setString(i++, segment);
          if (after != null) {
            p.setString(i++, after);
          }
          p.setInt(i, limit);
        },
        rs -> new Membership(segment, new ProfileId(rs.getString(1)), instant(rs, 2)));
  }

  void upsertMemberships(Collection<Membership> memberships) {
    if (memberships.isEmpty()) {
      return; // without making the lambda below, whose type names a class of cdp-segmentation
    }
    batch("storing memberships",
        dialect.upsert("cdp_memberships", List.of("workspace", "segment", "profile_id"),
            List.of("since_second", "since_nano")),
        memberships, (p, m) -> {
          p.setString(1, ws);
          p.setString(2, m.segment());
          p.setString(3, m.profile().value());
          p.setLong(4, m.since().getEpochSecond());
          p.setInt(5, m.since().getNano());
        });
  }

  /** Deletes memberships, each given as a {@code {segment, profile id}} pair. */
  void deleteMemberships(Collection<String[]> keys) {
    batch("deleting memberships",
        "DELETE FROM cdp_memberships WHERE workspace = ? AND segment = ? AND profile_id = ?",
        keys, (p, k) -> {
          p.setString(1, ws);
          p.setString(2, k[0]);
          p.setString(3, k[1]);
        });
  }

  // ------------------------------------------------------------------ scheduled checks

  Optional<ScheduledCheck> check(ProfileId profile) {
    return first(query("reading a scheduled check",
        "SELECT at_second, at_nano FROM cdp_checks WHERE workspace = ? AND profile_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, profile.value());
        },
        rs -> new ScheduledCheck(profile, instant(rs, 1))));
  }

  /** The statement of {@link #dueChecks}; {@code after}: with a cursor. */
  static String dueChecksSql(boolean after) {
    return "SELECT profile_id, at_second, at_nano FROM cdp_checks WHERE workspace = ?"
        + " AND at_second <= ? AND (at_second < ? OR at_nano <= ?)"
        + (after ? " AND at_second >= ? AND (at_second > ? OR at_nano > ?"
            + " OR (at_nano = ? AND profile_id > ?))" : "")
        + " ORDER BY workspace, at_second, at_nano, profile_id LIMIT ?";
  }

  /**
   * Up to {@code limit} checks due at or before {@code upTo}, by time then profile id, from
   * after {@code after} (from the first when null). The redundant bounds on {@code at_second}
   * let every database range-scan the due index and stop at {@code upTo}.
   */
  List<ScheduledCheck> dueChecks(Instant upTo, @Nullable ScheduledCheck after, int limit) {
    return query("reading due checks", dueChecksSql(after != null),
        p -> {
          int i = 1;
          p.setString(i++, ws);
          p.setLong(i++, upTo.getEpochSecond());
          p.setLong(i++, upTo.getEpochSecond());
          p.setInt(i++, upTo.getNano());
          if (after != null) {
            p.setLong(i++, after.at().getEpochSecond());
            p.setLong(i++, after.at().getEpochSecond());
            p.setInt(i++, after.at().getNano());
            p.setInt(i++, after.at().getNano());
            p.setString(i++, after.profile().value());
          }
          p.setInt(i, limit);
        },
        rs -> new ScheduledCheck(new ProfileId(rs.getString(1)), instant(rs, 2)));
  }

  void upsertChecks(Collection<ScheduledCheck> checks) {
    if (checks.isEmpty()) {
      return; // without making the lambda below, whose type names a class of cdp-segmentation
    }
    batch("storing scheduled checks",
        dialect.upsert("cdp_checks", List.of("workspace", "profile_id"),
            List.of("at_second", "at_nano")),
        checks, (p, c) -> {
          p.setString(1, ws);
          p.setString(2, c.profile().value());
          p.setLong(3, c.at().getEpochSecond());
          p.setInt(4, c.at().getNano());
        });
  }

  void deleteChecks(Collection<ProfileId> profiles) {
    batch("deleting scheduled checks",
        "DELETE FROM cdp_checks WHERE workspace = ? AND profile_id = ?",
        profiles, (p, id) -> {
          p.setString(1, ws);
          p.setString(2, id.value());
        });
  }

  // ------------------------------------------------------------------ outbox

  private static final String OUTBOX_SELECT_COLUMNS = "outbox_key, rule_name, profile_id,"
      + " channel, decided_second, decided_nano, due_second, due_nano, attempts, status,"
      + " trigger_text, lease, lease_until_second, lease_until_nano, last_error";

  private static final String OUTBOX_SELECT =
      "SELECT " + OUTBOX_SELECT_COLUMNS + " FROM cdp_outbox";

  private static final String OUTBOX_COLUMNS = OUTBOX_SELECT + " WHERE workspace = ?";

  private OutboxEntry outboxEntry(ResultSet rs) throws SQLException {
    String lease = rs.getString(12);
    Instant until = lease == null ? null : instant(rs, 13);
    return new OutboxEntry(rs.getString(1), rs.getString(2), new ProfileId(rs.getString(3)),
        rs.getString(4), instant(rs, 5), instant(rs, 7), rs.getInt(9),
        OutboxEntry.Status.valueOf(rs.getString(10)), pii.reveal(ws, OUTBOX_TRIGGER,
        rs.getString(11)), lease, until, revealNullable(OUTBOX_ERROR, rs.getString(15)));
  }

  Optional<OutboxEntry> outbox(String key) {
    return first(query("reading an outbox entry", OUTBOX_COLUMNS + " AND outbox_key = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, key);
        },
        this::outboxEntry));
  }

  /** The entries with these keys. */
  List<OutboxEntry> outbox(Collection<String> keys) {
    return queryIn("reading outbox entries", OUTBOX_SELECT_COLUMNS, "cdp_outbox", null, null,
        "outbox_key", keys, this::outboxEntry);
  }

  /** Whether an entry with this key is stored, without reading it. */
  boolean outboxExists(String key) {
    return !query("checking an outbox key",
        "SELECT 1 FROM cdp_outbox WHERE workspace = ? AND outbox_key = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, key);
        },
        rs -> Boolean.TRUE).isEmpty();
  }

  /** A profile's entries, whatever their status, in no particular order (index by profile). */
  List<OutboxEntry> outboxOfProfile(ProfileId profile) {
    return query("reading the outbox of a profile", OUTBOX_COLUMNS + " AND profile_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, profile.value());
        },
        this::outboxEntry);
  }

  void deleteOutbox(Collection<String> keys) {
    deleteIn("deleting outbox entries", "cdp_outbox", "outbox_key", keys);
  }

  /**
   * The statement of {@link #outboxPage}; {@code after}: with a cursor. Ordered as
   * {@link #orderBy} says.
   */
  static String outboxPageSql(Dialect d, boolean after) {
    return OUTBOX_COLUMNS + " AND status = ?" + (after ? " AND outbox_key > ?" : "")
        + orderBy(d, "workspace, status, ", "outbox_key") + " LIMIT ?";
  }

  /**
   * An {@code ORDER BY} of an index's columns after those its query fixes by equality
   * ({@code fixed}, a prefix of the index), so that the database reads a range of the index in
   * order and stops at the limit. H2 does that only when the fixed columns are named too (see
   * {@link #profilesAfter}); MariaDB 10.11 does it only when they are not, and sorts the rows
   * otherwise, which for a locking read means locking every row that matches before the
   * {@code LIMIT}. PostgreSQL takes either.
   */
  static String orderBy(Dialect d, String fixed, String rest) {
    return " ORDER BY " + (d == Dialect.H2 ? fixed : "") + rest;
  }

  /**
   * Up to {@code limit} entries with this status whose key sorts after {@code after} (from the
   * first when null), in key order: a range of the status index.
   */
  List<OutboxEntry> outboxPage(OutboxEntry.Status status, @Nullable String after, int limit) {
    return query("reading the outbox", outboxPageSql(dialect, after != null),
        p -> {
          int i = 1;
          p.setString(i++, ws);
          p.setString(i++, status.name());
          if (after != null) {
            p.setString(i++, after);
          }
          p.setInt(i, limit);
        },
        this::outboxEntry);
  }

  private void bindOutbox(PreparedStatement p, int from, OutboxEntry e) throws SQLException {
    int i = from;
    p.setString(i++, e.rule());
    p.setString(i++, e.profile().value());
    p.setString(i++, e.channel());
    p.setLong(i++, e.decidedAt().getEpochSecond());
    p.setInt(i++, e.decidedAt().getNano());
    p.setLong(i++, e.dueAt().getEpochSecond());
    p.setInt(i++, e.dueAt().getNano());
    p.setInt(i++, e.attempts());
    p.setString(i++, e.status().name());
    p.setString(i++, pii.protect(ws, OUTBOX_TRIGGER, e.trigger()));
    p.setString(i++, e.lease());
    Instant until = e.leaseUntil();
    if (until == null) {
      p.setNull(i++, Types.BIGINT);
      p.setNull(i++, Types.INTEGER);
    } else {
      p.setLong(i++, until.getEpochSecond());
      p.setInt(i++, until.getNano());
    }
    p.setString(i, protectNullable(OUTBOX_ERROR, e.lastError()));
  }

  private static final String OUTBOX_VALUES = "rule_name, profile_id, channel, decided_second,"
      + " decided_nano, due_second, due_nano, attempts, status, trigger_text, lease,"
      + " lease_until_second, lease_until_nano, last_error";

  void insertOutbox(Collection<OutboxEntry> entries) {
    if (entries.isEmpty()) {
      return; // without making the lambda below, whose type names a class of cdp-activation-spi
    }
    batch("storing outbox entries",
        "INSERT INTO cdp_outbox (workspace, outbox_key, " + OUTBOX_VALUES + ") VALUES (?, ?, ?,"
            + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        entries, (p, e) -> {
          p.setString(1, ws);
          p.setString(2, e.key());
          bindOutbox(p, 3, e);
        });
  }

  /** Replaces stored entries, each by its key. */
  void updateOutbox(Collection<OutboxEntry> entries) {
    if (entries.isEmpty()) {
      return; // without making the lambda below, whose type names a class of cdp-activation-spi
    }
    batch("updating outbox entries",
        "UPDATE cdp_outbox SET rule_name = ?, profile_id = ?, channel = ?, decided_second = ?,"
            + " decided_nano = ?, due_second = ?, due_nano = ?, attempts = ?, status = ?,"
            + " trigger_text = ?, lease = ?, lease_until_second = ?, lease_until_nano = ?,"
            + " last_error = ? WHERE workspace = ? AND outbox_key = ?",
        entries, (p, e) -> {
          bindOutbox(p, 1, e);
          p.setString(15, ws);
          p.setString(16, e.key());
        });
  }

  /**
   * The claimable entries in claim order: pending, due at {@code now}, lease free at
   * {@code now}; after {@code after} when not null. With {@code lock}, each row is locked and
   * rows other transactions hold are skipped ({@code FOR UPDATE SKIP LOCKED}); with
   * {@code onlyKey}, just that key (a point lock). Otherwise a range of the due index read in
   * order ({@link #orderBy}), so that PostgreSQL and MariaDB lock the rows they return and stop
   * at the limit; MariaDB is held to that index, which its optimizer passes over for small
   * tables.
   */
  static String claimableSql(Dialect d, boolean after, boolean onlyKey, boolean lock) {
    return OUTBOX_SELECT + (d == Dialect.MARIADB && !onlyKey ? " FORCE INDEX (cdp_outbox_due)" : "")
        + " WHERE workspace = ?" + (onlyKey ? " AND outbox_key = ?" : "") + " AND status = ?"
        + " AND due_second <= ? AND (due_second < ? OR due_nano <= ?)"
        + " AND (lease IS NULL OR lease_until_second < ?"
        + " OR (lease_until_second = ? AND lease_until_nano <= ?))"
        + (after ? " AND due_second >= ? AND (due_second > ? OR due_nano > ?"
            + " OR (due_nano = ? AND outbox_key > ?))" : "")
        + (onlyKey ? ""
            : orderBy(d, "workspace, status, ", "due_second, due_nano, outbox_key") + " LIMIT ?")
        + (lock ? " FOR UPDATE SKIP LOCKED" : "");
  }

  /** Binds what {@link #claimableSql} asks for, from the first parameter. */
  private void bindClaimable(PreparedStatement p, @Nullable String key, Instant now,
      @Nullable OutboxEntry after, int limit) throws SQLException {
    int i = 1;
    p.setString(i++, ws);
    if (key != null) {
      p.setString(i++, key);
    }
    p.setString(i++, OutboxEntry.Status.PENDING.name());
    p.setLong(i++, now.getEpochSecond());
    p.setLong(i++, now.getEpochSecond());
    p.setInt(i++, now.getNano());
    p.setLong(i++, now.getEpochSecond());
    p.setLong(i++, now.getEpochSecond());
    p.setInt(i++, now.getNano());
    if (after != null) {
      p.setLong(i++, after.dueAt().getEpochSecond());
      p.setLong(i++, after.dueAt().getEpochSecond());
      p.setInt(i++, after.dueAt().getNano());
      p.setInt(i++, after.dueAt().getNano());
      p.setString(i++, after.key());
    }
    if (key == null) {
      p.setInt(i, limit);
    }
  }

  /**
   * Claims up to {@code limit} entries in this transaction, which the caller commits: locks the
   * claimable rows, skipping those other transactions hold, and sets their lease. Returns them
   * in claim order, as stored.
   *
   * <p>PostgreSQL and MariaDB lock just the rows the ordered, limited query returns, in one
   * statement. H2 locks every row that matches a locking query's condition, whatever its
   * {@code LIMIT}, so there one claim would lock all due entries and leave concurrent claims
   * nothing: on H2 the claimable rows are read without locks a page at a time, and each is then
   * locked by a point query (skipped when another transaction holds it), which H2 evaluates
   * again on the row's newest version.
   */
  List<OutboxEntry> claimOutbox(Instant now, String lease, Instant leaseUntil, int limit) {
    List<OutboxEntry> locked = dialect == Dialect.H2
        ? lockClaimableOneByOne(now, limit)
        : query("claiming outbox entries", claimableSql(dialect, false, false, true),
            p -> bindClaimable(p, null, now, null, limit), this::outboxEntry);
    List<OutboxEntry> out = new ArrayList<>(locked.size());
    for (OutboxEntry e : locked) {
      out.add(e.claimed(lease, leaseUntil));
    }
    // PostgreSQL may return rows that another claim changed meanwhile out of order.
    out.sort(Comparator.comparing(OutboxEntry::dueAt).thenComparing(OutboxEntry::key));
    batch("claiming outbox entries",
        "UPDATE cdp_outbox SET lease = ?, lease_until_second = ?, lease_until_nano = ?"
            + " WHERE workspace = ? AND outbox_key = ?",
        out, (p, e) -> {
          p.setString(1, lease);
          p.setLong(2, leaseUntil.getEpochSecond());
          p.setInt(3, leaseUntil.getNano());
          p.setString(4, ws);
          p.setString(5, e.key());
        });
    return out;
  }

  /** Candidates read per page on H2, beyond the limit, for those other claims hold. */
  private static final int EXTRA_CANDIDATES = 16;

  private List<OutboxEntry> lockClaimableOneByOne(Instant now, int limit) {
    int fetch = (int) Math.min(Integer.MAX_VALUE, (long) limit + EXTRA_CANDIDATES);
    List<OutboxEntry> out = new ArrayList<>();
    OutboxEntry after = null;
    while (out.size() < limit) {
      OutboxEntry cursor = after;
      List<OutboxEntry> candidates = query("reading claimable outbox entries",
          claimableSql(dialect, cursor != null, false, false),
          p -> bindClaimable(p, null, now, cursor, fetch), this::outboxEntry);
      for (OutboxEntry c : candidates) {
        if (out.size() == limit) {
          break;
        }
        first(query("claiming an outbox entry", claimableSql(dialect, false, true, true),
            p -> bindClaimable(p, c.key(), now, null, 1), this::outboxEntry))
            .ifPresent(out::add);
      }
      if (candidates.size() < fetch) {
        break;
      }
      after = candidates.get(candidates.size() - 1);
    }
    return out;
  }

  // ------------------------------------------------------------------ delivery history

  /** A profile's delivery history, by time then id. */
  List<Delivery> deliveries(ProfileId profile) {
    return query("reading the delivery history",
        "SELECT delivery_id, at_second, at_nano, rule_name, channel, outbox_key, attempt,"
            + " outcome, reason, detail FROM cdp_deliveries WHERE workspace = ?"
            + " AND profile_id = ? ORDER BY workspace, profile_id, at_second, at_nano,"
            + " delivery_id",
        p -> {
          p.setString(1, ws);
          p.setString(2, profile.value());
        },
        rs -> new Delivery(rs.getString(1), profile, instant(rs, 2), rs.getString(4),
            rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8),
            revealNullable(DELIVERY_REASON, rs.getString(9)),
            pii.reveal(ws, DELIVERY_DETAIL, rs.getString(10))));
  }

  void upsertDeliveries(Collection<Delivery> deliveries) {
    if (deliveries.isEmpty()) {
      return; // without making the lambda below, whose type names a class of cdp-activation-spi
    }
    batch("storing the delivery history",
        dialect.upsert("cdp_deliveries", List.of("workspace", "delivery_id"),
            List.of("profile_id", "at_second", "at_nano", "rule_name", "channel", "outbox_key",
                "attempt", "outcome", "reason", "detail")),
        deliveries, (p, d) -> {
          p.setString(1, ws);
          p.setString(2, d.id());
          p.setString(3, d.profile().value());
          p.setLong(4, d.at().getEpochSecond());
          p.setInt(5, d.at().getNano());
          p.setString(6, d.rule());
          p.setString(7, d.channel());
          p.setString(8, d.key());
          p.setInt(9, d.attempt());
          p.setString(10, d.outcome());
          p.setString(11, protectNullable(DELIVERY_REASON, d.reason()));
          p.setString(12, pii.protect(ws, DELIVERY_DETAIL, d.detail()));
        });
  }

  /** Deletes the delivery history of these profiles. */
  void deleteDeliveriesOf(Collection<ProfileId> profiles) {
    batch("deleting the delivery history",
        "DELETE FROM cdp_deliveries WHERE workspace = ? AND profile_id = ?",
        profiles, (p, id) -> {
          p.setString(1, ws);
          p.setString(2, id.value());
        });
  }

  /** Deletes delivery lines by id. */
  void deleteDeliveries(Collection<String> ids) {
    deleteIn("deleting delivery lines", "cdp_deliveries", "delivery_id", ids);
  }

  // ------------------------------------------------------------------ tombstones

  /** Whether the workspace has any tombstone: one probe of the primary key. */
  boolean anyTombstone() {
    return !query("checking for tombstones",
        "SELECT 1 FROM cdp_tombstones WHERE workspace = ? LIMIT 1",
        p -> p.setString(1, ws), rs -> Boolean.TRUE).isEmpty();
  }

  /** The tombstones among these hashes: hash to erasure instant. */
  Map<String, Instant> tombstones(Collection<String> hashes) {
    Map<String, Instant> out = new HashMap<>();
    queryIn("reading tombstones", "t.hash, t.erased_second, t.erased_nano", "cdp_tombstones",
        null, null, "hash", hashes, rs -> out.put(rs.getString(1), instant(rs, 2)));
    return out;
  }

  void upsertTombstones(Map<String, Instant> tombstones) {
    batch("storing tombstones",
        dialect.upsert("cdp_tombstones", List.of("workspace", "hash"),
            List.of("erased_second", "erased_nano")),
        tombstones.entrySet(), (p, e) -> {
          p.setString(1, ws);
          p.setString(2, e.getKey());
          p.setLong(3, e.getValue().getEpochSecond());
          p.setInt(4, e.getValue().getNano());
        });
  }

  // ------------------------------------------------------------------ audit log

  /** The workspace's highest audit seq, 0 when it has none: the end of the primary key. */
  long lastAuditSeq() {
    return first(query("reading the audit log's end",
        "SELECT MAX(seq) FROM cdp_audit WHERE workspace = ?",
        p -> p.setString(1, ws), rs -> rs.getLong(1))).orElse(0L);
  }

  /** The statement of {@link #audit}: a range of the primary key in order. */
  static String auditSql(Dialect d) {
    return "SELECT seq, at_second, at_nano, operation, profile_id, subject, detail"
        + " FROM cdp_audit WHERE workspace = ? AND seq > ?" + orderBy(d, "workspace, ", "seq")
        + " LIMIT ?";
  }

  /** Up to {@code limit} audit entries after {@code afterSeq}, in seq order. */
  List<AuditEntry> audit(long afterSeq, int limit) {
    return query("reading the audit log", auditSql(dialect),
        p -> {
          p.setString(1, ws);
          p.setLong(2, afterSeq);
          p.setInt(3, limit);
        },
        rs -> {
          String profile = rs.getString(5);
          return new AuditEntry(rs.getLong(1), instant(rs, 2), rs.getString(4),
              profile == null ? null : new ProfileId(profile), rs.getString(6),
              pii.reveal(ws, AUDIT_DETAIL, rs.getString(7)));
        });
  }

  /** Appends entries with the seq each already has. */
  void insertAudit(Collection<AuditEntry> entries) {
    batch("appending to the audit log",
        "INSERT INTO cdp_audit (workspace, seq, at_second, at_nano, operation, profile_id,"
            + " subject, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        entries, (p, e) -> {
          p.setString(1, ws);
          p.setLong(2, e.seq());
          p.setLong(3, e.at().getEpochSecond());
          p.setInt(4, e.at().getNano());
          p.setString(5, e.operation());
          p.setString(6, e.profile() == null ? null : e.profile().value());
          p.setString(7, e.subject());
          p.setString(8, pii.protect(ws, AUDIT_DETAIL, e.detail()));
        });
  }

  /** The instant in two columns from {@code column}: epoch seconds, then nanoseconds. */
  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return Instant.ofEpochSecond(rs.getLong(column), rs.getInt(column + 1));
  }

  // ------------------------------------------------------------------ savepoints

  java.sql.Savepoint savepoint() {
    try {
      return c.setSavepoint();
    } catch (SQLException e) {
      throw fail("setting a savepoint", e);
    }
  }

  // ------------------------------------------------------------------ helpers

  private static Map<IdentifierType, List<Identifier>> groupByType(Collection<Identifier> ids) {
    Map<IdentifierType, List<Identifier>> out = new LinkedHashMap<>();
    for (Identifier id : new LinkedHashSet<>(ids)) {
      out.computeIfAbsent(id.type(), t -> new ArrayList<>()).add(id);
    }
    return out;
  }

  private List<String> protectedValues(List<Identifier> ids) {
    List<String> out = new ArrayList<>(ids.size());
    for (Identifier id : ids) {
      out.add(pii.protectKey(ws, id.type().id(), id.value()));
    }
    return out;
  }

  private @Nullable String protectNullable(String column, @Nullable String value) {
    return value == null ? null : pii.protect(ws, column, value);
  }

  private @Nullable String revealNullable(String column, @Nullable String stored) {
    return stored == null ? null : pii.reveal(ws, column, stored);
  }
}
