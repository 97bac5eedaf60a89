package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.storage.jdbc.PiiCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One transaction on one connection, scoped to one workspace. Every statement names the
 * workspace. Writes of a workspace are serialised by the caller (a row lock on
 * {@code cdp_workspaces}), so "look, then insert or update" is free of races and needs no
 * dialect-specific upsert.
 *
 * <p>Not thread-safe.
 */
final class JdbcTx implements WriteTransaction {
  private final Connection c;
  private final String ws;
  private final RecordCodec codec;
  private final PiiCodec pii;

  JdbcTx(Connection c, WorkspaceId ws, RecordCodec codec, PiiCodec pii) {
    this.c = c;
    this.ws = ws.value();
    this.codec = codec;
    this.pii = pii;
  }

  /** A statement failed: no values in the message, only what was being done and the state. */
  static StorageException fail(String what, SQLException e) {
    return new StorageException(what + " failed (SQLState " + e.getSQLState() + ", code "
        + e.getErrorCode() + ")", Dialect.isRetryable(e), e);
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  @FunctionalInterface
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String what, String sql, Binder b, Row<T> row) {
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

  private int update(String what, String sql, Binder b) {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      b.bind(p);
      return p.executeUpdate();
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  /**
   * Updates a row, or inserts it when there is none. Both statements bind the same parameters
   * in the same order. Race-free because the writers of a workspace are serialised.
   */
  private void upsert(String what, String updateSql, String insertSql, Binder b) {
    if (update("updating " + what, updateSql, b) == 0) {
      update("storing " + what, insertSql, b);
    }
  }

  private static <T> Optional<T> first(List<T> l) {
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  // ------------------------------------------------------------------ events

  @Override
  public Optional<StoredEvent> event(String messageId) {
    return first(query("reading an event",
        "SELECT body FROM cdp_events WHERE workspace = ? AND message_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, messageId);
        },
        rs -> codec.readEvent(pii.reveal(rs.getString(1)))));
  }

  @Override
  public List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors) {
    List<StoredEvent> out = new ArrayList<>();
    for (Identifier a : new LinkedHashSet<>(anchors)) {
      out.addAll(query("reading events by identifier",
          "SELECT body FROM cdp_events WHERE workspace = ? AND anchor_type = ?"
              + " AND anchor_value = ?",
          p -> {
            p.setString(1, ws);
            p.setString(2, a.type().id());
            p.setString(3, pii.protectKey(a.value()));
          },
          rs -> codec.readEvent(pii.reveal(rs.getString(1)))));
    }
    out.sort(Comparator.comparing(StoredEvent::key));
    return out;
  }

  @Override
  public boolean insertEvent(StoredEvent e) {
    if (event(e.messageId()).isPresent()) {
      return false;
    }
    update("storing an event",
        "INSERT INTO cdp_events (workspace, message_id, anchor_type, anchor_value, counted_name,"
            + " body) VALUES (?, ?, ?, ?, ?, ?)",
        p -> {
          p.setString(1, ws);
          p.setString(2, e.messageId());
          p.setString(3, e.anchor() == null ? null : e.anchor().type().id());
          p.setString(4, e.anchor() == null ? null : pii.protectKey(e.anchor().value()));
          p.setString(5, e.countedName());
          p.setString(6, pii.protect(codec.writeEvent(e)));
        });
    return true;
  }

  @Override
  public Map<String, Long> eventNameCounts() {
    Map<String, Long> out = new TreeMap<>();
    query("counting events",
        "SELECT counted_name, COUNT(*) FROM cdp_events WHERE workspace = ?"
            + " GROUP BY counted_name",
        p -> p.setString(1, ws),
        rs -> out.put(rs.getString(1), rs.getLong(2)));
    return Map.copyOf(out);
  }

  // ------------------------------------------------------------------ nodes

  private IdentityNode node(ResultSet rs) throws SQLException {
    return new IdentityNode(
        new Identifier(IdentifierType.of(rs.getString(1)), pii.revealKey(rs.getString(2))),
        new ProfileId(rs.getString(3)), rs.getString(4));
  }

  private static final String NODE_COLUMNS = "SELECT id_type, id_value, profile_id, component_id"
      + " FROM cdp_nodes WHERE workspace = ? AND ";

  @Override
  public Optional<IdentityNode> node(Identifier id) {
    return first(query("reading an identity node",
        NODE_COLUMNS + "id_type = ? AND id_value = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, id.type().id());
          p.setString(3, pii.protectKey(id.value()));
        },
        this::node));
  }

