package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A capability ({@link ReadTransaction#capability}) that privacy operations need: erasure
 * tombstones, the audit log, and deleting a person's events and identity records. Every store
 * that keeps personal data must have it; without it nothing can be erased. Deleting what is not
 * there does nothing.
 *
 * <p>Not thread-safe, like the transaction it belongs to. Writes throw
 * {@link IllegalStateException} in a read transaction.
 */
public interface PrivacyStorage {
  /**
   * The erasure tombstones among these keyed hashes of identifiers.
   *
   * @return hash to the instant of the latest erasure that left it; absent hashes have none
   */
  Map<String, Instant> tombstones(Collection<String> hashes);

  /**
   * Records that the identifier with this keyed hash was erased at this instant. A tombstone
   * that exists keeps the later of the two instants. Tombstones are never deleted.
   *
   * @param hash 1 to {@value #MAX_HASH_LENGTH} characters
   */
  void putTombstone(String hash, Instant erasedAt);

  /**
   * The workspace's audit log after a position, in append order.
   *
   * @param afterSeq 0 for the start
   * @param limit at most this many, at least 1
   */
  List<AuditEntry> audit(long afterSeq, int limit);

  /**
   * Appends to the workspace's audit log. Entries are never changed or deleted.
   *
   * @param entry with seq 0
   * @return the entry's position, greater than every earlier one of the workspace
   */
  long appendAudit(AuditEntry entry);

  /**
   * The messageIds of the events anchored at these identifiers, each once, in no set order: what
   * erasure deletes. A store answers it without reading the events where it can.
   */
  List<String> messageIdsByAnchors(Collection<Identifier> anchors);

  /**
   * Deletes these events. The event-name counts ({@link ReadTransaction#eventNameCounts}) may
   * keep them: they are aggregates, not personal data. A deleted message id may be ingested
   * again.
   */
  void deleteEvents(Collection<String> messageIds);

  /** Deletes an identifier's node from the identity graph. */
  void deleteNode(Identifier identifier);

  /** Deletes every link of a component. */
  void deleteLinks(String component);

  /** Deletes the redirect from a merged-away profile id. */
  void deleteRedirect(ProfileId from);

  /** Deletes every ledger entry that names this profile, as its profile or as the other one. */
  void deleteLedger(ProfileId profile);

  /** Longest tombstone hash, in characters. */
  int MAX_HASH_LENGTH = 200;

  /**
   * Checks the arguments of {@link #putTombstone} as the contract requires; stores call it
   * first.
   *
   * @throws IllegalArgumentException when the hash is empty or longer than
   *     {@value #MAX_HASH_LENGTH} characters
   */
  static void checkTombstone(String hash, Instant erasedAt) {
    java.util.Objects.requireNonNull(hash, "hash");
    java.util.Objects.requireNonNull(erasedAt, "erasedAt");
    if (hash.isEmpty() || hash.length() > MAX_HASH_LENGTH) {
      throw new IllegalArgumentException(
          "hash must be 1 to " + MAX_HASH_LENGTH + " characters");
    }
  }
}
