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

  /** Marks a point to roll back to. */
  Savepoint savepoint();

  /** Undoes everything written after the savepoint; the transaction stays usable. */
  void rollbackTo(Savepoint savepoint);

  /**
   * What to throw when a read contradicts an earlier read of this transaction: an identity
   * node whose profile or component is not there. The pipeline throws what this returns and
   * lets it pass (it is not a rejection of the event).
   *
   * <p>The default, for a store whose transactions see one consistent state, says the stored
   * graph is corrupt ({@link IllegalStateException}), which rejects the event. A store whose
   * writers run side by side and check their reads only when they commit (so that another
   * writer's commit may fall between two reads) returns its retryable {@link
   * io.cdpkit.core.StorageException} instead, so the work runs again on what is there now; it
   * should still report corruption when no other writer can have caused the contradiction.
   *
   * @param what which read found nothing, e.g. {@code "node without profile"}
   */
  default RuntimeException inconsistentRead(String what) {
    return new IllegalStateException("identity graph is inconsistent: " + what);
  }
}