  @Override
  public List<IdentityNode> nodesOfProfile(ProfileId profile) {
    return query("reading the nodes of a profile", NODE_COLUMNS + "profile_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, profile.value());
        },
        this::node);
  }

  @Override
  public List<IdentityNode> nodesOfComponent(String component) {
    return query("reading the nodes of a component", NODE_COLUMNS + "component_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, component);
        },
        this::node);
  }

  @Override
  public void putNode(IdentityNode n) {
    Binder b = p -> {
      p.setString(1, n.profile().value());
      p.setString(2, n.component());
      p.setString(3, ws);
      p.setString(4, n.identifier().type().id());
      p.setString(5, pii.protectKey(n.identifier().value()));
    };
    upsert("an identity node", "UPDATE cdp_nodes SET profile_id = ?, component_id = ?"
        + " WHERE workspace = ? AND id_type = ? AND id_value = ?", "INSERT INTO cdp_nodes"
        + " (profile_id, component_id, workspace, id_type, id_value) VALUES (?, ?, ?, ?, ?)", b);
  }

  // ------------------------------------------------------------------ components and links

  @Override
  public Optional<ComponentRecord> component(String id) {
    return first(query("reading a component",
        "SELECT body FROM cdp_components WHERE workspace = ? AND id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, id);
        },
        rs -> codec.readComponent(pii.reveal(rs.getString(1)))));
  }

  @Override
  public void putComponent(ComponentRecord r) {
    Binder b = p -> {
      p.setString(1, pii.protect(codec.writeComponent(r)));
      p.setString(2, ws);
      p.setString(3, r.id());
    };
    upsert("a component", "UPDATE cdp_components SET body = ? WHERE workspace = ? AND id = ?",
        "INSERT INTO cdp_components (body, workspace, id) VALUES (?, ?, ?)", b);
  }

  @Override
  public void deleteComponent(String id) {
    update("deleting a component", "DELETE FROM cdp_components WHERE workspace = ? AND id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, id);
        });
  }

  @Override
  public List<Link> links(String component) {
    return query("reading links",
        "SELECT body FROM cdp_links WHERE workspace = ? AND component_id = ? ORDER BY seq",
        p -> {
          p.setString(1, ws);
          p.setString(2, component);
        },
        rs -> codec.readLink(pii.reveal(rs.getString(1))));
  }

  @Override
  public void addLink(String component, Link link) {
    update("storing a link",
        "INSERT INTO cdp_links (workspace, component_id, body) VALUES (?, ?, ?)",
        p -> {
          p.setString(1, ws);
          p.setString(2, component);
          p.setString(3, pii.protect(codec.writeLink(link)));
        });
  }

  @Override
  public void moveLinks(String from, String to) {
    if (from.equals(to)) {
      return;
    }
    update("moving links",
        "UPDATE cdp_links SET component_id = ? WHERE workspace = ? AND component_id = ?",
        p -> {
          p.setString(1, to);
          p.setString(2, ws);
          p.setString(3, from);
        });
  }

  // ------------------------------------------------------------------ profiles

  @Override
  public Optional<ProfileRecord> profile(ProfileId id) {
    return first(query("reading a profile",
        "SELECT body FROM cdp_profiles WHERE workspace = ? AND id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, id.value());
        },
        rs -> codec.readProfile(pii.reveal(rs.getString(1)))));
  }

  @Override
  public void putProfile(ProfileRecord r) {
    Binder b = p -> {
      p.setLong(1, r.version());
      p.setString(2, pii.protect(codec.writeProfile(r)));
      p.setString(3, ws);
      p.setString(4, r.id().value());
    };
    upsert("a profile", "UPDATE cdp_profiles SET version = ?, body = ?"
        + " WHERE workspace = ? AND id = ?",
        "INSERT INTO cdp_profiles (version, body, workspace, id) VALUES (?, ?, ?, ?)", b);
  }

  @Override
  public void deleteProfile(ProfileId id) {
    update("deleting a profile", "DELETE FROM cdp_profiles WHERE workspace = ? AND id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, id.value());
        });
  }

  @Override
  public Optional<ProfileId> redirect(ProfileId mergedAway) {
    return first(query("reading a redirect",
        "SELECT to_id FROM cdp_redirects WHERE workspace = ? AND from_id = ?",
        p -> {
          p.setString(1, ws);
          p.setString(2, mergedAway.value());
        },
        rs -> new ProfileId(rs.getString(1))));
  }

  @Override
  public void putRedirect(ProfileId from, ProfileId to) {
    Binder b = p -> {
      p.setString(1, to.value());
      p.setString(2, ws);
      p.setString(3, from.value());
    };
    upsert("a redirect", "UPDATE cdp_redirects SET to_id = ? WHERE workspace = ? AND from_id = ?",
        "INSERT INTO cdp_redirects (to_id, workspace, from_id) VALUES (?, ?, ?)", b);
  }

  // ------------------------------------------------------------------ ledger

  @Override
  public List<LedgerEntry> ledger(ProfileId profile) {
    return query("reading the ledger",
        "SELECT body FROM cdp_ledger WHERE workspace = ? AND (profile_id = ? OR other_id = ?)"
            + " ORDER BY seq",
        p -> {
          p.setString(1, ws);
          p.setString(2, profile.value());
          p.setString(3, profile.value());
        },
        rs -> codec.readLedger(pii.reveal(rs.getString(1))));
  }

  @Override
  public void appendLedger(LedgerEntry e) {
    update("appending to the ledger",
        "INSERT INTO cdp_ledger (workspace, profile_id, other_id, body) VALUES (?, ?, ?, ?)",
        p -> {
          p.setString(1, ws);
          p.setString(2, e.profile().value());
          p.setString(3, e.other() == null ? null : e.other().value());
          p.setString(4, pii.protect(codec.writeLedger(e)));
        });
  }

  // ------------------------------------------------------------------ savepoints

  private record Point(java.sql.Savepoint sp) implements Savepoint {}

  @Override
  public Savepoint savepoint() {
    try {
      return new Point(c.setSavepoint());
    } catch (SQLException e) {
      throw fail("setting a savepoint", e);
    }
  }

  @Override
  public void rollbackTo(Savepoint savepoint) {
    if (!(savepoint instanceof Point p)) {
      throw new IllegalArgumentException("savepoint of another store");
    }
    try {
      c.rollback(p.sp());
    } catch (SQLException e) {
      throw fail("rolling back to a savepoint", e);
    }
  }
}
