package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.core.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema and its versioned migrations. {@link #migrate} runs at start-up: it creates the
 * version table if needed, takes the dialect's migration lock (so two nodes starting at once
 * migrate one after the other), applies every migration newer than the recorded version in
 * order, and refuses to start against a schema newer than this code knows.
 *
 * <p>Every table carries the workspace as the first column of its key or of an index. Columns
 * that hold personal data go through the store's {@code PiiCodec}.
 *
 * <p>Stateless; thread-safe.
 */
public final class Schema {
  private static final Logger LOG = LoggerFactory.getLogger(Schema.class);

  /** Migration {@code i} (0-based) brings the schema to version {@code i + 1}. */
  private static final List<Function<Dialect, List<String>>> MIGRATIONS =
      List.of(Schema::v1, Schema::v2, Schema::v3, Schema::v4, Schema::privacy,
          Schema::encryptionAtRest, Schema::journal, Schema::keyCollation,
          Schema::documentStatistics, Schema::documentCompression, Schema::bareComponents,
          Schema::profileOrders, Schema::eventsInArrivalOrder);

  /** The schema version this code writes. */
  public static final int VERSION = MIGRATIONS.size();

  private Schema() {}

  private static List<String> v1(Dialect d) {
    String o = d.tableOptions();
    String text = d.text();
    return List.of(
        "CREATE TABLE IF NOT EXISTS cdp_workspaces (workspace VARCHAR(64) NOT NULL,"
            + " PRIMARY KEY (workspace))" + o,
        "CREATE TABLE IF NOT EXISTS cdp_events (workspace VARCHAR(64) NOT NULL,"
            + " message_id VARCHAR(200) NOT NULL, anchor_type VARCHAR(32),"
            + " anchor_value VARCHAR(512), counted_name VARCHAR(200) NOT NULL,"
            + " body " + text + " NOT NULL, PRIMARY KEY (workspace, message_id))" + o,
        "CREATE INDEX cdp_events_anchor ON cdp_events (workspace, anchor_type, anchor_value)",
        "CREATE TABLE IF NOT EXISTS cdp_nodes (workspace VARCHAR(64) NOT NULL,"
            + " id_type VARCHAR(32) NOT NULL, id_value VARCHAR(512) NOT NULL,"
            + " profile_id VARCHAR(64) NOT NULL, component_id VARCHAR(64) NOT NULL,"
            + " PRIMARY KEY (workspace, id_type, id_value))" + o,
        "CREATE INDEX cdp_nodes_profile ON cdp_nodes (workspace, profile_id)",
        "CREATE INDEX cdp_nodes_component ON cdp_nodes (workspace, component_id)",
        "CREATE TABLE IF NOT EXISTS cdp_components (workspace VARCHAR(64) NOT NULL,"
            + " id VARCHAR(64) NOT NULL, body " + text + " NOT NULL,"
            + " PRIMARY KEY (workspace, id))" + o,
        "CREATE TABLE IF NOT EXISTS cdp_links (seq " + d.identity() + ","
            + " workspace VARCHAR(64) NOT NULL, component_id VARCHAR(64) NOT NULL,"
            + " body " + text + " NOT NULL, PRIMARY KEY (seq))" + o,
        "CREATE INDEX cdp_links_component ON cdp_links (workspace, component_id, seq)",
        "CREATE TABLE IF NOT EXISTS cdp_profiles (workspace VARCHAR(64) NOT NULL,"
            + " id VARCHAR(64) NOT NULL, version BIGINT NOT NULL, body " + text + " NOT NULL,"
            + " PRIMARY KEY (workspace, id))" + o,
        "CREATE TABLE IF NOT EXISTS cdp_redirects (workspace VARCHAR(64) NOT NULL,"
            + " from_id VARCHAR(64) NOT NULL, to_id VARCHAR(64) NOT NULL,"
            + " PRIMARY KEY (workspace, from_id))" + o,
        "CREATE TABLE IF NOT EXISTS cdp_ledger (seq " + d.identity() + ","
            + " workspace VARCHAR(64) NOT NULL, profile_id VARCHAR(64) NOT NULL,"
            + " other_id VARCHAR(64), body " + text + " NOT NULL, PRIMARY KEY (seq))" + o,
        "CREATE INDEX cdp_ledger_profile ON cdp_ledger (workspace, profile_id, seq)",
        "CREATE INDEX cdp_ledger_other ON cdp_ledger (workspace, other_id, seq)");
  }

