package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import java.util.Collection;

/**
 * Reads and writes inside one workspace. Nothing written is visible to others before the
 * transaction commits, and either everything commits or nothing does. Not thread-safe.
 *
 * <p>The pipeline keeps the secondary views consistent (a node's profile and the profile's
 * record, a component's links and its record); a store only persists what it is told.
 */
public interface WriteTransaction extends ReadTransaction {
  /**
   * A hint that the transaction is about to process events with these messageIds and
   * identifiers, so that a store on a database can load what it will be asked (stored events,
   * nodes, their profiles and components) in a few queries instead of one per call. Changes
   * nothing and returns nothing; the default ignores it.
   */
  default void prefetch(Collection<String> messageIds, Collection<Identifier> identifiers) {}

  /**
   * Stores an event unless one with the same messageId exists in the workspace.
   *
   * @return {@code true} when stored, {@code false} when the messageId was already there
   */
  boolean insertEvent(StoredEvent event);

  /** Creates or replaces the node of {@code node.identifier()}. */
  void putNode(IdentityNode node);

  /** Creates or replaces a component record. */
  void putComponent(ComponentRecord component);

  /** Removes a component record (its nodes and links were moved first). */
  void deleteComponent(String id);

  /** Adds a link to a component. */
  void addLink(String component, Link link);

  /** Moves every link of component {@code from} to component {@code to}. */
  void moveLinks(String from, String to);

  /** Creates or replaces a profile. */
  void putProfile(ProfileRecord profile);

  /** Removes a profile (its nodes were moved first). */
  void deleteProfile(ProfileId id);

  /** Records that {@code from} was merged into {@code to}. */
  void putRedirect(ProfileId from, ProfileId to);

  /** Appends an entry to the merge ledger. */
  void appendLedger(LedgerEntry entry);

  /**
   * Creates or replaces a metadata entry.
   *
   * @param key 1 to {@value #MAX_METADATA_KEY_LENGTH} characters
   * @param value at most {@value #MAX_METADATA_VALUE_LENGTH} characters
   * @throws IllegalArgumentException when the key or value is too long or the key is empty
   */
  default void putMetadata(String key, String value) {
    throw new UnsupportedOperationException("this store keeps no metadata");
  }

  /** Removes a metadata entry, if there. */
  default void deleteMetadata(String key) {
    throw new UnsupportedOperationException("this store keeps no metadata");
  }

  /** Creates or replaces the membership of {@code membership.profile()} in its segment. */
  default void putMembership(Membership membership) {
    throw new UnsupportedOperationException("this store keeps no memberships");
  }

  /** Removes a membership, if there. */
  default void deleteMembership(String segment, ProfileId profile) {
    throw new UnsupportedOperationException("this store keeps no memberships");
  }

  /** Creates or replaces the profile's scheduled check. */
  default void putCheck(ScheduledCheck check) {
    throw new UnsupportedOperationException("this store keeps no schedule");
  }

  /** Removes the profile's scheduled check, if there. */
  default void deleteCheck(ProfileId profile) {
    throw new UnsupportedOperationException("this store keeps no schedule");
  }

  /**
   * Adds an entry to the outbox unless one with its key exists (whatever its status).
   *
   * @return {@code true} when added, {@code false} when the key was there
   */
  default boolean insertOutbox(OutboxEntry entry) {
    throw new UnsupportedOperationException("this store keeps no outbox");
  }

  /**
   * Adds an entry whose key the caller knows to be new (derived from an event stored for the
   * first time in this transaction, say), without asking whether it exists: a database store
   * just writes it with the commit. The default is {@link #insertOutbox}.
   *
   * @throws RuntimeException when the key exists after all, now or at the commit (an
   *     {@link IllegalStateException}, or a {@link io.cdpkit.core.StorageException} from the
   *     store's write); the transaction then fails and nothing of it is kept
   */
  default void addOutbox(OutboxEntry entry) {
    if (!insertOutbox(entry)) {
      throw new IllegalStateException("the outbox already has an entry with this key");
    }
  }

