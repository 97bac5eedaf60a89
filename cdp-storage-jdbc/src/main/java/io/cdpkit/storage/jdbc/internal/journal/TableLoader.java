package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.storage.jdbc.PiiCodec;
import io.cdpkit.storage.jdbc.internal.Dialect;
import io.cdpkit.storage.jdbc.internal.JdbcStoreEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Copies what the JDBC store's tables (schema version 6, see {@code Schema}) hold for one
 * workspace into a write transaction of another store, through the storage SPI and its
 * capabilities: the journaled H2 store loads its tables into the in-memory store this way when
 * it opens.
 *
 * <p>Each table is read a page at a time ({@value #PAGE} rows), in the order of its primary key
 * or of an index that starts with the workspace, by keyset: a page starts where the last one
 * ended, with an equality on every leading column but the last and a range on the last, so
 * every page is one range of an index and a whole table is never held in memory. The target's
 * writes are made in the order that makes its reads answer as the tables do:
 *
 * <ul>
 *   <li>the audit log in seq order, and each entry must land at its stored seq (a store numbers
 *       appended entries itself, densely from 1): a gap, or a target that holds entries
 *       already, is an error;
 *   <li>the ledger in the order it was written (its seq), so that each profile's entries come
 *       back in that order on either side;
 *   <li>the links of each component in the order they were stored (their seq), which is the
 *       order the JDBC store reads them in, also after links were moved between components;
 *   <li>components and profiles before nodes, nodes before links, so that the target can share
 *       what it already holds.
 * </ul>
 *
 * <p>The event-name counts come out as the table's: a count of the events there. The metadata key
 * {@value #STORE_KEY} is the row layout's own note and is not copied; every other key is,
 * whatever its prefix.
 *
 * <p>Segmentation's memberships and scheduled checks go through its {@code SegmentStorage},
 * activation's outbox and delivery history through its {@code OutboxStorage}. Those modules are
 * optional: a class of theirs is loaded only when the workspace has rows in their tables (so a
 * host without them loads none), and such rows when the target lacks the capability, or the
 * module is missing, are an error naming the table.
 *
 * <p>The statements read what {@code c} sees; for a consistent copy, run no writer meanwhile
 * or give a connection in a transaction that sees one snapshot. The connection's transaction
 * and settings are left as they are.
 *
 * <p>Stateless; thread-safe (each call uses only its arguments).
 */
public final class TableLoader {
  /** Rows per page. */
  static final int PAGE = 1000;

  /**
   * The one metadata key the H2 row layout writes for itself (an erasure's note for the file's
   * rewrite, see {@code H2FileCompaction}); never copied.
   */
  public static final String STORE_KEY = "cdp.store.compaction-pending";

  /** Every table that holds rows of a workspace, in a workspace-leading index order. */
  static final List<String> WORKSPACE_TABLES = List.of("cdp_workspaces", "cdp_events",
      "cdp_nodes", "cdp_components", "cdp_links", "cdp_profiles", "cdp_profile_orders", "cdp_redirects", "cdp_ledger",
      "cdp_metadata", "cdp_memberships", "cdp_checks", "cdp_outbox", "cdp_deliveries",
      "cdp_tombstones", "cdp_audit");

  // The columns that pass through the PiiCodec, named as the store names their place.
  static final String EVENT_BODY = "cdp_events.body";
  static final String NODE_SECRET = "cdp_nodes.id_secret";
  static final String COMPONENT_BODY = "cdp_components.body";
  static final String LINK_BODY = "cdp_links.body";
  static final String PROFILE_BODY = "cdp_profiles.body";
  static final String ORDER_BODY = "cdp_profile_orders.body";
  static final String LEDGER_BODY = "cdp_ledger.body";
  static final String METADATA_VALUE = "cdp_metadata.meta_value";
  static final String AUDIT_DETAIL = "cdp_audit.detail";

  private TableLoader() {}

  /**
   * Every workspace that has a row in {@code cdp_workspaces} or in any table of a workspace's
   * records, sorted by id.
   *
   * @throws SQLException when a statement fails
   */
  public static List<WorkspaceId> workspaces(Connection c) throws SQLException {
    TreeSet<String> found = new TreeSet<>();
    for (String table : WORKSPACE_TABLES) {
      try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT workspace FROM " + table);
          ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getString(1));
        }
      }
    }
    List<WorkspaceId> out = new ArrayList<>(found.size());
    for (String ws : found) {
      out.add(WorkspaceId.of(ws));
    }
    return out;
  }

  /**
   * Copies everything the tables hold for {@code ws} into {@code target}, a write transaction
   * of another store that holds nothing of that workspace yet (see the class documentation for
   * the order). Values are revealed with {@code pii}, the codec the store wrote them with.
   *
   * @throws StorageException when a statement fails, a value does not decode, a module's table
   *     has rows the target cannot take, or the audit log's numbering cannot be reproduced
   * @throws IllegalStateException when the target already holds an event or an outbox entry
   *     this would copy
   */
  public static void load(Connection c, PiiCodec pii, WorkspaceId ws, WriteTransaction target) {
    load(c, pii, ws, target, PAGE);
  }

  /**
   * As {@link #load(Connection, PiiCodec, WorkspaceId, WriteTransaction)}, in pages of this
   * size.
   */
  static void load(Connection c, PiiCodec pii, WorkspaceId ws, WriteTransaction target,
      int pageSize) {
    Objects.requireNonNull(c, "c");
    Objects.requireNonNull(pii, "pii");
    Objects.requireNonNull(ws, "ws");
    Objects.requireNonNull(target, "target");
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, was " + pageSize);
    }
    Dialect dialect;
    try {
      dialect = Dialect.of(c);
    } catch (SQLException e) {
      throw JdbcStoreEngine.failure("loading a workspace", e);
    }
    new Run(c, dialect, pii, ws.value(), target, pageSize).all();
  }

  /** Reads one row of a table and writes what it holds into the target. */
  @FunctionalInterface
  interface RowSink {
    void accept(ResultSet rs) throws SQLException;
  }

  /** One load: its arguments and the capabilities opened so far. */
  static final class Run {
    private final Connection c;
    private final Dialect dialect;
    private final PiiCodec pii;
    private final String ws;
    private final WriteTransaction target;
    private final int pageSize;
    private final RecordCodec codec = RecordCodec.create();
    /** Segmentation's and activation's writers, once a table of theirs had a row. */
    private ModuleTables.@Nullable Segments segments;
    private ModuleTables.@Nullable Outbox outbox;

    Run(Connection c, Dialect dialect, PiiCodec pii, String ws, WriteTransaction target,
        int pageSize) {
      this.c = c;
      this.dialect = dialect;
      this.pii = pii;
      this.ws = ws;
      this.target = target;
      this.pageSize = pageSize;
    }

    void all() {
      MetadataStorage metadata = target.require(MetadataStorage.class);
      PrivacyStorage privacy = target.require(PrivacyStorage.class);

      scan("cdp_metadata", List.of("meta_key"), "meta_value", true, rs -> {
        String key = rs.getString(1);
        if (!key.equals(STORE_KEY)) {
          metadata.putMetadata(key, pii.reveal(ws, METADATA_VALUE, rs.getString(2)));
        }
      });
      scan("cdp_tombstones", List.of("hash"), "erased_second, erased_nano", true,
          rs -> privacy.putTombstone(rs.getString(1), instant(rs, 2)));
      scan("cdp_audit", List.of("seq"), "at_second, at_nano, operation, profile_id, subject,"
          + " detail", true, rs -> {
            long seq = rs.getLong(1);
            String profile = rs.getString(5);
            AuditEntry entry = new AuditEntry(0, instant(rs, 2), rs.getString(4),
                profile == null ? null : new ProfileId(profile), rs.getString(6),
                pii.reveal(ws, AUDIT_DETAIL, rs.getString(7)));
            long at = privacy.appendAudit(entry);
            if (at != seq) {
              throw new StorageException("cdp_audit: the entry numbered " + seq + " landed at "
                  + at + " in the target (a gap in the log, or a target that held entries)",
                  false, null);
            }
          });
      scan("cdp_events", List.of("message_id"), "body", true, rs -> {
        if (!target.insertEvent(codec.readEvent(pii.reveal(ws, EVENT_BODY, rs.getString(2))))) {
          throw new IllegalStateException("cdp_events: the target already holds an event"
              + " this would copy");
        }
      });
      // Each profile's order rows first (read into memory, as the target keeps them), then
      // the heads, each given its orders.
      Map<String, List<Map.Entry<String, ProfileState.OrderEntry>>> orders = new HashMap<>();
      scan("cdp_profile_orders", List.of("profile_id", "order_key"), "body", true,
          rs -> orders.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(codec.readOrder(pii.reveal(ws, ORDER_BODY, rs.getString(3)))));
      scan("cdp_profiles", List.of("id"), "body", true, rs -> {
        RecordCodec.ProfileHead h = codec.readProfileHead(pii.reveal(ws, PROFILE_BODY,
            rs.getString(2)));
        List<Map.Entry<String, ProfileState.OrderEntry>> own =
            orders.remove(h.profile().id().value());
        target.putProfile(h.withOrders(own == null ? List.of() : own));
      });
      if (!orders.isEmpty()) {
        throw new StorageException("cdp_profile_orders: order rows of " + orders.size()
            + " profiles that have no row", false, null);
      }
      scan("cdp_components", List.of("id"), "body", true,
          rs -> target.putComponent(codec.readComponent(pii.reveal(ws, COMPONENT_BODY,
              rs.getString(2)))));
      scan("cdp_nodes", List.of("id_type", "id_value"), "profile_id, component_id, id_secret",
          true, rs -> {
            String type = rs.getString(1);
            String value = pii.keysReversible() ? pii.revealKey(rs.getString(2))
                : pii.reveal(ws, NODE_SECRET, secret(rs.getString(5)));
            target.putNode(new IdentityNode(new Identifier(IdentifierType.of(type), value),
                new ProfileId(rs.getString(3)), rs.getString(4)));
          });
      // Index (workspace, component_id, seq): each component's links in the order stored.
      scan("cdp_links", List.of("component_id", "seq"), "body", true,
          rs -> target.addLink(rs.getString(1),
              codec.readLink(pii.reveal(ws, LINK_BODY, rs.getString(3)))));
      scan("cdp_redirects", List.of("from_id"), "to_id", true,
          rs -> target.putRedirect(new ProfileId(rs.getString(1)),
              new ProfileId(rs.getString(2))));
      // The whole ledger in the order written: its primary key is the seq alone.
      scan("cdp_ledger", List.of("seq"), "body", false,
          rs -> target.appendLedger(codec.readLedger(pii.reveal(ws, LEDGER_BODY,
              rs.getString(2)))));

      scan("cdp_memberships", List.of("segment", "profile_id"), "since_second, since_nano",
          true, rs -> segments("cdp_memberships").membership(rs.getString(1),
              rs.getString(2), instant(rs, 3)));
      scan("cdp_checks", List.of("profile_id"), "at_second, at_nano", true,
          rs -> segments("cdp_checks").check(rs.getString(1), instant(rs, 2)));
      scan("cdp_outbox", List.of("outbox_key"), ModuleTables.Outbox.OUTBOX_COLUMNS, true,
          rs -> outbox("cdp_outbox").entry(rs, ws, pii));
      scan("cdp_deliveries", List.of("delivery_id"), ModuleTables.Outbox.DELIVERY_COLUMNS,
          true, rs -> outbox("cdp_deliveries").delivery(rs, ws, pii));
    }

    /** Segmentation's writer; its classes are loaded here, at a table's first row. */
    private ModuleTables.Segments segments(String table) {
      if (segments == null) {
        segments = ModuleTables.segments(target, table);
      }
      return segments;
    }

    /** Activation's writer; its classes are loaded here, at a table's first row. */
    private ModuleTables.Outbox outbox(String table) {
      if (outbox == null) {
        outbox = ModuleTables.outbox(target, table);
      }
      return outbox;
    }

    /**
     * Feeds every row of {@code table} in this workspace to {@code sink}, a page at a time, in
     * the order of {@code key}: each row's columns are the key's, then {@code columns}.
     * {@code workspaceLeads}: the index read starts with the workspace (on H2 the order then
     * names it, so that the range is read in index order; see {@code Rows.orderBy}).
     */
    private void scan(String table, List<String> key, String columns, boolean workspaceLeads,
        RowSink sink) {
      String select = "SELECT " + String.join(", ", key) + ", " + columns + " FROM " + table
          + " WHERE workspace = ?";
      String order = " ORDER BY " + (workspaceLeads && dialect == Dialect.H2 ? "workspace, " : "")
          + String.join(", ", key) + " LIMIT ?";
      String last = key.get(key.size() - 1);
      // Keyset: the first page; then, with a cursor, the rest of the cursor's leading values
      // (equality on all but the last key column) and then the next leading values (a range on
      // the first key column). Each is one range of the index.
      String first = select + order;
      String sameLead = key.size() == 1 ? null : select + " AND " + key.get(0) + " = ? AND "
          + last + " > ?" + order;
      String nextLead = select + " AND " + key.get(0) + " > ?" + order;
      if (key.size() > 2) {
        throw new IllegalArgumentException("keys of at most two columns");
      }
      try (PreparedStatement pFirst = c.prepareStatement(first);
          PreparedStatement pSame = sameLead == null ? null : c.prepareStatement(sameLead);
          PreparedStatement pNext = c.prepareStatement(nextLead)) {
        pFirst.setString(1, ws);
        pFirst.setInt(2, pageSize);
        Object[] cursor = page(pFirst, key.size(), sink, table);
        while (cursor != null && cursor[0] != null) {
          Object[] next = null;
          if (pSame != null) {
            pSame.setString(1, ws);
            pSame.setObject(2, cursor[0]);
            pSame.setObject(3, cursor[1]);
            pSame.setInt(4, pageSize);
            next = page(pSame, key.size(), sink, table);
            if (next[0] != null) {
              cursor = next; // a full page: more of the same leading value may follow
              continue;
            }
          }
          pNext.setString(1, ws);
          pNext.setObject(2, cursor[0]);
          pNext.setInt(3, pageSize);
          Object[] after = page(pNext, key.size(), sink, table);
          cursor = after;
        }
      } catch (SQLException e) {
        throw JdbcStoreEngine.failure("loading " + table, e);
      }
    }

    /**
     * Runs one page's statement and feeds its rows to the sink.
     *
     * @return the last row's key when the page was full (more may follow), else an array of
     *     nulls
     */
    private Object[] page(PreparedStatement p, int keySize, RowSink sink, String table)
        throws SQLException {
      Object[] lastKey = new Object[keySize];
      int rows = 0;
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          for (int k = 0; k < keySize; k++) {
            lastKey[k] = rs.getObject(k + 1);
          }
          rows++;
          try {
            sink.accept(rs);
          } catch (IllegalArgumentException e) {
            // A record's constructor refused a stored value: its message names the field.
            throw new StorageException(table + ": a row does not make a valid record", false,
                e);
          }
        }
      }
      return rows < pageSize ? new Object[keySize] : lastKey;
    }
  }

  static Instant instant(ResultSet rs, int column) throws SQLException {
    return Instant.ofEpochSecond(rs.getLong(column), rs.getInt(column + 1));
  }

  private static String secret(@Nullable String stored) {
    if (stored == null) {
      throw new StorageException("an identity node has no " + NODE_SECRET + " (written"
          + " without encryption?)", false, null);
    }
    return stored;
  }
}