  /**
   * The workspace's version: advanced by every write transaction that changed something, read
   * by every transaction to tell whether the caches may serve it (see {@code WorkspaceCache}).
   */
  private static List<String> v2(Dialect d) {
    return List.of(
        "ALTER TABLE cdp_workspaces ADD COLUMN version BIGINT NOT NULL DEFAULT 0");
  }

  /**
   * What extensions keep: metadata (small named texts), segment memberships and scheduled
   * checks. Profile ids are read in key order from here on (scans a page at a time), so on
   * PostgreSQL the profiles' id column moves to the {@code "C"} collation, as the new tables'
   * ids are declared: keys then sort as {@link String#compareTo} sorts them whatever the
   * database's default collation. That rebuilds the profiles' primary key once. Instants are
   * kept as epoch seconds and nanoseconds, exactly, in both order and value.
   */
  private static List<String> v3(Dialect d) {
    String o = d.tableOptions();
    String text = d.text();
    String bin = d.binaryCollation();
    List<String> out = new ArrayList<>();
    if (d == Dialect.POSTGRES) {
      out.add("ALTER TABLE cdp_profiles ALTER COLUMN id TYPE VARCHAR(64)" + bin);
    }
    out.add("CREATE TABLE IF NOT EXISTS cdp_metadata (workspace VARCHAR(64) NOT NULL,"
        + " meta_key VARCHAR(200)" + bin + " NOT NULL, meta_value " + text + " NOT NULL,"
        + " PRIMARY KEY (workspace, meta_key))" + o);
    out.add("CREATE TABLE IF NOT EXISTS cdp_memberships (workspace VARCHAR(64) NOT NULL,"
        + " segment VARCHAR(64)" + bin + " NOT NULL, profile_id VARCHAR(64)" + bin + " NOT NULL,"
        + " since_second BIGINT NOT NULL, since_nano INT NOT NULL,"
        + " PRIMARY KEY (workspace, segment, profile_id))" + o);
    out.add("CREATE INDEX cdp_memberships_profile ON cdp_memberships"
        + " (workspace, profile_id, segment)");
    out.add("CREATE TABLE IF NOT EXISTS cdp_checks (workspace VARCHAR(64) NOT NULL,"
        + " profile_id VARCHAR(64)" + bin + " NOT NULL, at_second BIGINT NOT NULL,"
        + " at_nano INT NOT NULL, PRIMARY KEY (workspace, profile_id))" + o);
    out.add("CREATE INDEX cdp_checks_due ON cdp_checks"
        + " (workspace, at_second, at_nano, profile_id)");
    return out;
  }