  /**
   * Replaces the outbox entry with {@code entry.key()}.
   *
   * @throws IllegalArgumentException when there is none
   */
  default void updateOutbox(OutboxEntry entry) {
    throw new UnsupportedOperationException("this store keeps no outbox");
  }

  /** Creates or replaces a line of a profile's delivery history. */
  default void putDelivery(Delivery delivery) {
    throw new UnsupportedOperationException("this store keeps no delivery history");
  }

  /**
   * Checks the arguments of {@link #putMetadata} as the contract requires; stores call it first.
   *
   * @throws IllegalArgumentException when the key is empty or too long, or the value too long
   */
  static void checkMetadata(String key, String value) {
    java.util.Objects.requireNonNull(key, "key");
    java.util.Objects.requireNonNull(value, "value");
    if (key.isEmpty() || key.length() > MAX_METADATA_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "metadata key must be 1 to " + MAX_METADATA_KEY_LENGTH + " characters");
    }
    if (value.length() > MAX_METADATA_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "metadata value must be at most " + MAX_METADATA_VALUE_LENGTH + " characters");
    }
  }

  /**
   * Checks the arguments of {@link #putTombstone}, for stores to call first.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static void checkTombstone(String hash, java.time.Instant erasedAt) {
    java.util.Objects.requireNonNull(hash, "hash");
    java.util.Objects.requireNonNull(erasedAt, "erasedAt");
    if (hash.isEmpty() || hash.length() > OutboxEntry.MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "hash must be 1 to " + OutboxEntry.MAX_KEY_LENGTH + " characters");
    }
  }

  /** Longest metadata key, in characters. */
  int MAX_METADATA_KEY_LENGTH = 200;

  /** Longest metadata value, in characters (1 MiB). */
  int MAX_METADATA_VALUE_LENGTH = 1 << 20;

  /** Marks a point to roll back to. */
  Savepoint savepoint();

  /** Undoes everything written after the savepoint; the transaction stays usable. */
  void rollbackTo(Savepoint savepoint);
  // The methods below serve privacy operations (erasure, retention, the audit log). Their
  // defaults throw; the contract suite requires them. Deleting what is not there does nothing.

  /**
   * Deletes these events. The event-name counts ({@link #eventNameCounts}) may keep them: they
   * are aggregates, not personal data. A deleted message id may be ingested again.
   */
  default void deleteEvents(Collection<String> messageIds) {
    throw new UnsupportedOperationException("this store cannot delete events");
  }

  /** Deletes an identifier's node from the identity graph. */
  default void deleteNode(Identifier identifier) {
    throw new UnsupportedOperationException("this store cannot delete identity nodes");
  }

  /** Deletes every link of a component. */
  default void deleteLinks(String component) {
    throw new UnsupportedOperationException("this store cannot delete links");
  }

  /** Deletes the redirect from a merged-away profile id. */
  default void deleteRedirect(ProfileId from) {
    throw new UnsupportedOperationException("this store cannot delete redirects");
  }

  /** Deletes every ledger entry that names this profile, as its profile or as the other one. */
  default void deleteLedger(ProfileId profile) {
    throw new UnsupportedOperationException("this store cannot delete ledger entries");
  }

  /** Deletes an outbox entry. */
  default void deleteOutbox(String key) {
    throw new UnsupportedOperationException("this store keeps no outbox");
  }

  /** Deletes a profile's delivery history. */
  default void deleteDeliveries(ProfileId profile) {
    throw new UnsupportedOperationException("this store keeps no delivery history");
  }

  /**
   * Records that the identifier with this keyed hash was erased at this instant. A tombstone
   * that exists keeps the later of the two instants. Tombstones are never deleted.
   *
   * @param hash 1 to {@value OutboxEntry#MAX_KEY_LENGTH} characters
   */
  default void putTombstone(String hash, java.time.Instant erasedAt) {
    throw new UnsupportedOperationException("this store keeps no tombstones");
  }

  /**
   * Appends to the workspace's audit log. Entries are never changed or deleted.
   *
   * @param entry with seq 0
   * @return the entry's position, greater than every earlier one of the workspace
   */
  default long appendAudit(AuditEntry entry) {
    throw new UnsupportedOperationException("this store keeps no audit log");
  }
}
