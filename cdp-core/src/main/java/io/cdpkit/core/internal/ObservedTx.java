package io.cdpkit.core.internal;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.extension.ProfileChange;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A write transaction that notes which profiles are written, with each one's record before the
 * first write since the last {@link #drain()}, so observers can be told what changed.
 *
 * <p>Not thread-safe, like the transaction it wraps.
 */
final class ObservedTx implements WriteTransaction {
  private final WriteTransaction tx;
  /** Profiles touched since the last drain, with their record before (null: new). */
  private final LinkedHashMap<ProfileId, Optional<ProfileRecord>> before = new LinkedHashMap<>();
  private final Map<ProfileId, ProfileId> redirects = new HashMap<>();
  /** Ledger entries of kind MERGED and UNMERGED written since the last drain. */
  private int merged;
  private int unmerged;

  ObservedTx(WriteTransaction tx) {
    this.tx = tx;
  }

  WriteTransaction inner() {
    return tx;
  }

  /** The changes since the last drain, each profile once; forgets them. */
  List<ProfileChange> drain() {
    if (before.isEmpty()) {
      return List.of();
    }
    List<ProfileChange> out = new ArrayList<>(before.size());
    for (Map.Entry<ProfileId, Optional<ProfileRecord>> e : before.entrySet()) {
      ProfileRecord b = e.getValue().orElse(null);
      ProfileRecord a = tx.profile(e.getKey()).orElse(null);
      if (a == null && b == null) {
        continue;
      }
      if (a == b) {
        continue;
      }
      out.add(new ProfileChange(e.getKey(), b, a, a == null ? redirects.get(e.getKey()) : null));
    }
    before.clear();
    redirects.clear();
    return out;
  }

  /** Forgets what was noted (after a rollback). */
  void reset() {
    before.clear();
    redirects.clear();
    merged = 0;
    unmerged = 0;
  }

  /** The MERGED ledger entries written since the last call; forgets them. */
  int drainMerged() {
    int n = merged;
    merged = 0;
    return n;
  }

  /** The UNMERGED ledger entries written since the last call; forgets them. */
  int drainUnmerged() {
    int n = unmerged;
    unmerged = 0;
    return n;
  }

  private void touch(ProfileId id) {
    if (!before.containsKey(id)) {
      before.put(id, tx.profile(id));
    }
  }

  @Override
  public void putProfile(ProfileRecord profile) {
    touch(profile.id());
    tx.putProfile(profile);
  }

  @Override
  public void deleteProfile(ProfileId id) {
    touch(id);
    tx.deleteProfile(id);
  }

  @Override
  public void putRedirect(ProfileId from, ProfileId to) {
    redirects.put(from, to);
    tx.putRedirect(from, to);
  }

  // ------------------------------------------------------------ delegated as they are

  /**
   * The wrapped transaction's capability: what is written through it is not observed (no
   * capability writes a profile record).
   */
  @Override
  public <C> Optional<C> capability(Class<C> type) {
    return tx.capability(type);
  }

  @Override
  public void prefetch(Collection<String> messageIds, Collection<Identifier> identifiers) {
    tx.prefetch(messageIds, identifiers);
  }

  @Override
  public boolean insertEvent(StoredEvent event) {
    return tx.insertEvent(event);
  }

  @Override
  public void putNode(IdentityNode node) {
    tx.putNode(node);
  }

  @Override
  public void putComponent(ComponentRecord component) {
    tx.putComponent(component);
  }

  @Override
  public void deleteComponent(String id) {
    tx.deleteComponent(id);
  }

  @Override
  public void addLink(String component, Link link) {
    tx.addLink(component, link);
  }

  @Override
  public void moveLinks(String from, String to) {
    tx.moveLinks(from, to);
  }

  @Override
  public void appendLedger(LedgerEntry entry) {
    tx.appendLedger(entry);
    if (entry.kind() == LedgerEntry.Kind.MERGED) {
      merged++;
    } else if (entry.kind() == LedgerEntry.Kind.UNMERGED) {
      unmerged++;
    }
  }

  @Override
  public Savepoint savepoint() {
    return tx.savepoint();
  }

  @Override
  public void rollbackTo(Savepoint savepoint) {
    tx.rollbackTo(savepoint);
  }

  @Override
  public RuntimeException inconsistentRead(String what) {
    return tx.inconsistentRead(what);
  }

  @Override
  public Optional<StoredEvent> event(String messageId) {
    return tx.event(messageId);
  }

  @Override
  public List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors) {
    return tx.eventsByAnchors(anchors);
  }

  @Override
  public Optional<IdentityNode> node(Identifier identifier) {
    return tx.node(identifier);
  }

  @Override
  public List<IdentityNode> nodesOfProfile(ProfileId profile) {
    return tx.nodesOfProfile(profile);
  }

  @Override
  public List<IdentityNode> nodesOfComponent(String component) {
    return tx.nodesOfComponent(component);
  }

  @Override
  public Optional<ComponentRecord> component(String id) {
    return tx.component(id);
  }

  @Override
  public List<Link> links(String component) {
    return tx.links(component);
  }

  @Override
  public Optional<ProfileRecord> profile(ProfileId id) {
    return tx.profile(id);
  }

  @Override
  public Optional<ProfileId> redirect(ProfileId mergedAway) {
    return tx.redirect(mergedAway);
  }

  @Override
  public List<LedgerEntry> ledger(ProfileId profile) {
    return tx.ledger(profile);
  }

  @Override
  public Map<String, Long> eventNameCounts() {
    return tx.eventNameCounts();
  }

  @Override
  public List<ProfileRecord> profilesAfter(@Nullable ProfileId after, int limit) {
    return tx.profilesAfter(after, limit);
  }

  @Override
  public Map<String, StoredEvent> events(Collection<String> messageIds) {
    return tx.events(messageIds);
  }

  @Override
  public List<ProfileId> redirectsTo(ProfileId to) {
    return tx.redirectsTo(to);
  }
}