  /**
   * The activation outbox and the delivery history. Keys, ids and profile ids sort as
   * {@link String#compareTo} (binary collation), instants are epoch seconds and nanoseconds as in
   * version 3, and the documents (trigger, detail) go through the {@code PiiCodec}. The outbox
   * has an index in claim order (status, due time, key) and one in key order per status, for
   * listing; the history one per profile in time order.
   */
  private static List<String> v4(Dialect d) {
    String o = d.tableOptions();
    String text = d.text();
    String bin = d.binaryCollation();
    return List.of(
        "CREATE TABLE IF NOT EXISTS cdp_outbox (workspace VARCHAR(64) NOT NULL,"
            + " outbox_key VARCHAR(200)" + bin + " NOT NULL, rule_name VARCHAR(64) NOT NULL,"
            + " profile_id VARCHAR(64) NOT NULL, channel VARCHAR(64) NOT NULL,"
            + " decided_second BIGINT NOT NULL, decided_nano INT NOT NULL,"
            + " due_second BIGINT NOT NULL, due_nano INT NOT NULL, attempts INT NOT NULL,"
            + " status VARCHAR(16) NOT NULL, trigger_text " + text + " NOT NULL,"
            + " lease VARCHAR(64), lease_until_second BIGINT, lease_until_nano INT,"
            + " last_error VARCHAR(1000), PRIMARY KEY (workspace, outbox_key))" + o,
        "CREATE INDEX cdp_outbox_due ON cdp_outbox"
            + " (workspace, status, due_second, due_nano, outbox_key)",
        "CREATE INDEX cdp_outbox_status ON cdp_outbox (workspace, status, outbox_key)",
        "CREATE TABLE IF NOT EXISTS cdp_deliveries (workspace VARCHAR(64) NOT NULL,"
            + " delivery_id VARCHAR(200)" + bin + " NOT NULL,"
            + " profile_id VARCHAR(64)" + bin + " NOT NULL,"
            + " at_second BIGINT NOT NULL, at_nano INT NOT NULL, rule_name VARCHAR(64) NOT NULL,"
            + " channel VARCHAR(64) NOT NULL, outbox_key VARCHAR(200) NOT NULL,"
            + " attempt INT NOT NULL, outcome VARCHAR(64) NOT NULL, reason VARCHAR(1000),"
            + " detail " + text + " NOT NULL, PRIMARY KEY (workspace, delivery_id))" + o,
        "CREATE INDEX cdp_deliveries_profile ON cdp_deliveries"
            + " (workspace, profile_id, at_second, at_nano, delivery_id)");
  }

  /**
   * Version 6, encryption at rest (see {@code AesGcmCodec}). Identity nodes get {@code id_secret}, the
   * protected copy of the identifier value, for codecs whose lookup text cannot be reversed (a
   * blind index); it stays null otherwise. The outbox's {@code last_error} and the history's
   * {@code reason} become documents of any length: they pass through the codec now, and a
   * ciphertext of 1,000 characters is longer than 1,000. {@code cdp_codec} records, in its one
   * row, a fingerprint of the codec the data was written with (see {@code CodecGuard}).
   */
  private static List<String> encryptionAtRest(Dialect d) {
    String text = d.text();
    List<String> out = new ArrayList<>();
    out.add("ALTER TABLE cdp_nodes ADD COLUMN id_secret " + text);
    for (String[] column : new String[][] {{"cdp_outbox", "last_error"},
        {"cdp_deliveries", "reason"}}) {
      out.add(switch (d) {
        case H2 -> "ALTER TABLE " + column[0] + " ALTER COLUMN " + column[1]
            + " SET DATA TYPE " + text;
        case POSTGRES -> "ALTER TABLE " + column[0] + " ALTER COLUMN " + column[1] + " TYPE "
            + text;
        case MARIADB -> "ALTER TABLE " + column[0] + " MODIFY " + column[1] + " " + text;
      });
    }
    out.add("CREATE TABLE IF NOT EXISTS cdp_codec (id INT NOT NULL,"
        + " fingerprint VARCHAR(200) NOT NULL, recorded_at VARCHAR(40) NOT NULL,"
        + " PRIMARY KEY (id))" + d.tableOptions());
    return out;
  }

