package io.cdpkit.core.spi.extension;

/**
 * Sees every change to profiles inside the write transaction that makes it, after each event,
 * unmerge or recomputation, so that what it derives (segment memberships, say) commits or rolls
 * back together with the change.
 *
 * <p>Called on the thread writing the transaction, one call at a time per workspace. It must be
 * fast and must only read and write through {@link ProfileChanges#transaction()}: the store may
 * run a transaction more than once to retry it, and then calls the observer again. What should
 * happen only once the change is durable (telling listeners) goes to
 * {@link ProfileChanges#afterCommit}. An exception fails the event like a store failure would:
 * nothing of the event is stored and the caller gets the exception.
 *
 * <p>Implementations must be thread-safe (different workspaces are written concurrently).
 */
@FunctionalInterface
public interface ProfileObserver {
  /** Sees the changes of one step. */
  void changed(ProfileChanges changes);
}
