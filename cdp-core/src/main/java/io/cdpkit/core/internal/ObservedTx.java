package io.cdpkit.core.internal;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.extension.ProfileChange;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.Delivery;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.Membership;
import io.cdpkit.core.spi.storage.OutboxEntry;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.ScheduledCheck;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
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
  }

  @Override
  public void putMetadata(String key, String value) {
    tx.putMetadata(key, value);
  }

  @Override
  public void deleteMetadata(String key) {
    tx.deleteMetadata(key);
  }

  @Override
  public void putMembership(Membership membership) {
    tx.putMembership(membership);
  }

  @Override
  public void deleteMembership(String segment, ProfileId profile) {
    tx.deleteMembership(segment, profile);
  }

  @Override
  public void putCheck(ScheduledCheck check) {
    tx.putCheck(check);
  }

  @Override
  public void deleteCheck(ProfileId profile) {
    tx.deleteCheck(profile);
  }

  @Override
  public boolean insertOutbox(OutboxEntry entry) {
    return tx.insertOutbox(entry);
  }

  @Override
  public void updateOutbox(OutboxEntry entry) {
    tx.updateOutbox(entry);
  }

  @Override
  public void putDelivery(Delivery delivery) {
    tx.putDelivery(delivery);
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
  public Map<String, String> metadata(String prefix) {
    return tx.metadata(prefix);
  }

  @Override
  public List<Membership> memberships(ProfileId profile) {
    return tx.memberships(profile);
  }

  @Override
  public List<Membership> members(String segment, @Nullable ProfileId after, int limit) {
    return tx.members(segment, after, limit);
  }

  @Override
  public Optional<ScheduledCheck> check(ProfileId profile) {
    return tx.check(profile);
  }

  @Override
  public List<ScheduledCheck> dueChecks(Instant upTo, int limit) {
    return tx.dueChecks(upTo, limit);
  }

  @Override
  public Optional<OutboxEntry> outbox(String key) {
    return tx.outbox(key);
  }

  @Override
  public void addOutbox(OutboxEntry entry) {
    tx.addOutbox(entry);
  }

  @Override
  public Map<String, OutboxEntry> outbox(Collection<String> keys) {
    return tx.outbox(keys);
  }

  @Override
  public Map<String, StoredEvent> events(Collection<String> messageIds) {
    return tx.events(messageIds);
  }

  @Override
  public List<OutboxEntry> outbox(OutboxEntry.Status status, @Nullable String afterKey,
      int limit) {
    return tx.outbox(status, afterKey, limit);
  }

  @Override
  public List<Delivery> deliveries(ProfileId profile) {
    return tx.deliveries(profile);
  }
  @Override
  public Map<String, Instant> tombstones(Collection<String> hashes) {
    return tx.tombstones(hashes);
  }

  @Override
  public List<AuditEntry> audit(long afterSeq, int limit) {
    return tx.audit(afterSeq, limit);
  }

  @Override
  public List<OutboxEntry> outboxOfProfile(ProfileId profile) {
    return tx.outboxOfProfile(profile);
  }

  @Override
  public List<ProfileId> redirectsTo(ProfileId to) {
    return tx.redirectsTo(to);
  }

  @Override
  public void deleteEvents(Collection<String> messageIds) {
    tx.deleteEvents(messageIds);
  }

  @Override
  public void deleteNode(Identifier identifier) {
    tx.deleteNode(identifier);
  }

  @Override
  public void deleteLinks(String component) {
    tx.deleteLinks(component);
  }

  @Override
  public void deleteRedirect(ProfileId from) {
    tx.deleteRedirect(from);
  }

  @Override
  public void deleteLedger(ProfileId profile) {
    tx.deleteLedger(profile);
  }

  @Override
  public void deleteOutbox(String key) {
    tx.deleteOutbox(key);
  }

  @Override
  public void deleteDeliveries(ProfileId profile) {
    tx.deleteDeliveries(profile);
  }

  @Override
  public void putTombstone(String hash, Instant erasedAt) {
    tx.putTombstone(hash, erasedAt);
  }

  @Override
  public long appendAudit(AuditEntry entry) {
    return tx.appendAudit(entry);
  }
}
