package io.cdpkit.core.spi.storage.memory;

import io.cdpkit.core.spi.storage.WriteTransaction;

/**
 * A capability of the in-memory store's transactions, read and write ({@code
 * transaction.capability(WorkspaceCopy.class)}, see
 * {@link io.cdpkit.core.spi.storage.ReadTransaction#capability}): writes everything the
 * transaction's workspace holds, as this transaction sees it, into {@code target} (a write
 * transaction of another store, empty for this workspace), through the SPI and its capabilities,
 * so that afterwards {@code target} answers every read as this workspace does: audit entries
 * with the same seq when the target numbers them densely from 1, the ledger and each component's
 * links in the same order.
 *
 * <p>Event-name counts: the target counts the events copied. The counts this store kept for
 * events deleted since ({@link io.cdpkit.core.spi.storage.PrivacyStorage#deleteEvents} lets a
 * store keep them) cannot be written through the SPI and are not copied.
 *
 * <p>The records of a module ({@link MemoryCapabilityProvider#copy}) are written through that
 * module's capability on {@code target}, which the target must have when this workspace holds
 * any of them. Not thread-safe, like the transaction it belongs to.
 */
public interface WorkspaceCopy {
  /**
   * Writes this workspace's records into {@code target}. Reads only; what was written to
   * {@code target} before it throws is the caller's to roll back.
   *
   * @throws IllegalArgumentException when {@code target} is this transaction, or already holds
   *     an event with the messageId of one copied (it was not empty)
   * @throws io.cdpkit.core.spi.storage.UnsupportedCapabilityException when this workspace holds
   *     records of a capability that {@code target} does not have
   */
  void copyTo(WriteTransaction target);
}