  /**
   * Version 7, the embedded H2 file store's journaled layout (see
   * {@code io.cdpkit.storage.jdbc.internal.journal.JournaledStore}): {@code cdp_journal} has one
   * row per committed write transaction, numbered in commit order, holding the transaction's
   * writes as one binary body ({@code body}), or, when the store's codec protects values, that
   * body protected as text ({@code body_text}); {@code cdp_snapshots} names each workspace's
   * latest snapshot file (in the store's directory: bodies of the same format that rebuild the
   * workspace), its size and the last journal row it covers. The tables are created on every
   * database so that one schema version means one set of tables; only the H2 file store writes
   * them. Code of version 6 refuses a database at version 7, so it cannot open a file whose
   * journal it would not read.
   */
  private static List<String> journal(Dialect d) {
    String binary = switch (d) {
      case H2 -> "VARBINARY(1000000000)";
      case POSTGRES -> "BYTEA";
      case MARIADB -> "LONGBLOB";
    };
    return List.of("CREATE TABLE IF NOT EXISTS cdp_journal (seq BIGINT NOT NULL,"
        + " workspace VARCHAR(64) NOT NULL, body " + binary + ", body_text " + d.text() + ","
        + " PRIMARY KEY (seq))" + d.tableOptions(),
        "CREATE TABLE IF NOT EXISTS cdp_snapshots (workspace VARCHAR(64) NOT NULL,"
        + " covers BIGINT NOT NULL, file_name VARCHAR(200) NOT NULL, bytes BIGINT NOT NULL,"
        + " PRIMARY KEY (workspace))" + d.tableOptions());
  }

  /**
   * Version 8: on PostgreSQL, the columns the write path's indexes compare (messageIds and
   * anchors of events, identifiers of nodes and the profile and component ids they point at,
   * component ids, redirects, ledger sides) move to the {@code "C"} collation, as the profile
   * ids did in version 3 and the later tables' ids were declared. A comparison in the
   * {@code "C"} collation is a byte comparison; in the database's default collation each unequal
   * pair goes through the platform's collation ({@code strcoll}): 3-4% of the server's work on
   * an ingest with an ICU {@code en-US} default, nothing measurable with {@code C.UTF-8} (see
   * BENCHMARKS.md). Equality, which is all these keys are looked up by, is the same in both (the
   * default collations are deterministic). Each statement rebuilds the indexes that hold the
   * column; the table itself is not rewritten. Nothing changes on H2 (which compares strings by
   * code unit) or MariaDB (whose tables are created with a binary collation). Code of version 7
   * refuses a database at version 8.
   */
  private static List<String> keyCollation(Dialect d) {
    if (d != Dialect.POSTGRES) {
      return List.of();
    }
    String c = d.binaryCollation();
    return List.of(
        "ALTER TABLE cdp_events ALTER COLUMN message_id TYPE VARCHAR(200)" + c
            + ", ALTER COLUMN anchor_type TYPE VARCHAR(32)" + c
            + ", ALTER COLUMN anchor_value TYPE VARCHAR(512)" + c,
        "ALTER TABLE cdp_nodes ALTER COLUMN id_type TYPE VARCHAR(32)" + c
            + ", ALTER COLUMN id_value TYPE VARCHAR(512)" + c
            + ", ALTER COLUMN profile_id TYPE VARCHAR(64)" + c
            + ", ALTER COLUMN component_id TYPE VARCHAR(64)" + c,
        "ALTER TABLE cdp_components ALTER COLUMN id TYPE VARCHAR(64)" + c,
        "ALTER TABLE cdp_links ALTER COLUMN component_id TYPE VARCHAR(64)" + c,
        "ALTER TABLE cdp_redirects ALTER COLUMN from_id TYPE VARCHAR(64)" + c
            + ", ALTER COLUMN to_id TYPE VARCHAR(64)" + c,
        "ALTER TABLE cdp_ledger ALTER COLUMN profile_id TYPE VARCHAR(64)" + c
            + ", ALTER COLUMN other_id TYPE VARCHAR(64)" + c);
  }

  /**
   * The columns that hold documents (JSON bodies, protected secrets, error texts), as
   * {@code table.column}: no query compares or sorts them, so planner statistics about them are
   * never used.
   */
  static final List<String> DOCUMENT_COLUMNS = List.of("cdp_events.body", "cdp_nodes.id_secret",
      "cdp_components.body", "cdp_links.body", "cdp_profiles.body", "cdp_ledger.body",
      "cdp_metadata.meta_value", "cdp_outbox.trigger_text", "cdp_outbox.last_error",
      "cdp_deliveries.reason", "cdp_deliveries.detail", "cdp_audit.detail",
      "cdp_journal.body_text");

