package io.cdpkit.core.spi.storage;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.internal.memory.InMemoryStore;
import io.cdpkit.core.model.WorkspaceId;
import java.util.function.Function;

/**
 * Where CDPKit keeps events, the identity graph, profiles and the merge ledger. Every call names a
 * workspace, and a transaction sees and changes only that workspace's data.
 *
 * <p>The in-memory store ({@link #inMemory()}) is the reference implementation; every store must
 * pass the storage contract suite ({@code StoreContractTest} in the test-jar of cdp-core).
 *
 * <p>Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {
  /**
   * Runs {@code work} in a write transaction and commits it when {@code work} returns. When it
   * throws, nothing it wrote is kept and the exception propagates. A store may run {@code work}
   * more than once (to retry a serialization failure), so it must do nothing but read and write
   * through the transaction.
   *
   * @throws StorageException when the store fails; nothing was written
   */
  <T> T write(WorkspaceId workspace, Function<? super WriteTransaction, ? extends T> work);

  /**
   * Runs {@code work} against a consistent view of the workspace.
   *
   * @throws StorageException when the store fails
   */
  <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work);

  /**
   * Claims due outbox entries for a worker, in a transaction of its own that commits before
   * this returns: the {@link OutboxEntry.Status#PENDING} entries with {@code dueAt <= now}
   * whose claim is free ({@code lease} null, or {@code leaseUntil <= now}), earliest
   * {@code dueAt} first, then by key, at most {@code limit}. Each is returned with
   * {@code lease} and {@code leaseUntil} set, and stored so.
   *
   * <p>Claims on any number of threads or nodes never return the same entry while its claim
   * runs, and do not wait for each other: a database store skips rows another claim has locked
   * ({@code FOR UPDATE SKIP LOCKED}). Claiming does not take the workspace's write lock, so
   * it does not queue behind ingestion.
   *
   * @throws IllegalArgumentException when limit is less than 1, {@code leaseUntil} is not
   *     after {@code now}, or the lease is not 1 to {@value OutboxEntry#MAX_NAME_LENGTH}
   *     characters
   * @throws StorageException when the store fails; nothing was claimed
   */
  default java.util.List<OutboxEntry> claimOutbox(WorkspaceId workspace, java.time.Instant now,
      String lease, java.time.Instant leaseUntil, int limit) {
    throw new UnsupportedOperationException("this store keeps no outbox");
  }

  /**
   * Checks the arguments of {@link #claimOutbox} as the contract requires (the lease is 1 to
   * {@value OutboxEntry#MAX_NAME_LENGTH} characters); stores call it first.
   *
   * @throws IllegalArgumentException when an argument is out of range
   */
  static void checkClaim(java.time.Instant now, String lease, java.time.Instant leaseUntil,
      int limit) {
    java.util.Objects.requireNonNull(now, "now");
    java.util.Objects.requireNonNull(lease, "lease");
    java.util.Objects.requireNonNull(leaseUntil, "leaseUntil");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    if (!leaseUntil.isAfter(now)) {
      throw new IllegalArgumentException("leaseUntil must be after now");
    }
    if (lease.isEmpty() || lease.length() > OutboxEntry.MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "lease must be 1 to " + OutboxEntry.MAX_NAME_LENGTH + " characters");
    }
  }

  /** Releases what the store holds. The default does nothing. */
  /**
   * A capability of this store that is not tied to a transaction (activation's outbox claims,
   * say): see {@link ReadTransaction#capability} for what a capability is. The default offers
   * none.
   *
   * @return the capability, or empty when this store does not have it
   */
  default <C> java.util.Optional<C> capability(Class<C> type) {
    java.util.Objects.requireNonNull(type, "type");
    return java.util.Optional.empty();
  }

  @Override
  default void close() {}

  /** A new, empty in-memory store: fast, thread-safe, and gone when the JVM ends. */
  static Store inMemory() {
    return new InMemoryStore();
  }
}
