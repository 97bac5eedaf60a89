package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads inside one workspace, seeing a consistent state: either all or none of what one write
 * transaction wrote. Not thread-safe: used by the thread that the store handed it to, only
 * inside the callback.
 */
public interface ReadTransaction {
  /**
   * A capability of this store that is not part of this interface, seen from this transaction:
   * the records a module keeps for itself (segmentation's memberships and scheduled checks,
   * activation's outbox and deliveries, the core's metadata and privacy records). The module
   * that needs a capability owns its interface; a store offers the capabilities it implements.
   * What is read and written through a capability belongs to this transaction: it is seen,
   * committed and rolled back with everything else. In a read transaction a capability's writes
   * throw {@link IllegalStateException}.
   *
   * <p>The default offers none.
   *
   * @return the capability, or empty when this store does not have it
   */
  default <C> Optional<C> capability(Class<C> type) {
    java.util.Objects.requireNonNull(type, "type");
    return Optional.empty();
  }

  /**
   * The capability of this type; see {@link #capability}.
   *
   * @throws UnsupportedCapabilityException when this store does not have it
   */
  default <C> C require(Class<C> type) {
    return capability(type).orElseThrow(() -> new UnsupportedCapabilityException(type));
  }

  /** The stored event with this messageId. */
  Optional<StoredEvent> event(String messageId);

  /** Events anchored at any of these identifiers, sorted by {@link StoredEvent#key()}. */
  List<StoredEvent> eventsByAnchors(Collection<Identifier> anchors);

  /** The node of this normalised identifier. */
  Optional<IdentityNode> node(Identifier identifier);

  /** Nodes that belong to the profile, in no particular order. */
  List<IdentityNode> nodesOfProfile(ProfileId profile);

  /** Nodes of a component, in no particular order. */
  List<IdentityNode> nodesOfComponent(String component);

  /** A component. */
  Optional<ComponentRecord> component(String id);

  /** Links of a component, in no particular order. */
  List<Link> links(String component);

  /** A live profile; merged-away ids are not profiles (see {@link #redirect}). */
  Optional<ProfileRecord> profile(ProfileId id);

  /** The profile a merged-away id was merged into, one step (it may itself be merged away). */
  Optional<ProfileId> redirect(ProfileId mergedAway);

  /** Ledger entries that name this profile id on either side, in the order they were written. */
  List<LedgerEntry> ledger(ProfileId profile);

  /** Stored events per counted name ({@link StoredEvent#countedName()}), in this workspace. */
  Map<String, Long> eventNameCounts();

  // The methods below serve extensions (segments, schedules, their definitions). Their defaults
  // throw, so a store written before them still works for everything else; the contract suite
  // requires them.

  /**
   * Live profiles whose id value sorts after {@code after} ({@link String#compareTo}), in that
   * order, at most {@code limit}; from the first when {@code after} is {@code null}. For scans
   * over every profile a page at a time.
   *
   * @throws IllegalArgumentException when limit is less than 1
   */
  default List<ProfileRecord> profilesAfter(@Nullable ProfileId after, int limit) {
    throw new UnsupportedOperationException("this store cannot scan profiles");
  }

  /**
   * Metadata entries whose key starts with {@code prefix}, sorted by key. Metadata are small
   * named texts an extension keeps (a segment's definition, say).
   */
  default Map<String, String> metadata(String prefix) {
    throw new UnsupportedOperationException("this store keeps no metadata");
  }

  /** The segments a profile is a member of, sorted by segment id. */
  default List<Membership> memberships(ProfileId profile) {
    throw new UnsupportedOperationException("this store keeps no memberships");
  }

  /**
   * Members of a segment whose id value sorts after {@code after}, ascending, at most
   * {@code limit}; from the first when {@code after} is {@code null}.
   *
   * @throws IllegalArgumentException when limit is less than 1
   */
  default List<Membership> members(String segment, @Nullable ProfileId after, int limit) {
    throw new UnsupportedOperationException("this store keeps no memberships");
  }

  /** The profile's scheduled check. */
  default Optional<ScheduledCheck> check(ProfileId profile) {
    throw new UnsupportedOperationException("this store keeps no schedule");
  }

  /**
   * Checks due at or before {@code upTo}, ordered by time, then profile id value, at most
   * {@code limit}.
   *
   * @throws IllegalArgumentException when limit is less than 1
   */
  default List<ScheduledCheck> dueChecks(java.time.Instant upTo, int limit) {
    throw new UnsupportedOperationException("this store keeps no schedule");
  }

  /** The outbox entry with this idempotency key. */
  default Optional<OutboxEntry> outbox(String key) {
    throw new UnsupportedOperationException("this store keeps no outbox");
  }

  /**
   * The outbox entries with these keys, by key; keys without an entry left out. The default
   * reads them one by one; a database store reads them in a few queries.
   */
  default Map<String, OutboxEntry> outbox(Collection<String> keys) {
    Map<String, OutboxEntry> out = new java.util.LinkedHashMap<>();
    for (String k : keys) {
      outbox(k).ifPresent(e -> out.put(k, e));
    }
    return out;
  }

  /**
   * The stored events with these messageIds, by messageId; those not stored left out. The
   * default reads them one by one; a database store reads them in a few queries.
   */
  default Map<String, StoredEvent> events(Collection<String> messageIds) {
    Map<String, StoredEvent> out = new java.util.LinkedHashMap<>();
    for (String m : messageIds) {
      event(m).ifPresent(e -> out.put(m, e));
    }
    return out;
  }

  /**
   * Outbox entries with this status whose key sorts after {@code afterKey}
   * ({@link String#compareTo}), ascending, at most {@code limit}; from the first when
   * {@code afterKey} is {@code null}.
   *
   * @throws IllegalArgumentException when limit is less than 1
   */
  default List<OutboxEntry> outbox(OutboxEntry.Status status, @Nullable String afterKey,
      int limit) {
    throw new UnsupportedOperationException("this store keeps no outbox");
  }

  /** The profile's delivery history, sorted by time, then id. */
  default List<Delivery> deliveries(ProfileId profile) {
    throw new UnsupportedOperationException("this store keeps no delivery history");
  }
  // The methods below serve privacy operations (export, erasure, the audit log). Their defaults
  // throw; the contract suite requires them.

  /**
   * The erasure tombstones among these keyed hashes of identifiers.
   *
   * @return hash to the instant of the latest erasure that left it; absent hashes have none
   */
  default Map<String, java.time.Instant> tombstones(Collection<String> hashes) {
    throw new UnsupportedOperationException("this store keeps no tombstones");
  }

  /**
   * The workspace's audit log after a position, in append order.
   *
   * @param afterSeq 0 for the start
   * @param limit at most this many, at least 1
   */
  default List<AuditEntry> audit(long afterSeq, int limit) {
    throw new UnsupportedOperationException("this store keeps no audit log");
  }

  /** The outbox entries of a profile (whatever their status), in key order. */
  default List<OutboxEntry> outboxOfProfile(ProfileId profile) {
    throw new UnsupportedOperationException("this store keeps no outbox");
  }

  /** The profiles merged into this one whose ids redirect to it, in id order. */
  default List<ProfileId> redirectsTo(ProfileId to) {
    throw new UnsupportedOperationException("this store cannot list redirects");
  }
}