  /**
   * Version 9: on PostgreSQL, {@code ANALYZE} no longer gathers statistics on the columns that
   * hold documents ({@link #DOCUMENT_COLUMNS}, statistics target 0). Their statistics served no
   * plan, and collecting them (reading and often decompressing every sampled body) was about a
   * quarter of each {@code ANALYZE} of the store's tables, whether autovacuum or the store's own
   * statistics keeper ran it (see BENCHMARKS.md). Setting a target takes a lock that does not
   * block reads or writes, and rewrites nothing. Nothing changes on H2 or MariaDB but the version
   * number. Code of version 8 refuses a database at version 9.
   */
  private static List<String> documentStatistics(Dialect d) {
    if (d != Dialect.POSTGRES) {
      return List.of();
    }
    return perTable(DOCUMENT_COLUMNS, c -> "ALTER COLUMN " + c + " SET STATISTICS 0");
  }

  /**
   * Version 10: on PostgreSQL 14 and later, the columns that hold documents
   * ({@link #DOCUMENT_COLUMNS}) compress their large values with LZ4 instead of PostgreSQL's own
   * {@code pglz}. Values over about 2 kB are compressed when written and decompressed when read
   * (a customer's profile with its orders, an order event with its lines); LZ4 does both with a
   * fraction of the CPU, for a little more space. Values already stored stay as they are and are
   * read as before. The statement changes the catalog only, but takes each table's exclusive lock
   * for that moment, so at the first start of this version it waits for transactions already
   * running on those tables. On PostgreSQL 13, or a server built without LZ4, the statement is
   * refused and skipped ({@link #optionalRefused}): nothing changes there but the version number,
   * as on H2 and MariaDB. Code of version 9 refuses a database at version 10.
   */
  private static List<String> documentCompression(Dialect d) {
    if (d != Dialect.POSTGRES) {
      return List.of();
    }
    return perTable(DOCUMENT_COLUMNS, c -> "ALTER COLUMN " + c + " SET COMPRESSION lz4");
  }

  /**
   * Version 11 changes no table: from it on, a component without links and do-not-link rules
   * (a new visitor's) has no row in {@code cdp_components}, and code of version 10 would take
   * the node of such a visitor for one whose component was deleted under it. The version alone
   * makes that code refuse the database.
   */
  private static List<String> bareComponents(Dialect d) {
    return List.of();
  }

  /**
   * Version 12: a profile's orders in rows of their own, {@code cdp_profile_orders}, one per
   * order id (its refunds inside), keyed by the profile and a hash of the codec's lookup text of
   * the order id (so no order id is stored in clear where the store encrypts, and the key has one
   * length). The profile's row keeps a head: everything but its orders, and their number. A
   * commit then writes the rows of the orders it added or changed, not every order of the
   * customer again: a customer with hundreds of orders cost each of its writes hundreds of
   * entries to encode and log. Rows written by earlier versions, which hold their orders
   * themselves, are read as they are; the first write of such a profile moves its orders into
   * rows. No row is rewritten at start-up. On PostgreSQL the body gets no planner statistics,
   * and compresses with LZ4 where the server can, as the other documents
   * ({@link #documentStatistics}, {@link #documentCompression}). Code of version 11 refuses a
   * database at version 12 (it would read a head as a profile without orders).
   */
  private static List<String> profileOrders(Dialect d) {
    String bin = d.binaryCollation();
    List<String> out = new ArrayList<>();
    out.add("CREATE TABLE IF NOT EXISTS cdp_profile_orders (workspace VARCHAR(64) NOT NULL,"
        + " profile_id VARCHAR(64)" + bin + " NOT NULL, order_key VARCHAR(64)" + bin
        + " NOT NULL, body " + d.text() + " NOT NULL,"
        + " PRIMARY KEY (workspace, profile_id, order_key))" + d.tableOptions());
    if (d == Dialect.POSTGRES) {
      out.add("ALTER TABLE cdp_profile_orders ALTER COLUMN body SET STATISTICS 0");
      out.add("ALTER TABLE cdp_profile_orders ALTER COLUMN body SET COMPRESSION lz4");
    }
    return out;
  }

