package io.cdpkit.activation.spi.storage;

import io.cdpkit.core.model.ProfileId;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The storage capability activation owns (reached with
 * {@code transaction.capability(OutboxStorage.class)}, see
 * {@link io.cdpkit.core.spi.storage.ReadTransaction#capability}): the outbox of decided
 * activations and each profile's delivery history. What is read and written belongs to the
 * transaction it was looked up in. Workers claim entries with {@link OutboxClaims}.
 *
 * <p>Not thread-safe, like the transaction. Writes throw {@link IllegalStateException} in a read
 * transaction.
 */
public interface OutboxStorage {
  /** The outbox entry with this idempotency key. */
  Optional<OutboxEntry> outbox(String key);

  /**
   * The outbox entries with these keys, by key; keys without an entry left out. The default
   * reads them one by one; a database store reads them in a few queries.
   */
  default Map<String, OutboxEntry> outbox(Collection<String> keys) {
    Map<String, OutboxEntry> out = new LinkedHashMap<>();
    for (String k : keys) {
      outbox(k).ifPresent(e -> out.put(k, e));
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
  List<OutboxEntry> outbox(OutboxEntry.Status status, @Nullable String afterKey, int limit);

  /** The outbox entries of a profile (whatever their status), in key order. */
  List<OutboxEntry> outboxOfProfile(ProfileId profile);

  /**
   * Adds an entry to the outbox unless one with its key exists (whatever its status).
   *
   * @return {@code true} when added, {@code false} when the key was there
   */
  boolean insertOutbox(OutboxEntry entry);

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
  void updateOutbox(OutboxEntry entry);

  /** Deletes an outbox entry, if there. */
  void deleteOutbox(String key);

  /** The profile's delivery history, sorted by time, then id. */
  List<Delivery> deliveries(ProfileId profile);

  /** Creates or replaces a line of a profile's delivery history (same id). */
  void putDelivery(Delivery delivery);

  /** Deletes a profile's delivery history, if any. */
  void deleteDeliveries(ProfileId profile);
}
