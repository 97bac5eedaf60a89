package io.cdpkit.activation.internal.memory;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.memory.MemoryTransaction;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One workspace's outbox and delivery history in the in-memory store.
 *
 * <p>Every field is guarded by {@link #lock}, not by the workspace's read/write lock: claims
 * ({@link MemoryOutboxClaims}) change entries without taking that, so that they do not wait for
 * the workspace's writer. Transactions hold {@link #lock} only while one call runs.
 */
final class OutboxState {
  /** Due time, then key: the order of claims. Keys are unique, so it is a total order. */
  static final Comparator<OutboxEntry> PENDING_ORDER =
      Comparator.comparing(OutboxEntry::dueAt).thenComparing(OutboxEntry::key);

  /** Time, then id: the order of a profile's delivery history. */
  static final Comparator<Delivery> DELIVERY_ORDER =
      Comparator.comparing(Delivery::at).thenComparing(Delivery::id);

  final Object lock = new Object();
  /** Outbox entries by key. */
  final HashMap<String, OutboxEntry> outbox = new HashMap<>();
  /** The same entries by status, then key. */
  final EnumMap<OutboxEntry.Status, TreeMap<String, OutboxEntry>> byStatus =
      new EnumMap<>(OutboxEntry.Status.class);
  /** The same entries by profile, then key (for a person's export and erasure). */
  final HashMap<ProfileId, TreeMap<String, OutboxEntry>> byProfile = new HashMap<>();
  /** The pending entries, by due time then key. */
  final TreeSet<OutboxEntry> pending = new TreeSet<>(PENDING_ORDER);
  /**
   * The keys the running write transaction ({@link #writer}) inserted, updated or deleted:
   * claims skip them until it ends, as a database skips a row another transaction has locked.
   */
  final HashSet<String> written = new HashSet<>();
  /** The write transaction whose keys {@link #written} holds, else {@code null}. */
  @Nullable MemoryTransaction writer;
  /** Delivery history lines by id. */
  final HashMap<String, Delivery> deliveries = new HashMap<>();
  /** The same lines by profile, each profile's by time then id. */
  final HashMap<ProfileId, TreeSet<Delivery>> deliveriesByProfile = new HashMap<>();

  OutboxState() {
    for (OutboxEntry.Status s : OutboxEntry.Status.values()) {
      byStatus.put(s, new TreeMap<>());
    }
  }

  /** Replaces {@code old} (null: none) by {@code entry} (null: none) in every outbox index. */
  void replace(@Nullable OutboxEntry old, @Nullable OutboxEntry entry) {
    assert Thread.holdsLock(lock);
    if (old != null) {
      outbox.remove(old.key());
      byStatus.get(old.status()).remove(old.key());
      pending.remove(old);
      TreeMap<String, OutboxEntry> mine = byProfile.get(old.profile());
      if (mine != null) {
        mine.remove(old.key());
        if (mine.isEmpty()) {
          byProfile.remove(old.profile());
        }
      }
    }
    if (entry != null) {
      outbox.put(entry.key(), entry);
      byStatus.get(entry.status()).put(entry.key(), entry);
      byProfile.computeIfAbsent(entry.profile(), p -> new TreeMap<>()).put(entry.key(), entry);
      if (entry.status() == OutboxEntry.Status.PENDING) {
        pending.add(entry);
      }
    }
  }

  /**
   * Marks {@code key} as written by {@code tx}, so that claims skip it until {@code tx} ends.
   * The workspace runs one write transaction at a time, so one set serves.
   */
  void markWritten(MemoryTransaction tx, String key) {
    assert Thread.holdsLock(lock);
    if (writer != tx) {
      writer = tx;
      tx.onEnd(() -> {
        synchronized (lock) {
          written.clear();
          writer = null;
        }
      });
    }
    written.add(key);
  }

  void indexDelivery(Delivery delivery) {
    assert Thread.holdsLock(lock);
    deliveriesByProfile.computeIfAbsent(delivery.profile(),
        p -> new TreeSet<>(DELIVERY_ORDER)).add(delivery);
  }

  void unindexDelivery(Delivery delivery) {
    assert Thread.holdsLock(lock);
    TreeSet<Delivery> s = deliveriesByProfile.get(delivery.profile());
    if (s != null && s.remove(delivery) && s.isEmpty()) {
      deliveriesByProfile.remove(delivery.profile());
    }
  }
}