  /**
   * Version 13: on MariaDB, {@code cdp_events} is kept in the order events arrive. InnoDB stores
   * a table in the order of its primary key, and the events' key was the workspace and the
   * messageId, which senders draw at random: every insert went to a random page of the largest
   * table, and once that table outgrew the buffer pool (128 MB by default) most inserts read a
   * page from disk first. The rate of a store fell from about 7,500 to 3,000 events/s within
   * 300,000 events with the default pool (see BENCHMARKS.md). The key is now a number the server
   * counts up ({@code seq}), so inserts append to the table's last page, and the messageId is
   * unique through an index of its own ({@code cdp_events_message}), whose entries are a small
   * part of a row. The statement copies the table once, at the first start of this version, and
   * blocks writes to it meanwhile (9 s for a million
   * events of 500-byte documents on the benchmark machine). Nothing changes on H2 and
   * PostgreSQL, whose tables are not kept in key order, but the version number. Code of version
   * 12 refuses a database at version 13.
   */
  private static List<String> eventsInArrivalOrder(Dialect d) {
    if (d != Dialect.MARIADB) {
      return List.of();
    }
    return List.of("ALTER TABLE cdp_events ADD COLUMN seq BIGINT NOT NULL AUTO_INCREMENT,"
        + " DROP PRIMARY KEY, ADD PRIMARY KEY (seq),"
        + " ADD UNIQUE INDEX cdp_events_message (workspace, message_id)");
  }

  /** One {@code ALTER TABLE} per table of {@code columns} (table.column), each column's clause. */
  private static List<String> perTable(List<String> columns, Function<String, String> clause) {
    Map<String, List<String>> byTable = new LinkedHashMap<>();
    for (String column : columns) {
      String[] tc = column.split("\\.");
      byTable.computeIfAbsent(tc[0], t -> new ArrayList<>()).add(clause.apply(tc[1]));
    }
    List<String> out = new ArrayList<>();
    byTable.forEach((table, clauses) ->
        out.add("ALTER TABLE " + table + " " + String.join(", ", clauses)));
    return out;
  }

  /**
   * Version 5, for privacy operations: erasure tombstones and the audit log, and the indexes
   * that erasure's reads need. A tombstone is the keyed hash of an erased identifier (not
   * personal data; binary collation) with the instant of the latest erasure as epoch seconds and
   * nanoseconds, as in version 3. The audit log is numbered per workspace by the store (under the
   * workspace's lock, so in commit order, without gaps), its key is the workspace and that
   * number, and its detail document goes through the {@code PiiCodec}. Redirects get an index by
   * target ({@code redirectsTo}) and the outbox one by profile ({@code outboxOfProfile}); the
   * ledger has one by either side since version 1, the delivery history one by profile since
   * version 4.
   */
  private static List<String> privacy(Dialect d) {
    String o = d.tableOptions();
    String text = d.text();
    String bin = d.binaryCollation();
    return List.of(
        "CREATE TABLE IF NOT EXISTS cdp_tombstones (workspace VARCHAR(64) NOT NULL,"
            + " hash VARCHAR(200)" + bin + " NOT NULL, erased_second BIGINT NOT NULL,"
            + " erased_nano INT NOT NULL, PRIMARY KEY (workspace, hash))" + o,
        "CREATE TABLE IF NOT EXISTS cdp_audit (workspace VARCHAR(64) NOT NULL,"
            + " seq BIGINT NOT NULL, at_second BIGINT NOT NULL, at_nano INT NOT NULL,"
            + " operation VARCHAR(64) NOT NULL, profile_id VARCHAR(64), subject VARCHAR(200),"
            + " detail " + text + " NOT NULL, PRIMARY KEY (workspace, seq))" + o,
        "CREATE INDEX cdp_redirects_to ON cdp_redirects (workspace, to_id, from_id)",
        "CREATE INDEX cdp_outbox_profile ON cdp_outbox (workspace, profile_id, outbox_key)");
  }

