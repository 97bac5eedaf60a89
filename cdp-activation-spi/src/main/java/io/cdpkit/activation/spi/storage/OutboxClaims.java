package io.cdpkit.activation.spi.storage;

import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The store-level capability activation owns for its workers (reached with
 * {@code store.capability(OutboxClaims.class)}, see
 * {@link io.cdpkit.core.spi.storage.Store#capability}): claiming due outbox entries without
 * waiting for the workspace's writers.
 *
 * <p>Thread-safe.
 */
public interface OutboxClaims {
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
   * it does not queue behind ingestion. An entry a running write transaction inserted is not
   * claimed before that transaction commits. Whether an entry it updated or deleted is held back
   * too depends on the store: the in-memory store holds it back until the writer ends; a
   * database store, which writes at commit, claims the committed version, and the writer's
   * commit then replaces the entry (activation's engine changes an entry only while it holds
   * the entry's lease, so its own writes never meet such a claim).
   *
   * @throws IllegalArgumentException when limit is less than 1, {@code leaseUntil} is not
   *     after {@code now}, or the lease is not 1 to {@value OutboxEntry#MAX_NAME_LENGTH}
   *     characters (see {@link #checkClaim})
   * @throws io.cdpkit.core.StorageException when the store fails; nothing was claimed
   */
  List<OutboxEntry> claim(WorkspaceId workspace, Instant now, String lease, Instant leaseUntil,
      int limit);

  /**
   * Checks the arguments of {@link #claim} as the contract requires; stores call it first.
   *
   * @throws IllegalArgumentException when an argument is out of range
   */
  static void checkClaim(Instant now, String lease, Instant leaseUntil, int limit) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(leaseUntil, "leaseUntil");
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
}
