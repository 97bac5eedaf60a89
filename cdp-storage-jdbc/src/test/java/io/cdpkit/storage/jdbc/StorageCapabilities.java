package io.cdpkit.storage.jdbc;

import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;

/**
 * The store's capabilities as tests reach them, by short names: each is
 * {@link ReadTransaction#require} (or {@link Store#capability}) of its interface.
 */
public final class StorageCapabilities {
  private StorageCapabilities() {}

  /** Activation's outbox and delivery history in this transaction. */
  public static OutboxStorage outboxOf(ReadTransaction tx) {
    return tx.require(OutboxStorage.class);
  }

  /** Segmentation's memberships and scheduled checks in this transaction. */
  public static SegmentStorage segmentsOf(ReadTransaction tx) {
    return tx.require(SegmentStorage.class);
  }

  /** Tombstones, the audit log and deletions in this transaction. */
  public static PrivacyStorage privacyOf(ReadTransaction tx) {
    return tx.require(PrivacyStorage.class);
  }

  /** Metadata in this transaction. */
  public static MetadataStorage metadataOf(ReadTransaction tx) {
    return tx.require(MetadataStorage.class);
  }

  /** Activation's outbox claims of this store. */
  public static OutboxClaims claimsOf(Store store) {
    return store.capability(OutboxClaims.class).orElseThrow();
  }
}