  /**
   * Brings the schema to {@link #VERSION}.
   *
   * @throws StorageException when the schema is newer than this code, or a migration fails
   */
  public static void migrate(Connection c, Dialect d) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(true);
    // The lock first: two CREATE TABLE IF NOT EXISTS racing on PostgreSQL can fail (23505 on
    // pg_type), so even the version table is created under it.
    d.lockMigrations(c);
    try {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS cdp_schema_version (id INT NOT NULL,"
            + " version INT NOT NULL, applied_at VARCHAR(40) NOT NULL, PRIMARY KEY (id))"
            + d.tableOptions());
      }
      int current = currentVersion(c);
      if (current > VERSION) {
        throw new StorageException("the database schema is at version " + current
            + ", newer than this code knows (" + VERSION + "); upgrade CDPKit", false, null);
      }
      for (int v = current + 1; v <= VERSION; v++) {
        for (String sql : MIGRATIONS.get(v - 1).apply(d)) {
          try (Statement s = c.createStatement()) {
            s.execute(sql);
          } catch (SQLException e) {
            // An optional feature the server lacks is skipped. CREATE INDEX and ADD COLUMN have
            // no IF NOT EXISTS everywhere: a half-applied migration that already made the index
            // or the column is fine.
            if (optionalRefused(sql, e)) {
              LOG.info("CDPKit schema {}: the server does not support {} (SQLState {});"
                  + " skipped, nothing else changes", v, sql, e.getSQLState());
            } else if (!alreadyApplied(sql, e)) {
              throw e;
            }
          }
        }
        setVersion(c, v, current);
        LOG.info("CDPKit schema migrated to version {}", v);
      }
    } finally {
      d.unlockMigrations(c);
      c.setAutoCommit(autoCommit);
    }
  }

  private static boolean alreadyApplied(String sql, SQLException e) {
    String state = e.getSQLState();
    int code = e.getErrorCode();
    if (sql.startsWith("CREATE INDEX")) {
      // PostgreSQL 42P07 duplicate relation; H2 42111 index exists; MariaDB 1061 duplicate key
      return "42P07".equals(state) || "42S11".equals(state) || code == 1061 || code == 42111;
    }
    if (sql.contains(" ADD COLUMN ")) {
      // PostgreSQL 42701 duplicate column; H2 42121 duplicate column; MariaDB 1060
      return "42701".equals(state) || "42S21".equals(state) || code == 1060 || code == 42121;
    }
    return false;
  }

  /**
   * Whether {@code sql} is an optional statement that the server refused for want of the
   * feature: LZ4 compression of a column, which PostgreSQL 13 does not parse ({@code 42601}) and
   * a server built without LZ4 does not support ({@code 0A000}).
   */
  static boolean optionalRefused(String sql, SQLException e) {
    return sql.contains(" SET COMPRESSION lz4")
        && ("42601".equals(e.getSQLState()) || "0A000".equals(e.getSQLState()));
  }

  static int currentVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version FROM cdp_schema_version WHERE id = 1")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static void setVersion(Connection c, int v, int before) throws SQLException {
    String sql = before == 0 && v == 1
        ? "INSERT INTO cdp_schema_version (version, applied_at, id) VALUES (?, ?, 1)"
        : "UPDATE cdp_schema_version SET version = ?, applied_at = ? WHERE id = 1";
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setInt(1, v);
      p.setString(2, Instant.now().toString());
      p.executeUpdate();
    }
  }
}
