package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.storage.jdbc.internal.BufferedTx.OutboxWrite;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Activation's capability ({@link OutboxStorage}) over a {@link BufferedTx}: outbox entries and
 * delivery lines, buffered in that transaction (its maps and undo log) and written by its
 * {@link BufferedTx#flush}. As there, neither is taken from or kept in the cache: claims change
 * outbox rows outside the workspace's lock, so their committed state is always read from the
 * database. Deleting an entry or a profile's deliveries is for a writer alone in the workspace
 * ({@link BufferedTx.NeedsAlone}).
 *
 * <p>Loaded only when a caller asks the transaction for the capability, so a host without
 * cdp-activation-spi never needs its classes. Not thread-safe, like the transaction.
 */
final class BufferedOutbox implements OutboxStorage {
  private static final Comparator<Delivery> DELIVERY_ORDER =
      Comparator.comparing(Delivery::at).thenComparing(Delivery::id);

  private final BufferedTx tx;

  BufferedOutbox(BufferedTx tx) {
    this.tx = tx;
  }

  // ------------------------------------------------------------------ outbox

  @Override
  public Map<String, OutboxEntry> outbox(Collection<String> keys) {
    List<String> unbuffered = new ArrayList<>();
    for (String k : keys) {
      if (!tx.outbox.containsKey(k) && !tx.deletedOutbox.contains(k)) {
        unbuffered.add(k);
      }
    }
    Map<String, OutboxEntry> read = new HashMap<>();
    for (OutboxEntry e : tx.rows.outbox(unbuffered)) {
      read.put(e.key(), e);
      tx.outboxSeen.add(e.key());
    }
    Map<String, OutboxEntry> out = new LinkedHashMap<>();
    for (String k : keys) {
      OutboxWrite w = tx.outbox.get(k);
      OutboxEntry e = w != null ? w.entry() : read.get(k);
      if (e != null) {
        out.put(k, e);
      }
    }
    return out;
  }

  @Override
  public Optional<OutboxEntry> outbox(String key) {
    Objects.requireNonNull(key, "key");
    OutboxWrite w = tx.outbox.get(key);
    if (w != null) {
      return Optional.of(w.entry());
    }
    if (tx.deletedOutbox.contains(key)) {
      return Optional.empty();
    }
    Optional<OutboxEntry> e = tx.rows.outbox(key);
    e.ifPresent(x -> tx.outboxSeen.add(key));
    return e;
  }

  @Override
  public List<OutboxEntry> outbox(OutboxEntry.Status status, @Nullable String afterKey,
      int limit) {
    Objects.requireNonNull(status, "status");
    BufferedTx.checkLimit(limit);
    List<OutboxEntry> own = new ArrayList<>();
    for (OutboxWrite w : tx.outbox.values()) {
      OutboxEntry e = w.entry();
      if (e.status() == status && (afterKey == null || e.key().compareTo(afterKey) > 0)) {
        own.add(e);
      }
    }
    Function<OutboxEntry, String> key = OutboxEntry::key;
    return BufferedTx.page(limit, Comparator.comparing(key),
        (last, n) -> tx.rows.outboxPage(status, last != null ? last.key() : afterKey, n),
        tx.outbox.size() + tx.deletedOutbox.size(),
        e -> tx.outbox.containsKey(e.key()) || tx.deletedOutbox.contains(e.key()), own);
  }

  @Override
  public List<OutboxEntry> outboxOfProfile(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    TreeMap<String, OutboxEntry> out = new TreeMap<>();
    for (OutboxEntry e : tx.rows.outboxOfProfile(profile)) {
      tx.outboxSeen.add(e.key());
      if (!tx.outbox.containsKey(e.key()) && !tx.deletedOutbox.contains(e.key())) {
        out.put(e.key(), e);
      }
    }
    for (OutboxWrite w : tx.outbox.values()) {
      if (w.entry().profile().equals(profile)) {
        out.put(w.entry().key(), w.entry());
      }
    }
    return List.copyOf(out.values());
  }

  @Override
  public boolean insertOutbox(OutboxEntry entry) {
    Objects.requireNonNull(entry, "entry");
    tx.requireWritable();
    if (tx.outbox.containsKey(entry.key())
        || !tx.deletedOutbox.contains(entry.key()) && tx.rows.outboxExists(entry.key())) {
      return false;
    }
    tx.write(tx.outbox, entry.key(), new OutboxWrite(entry, true));
    return true;
  }

  /** Writes the entry with the commit, unchecked: a key that exists fails the commit. */
  @Override
  public void addOutbox(OutboxEntry entry) {
    Objects.requireNonNull(entry, "entry");
    tx.requireWritable();
    if (tx.outbox.containsKey(entry.key())
        || tx.outboxSeen.contains(entry.key()) && !tx.deletedOutbox.contains(entry.key())) {
      throw new IllegalStateException("the outbox already has an entry with this key");
    }
    tx.write(tx.outbox, entry.key(), new OutboxWrite(entry, true));
  }

  @Override
  public void updateOutbox(OutboxEntry entry) {
    Objects.requireNonNull(entry, "entry");
    tx.requireWritable();
    OutboxWrite w = tx.outbox.get(entry.key());
    if (w == null && (tx.deletedOutbox.contains(entry.key())
        || !tx.outboxSeen.contains(entry.key()) && !tx.rows.outboxExists(entry.key()))) {
      throw new IllegalArgumentException(
          "updateOutbox: the workspace has no outbox entry with this key");
    }
    tx.write(tx.outbox, entry.key(), new OutboxWrite(entry, w != null && w.inserted()));
  }

  @Override
  public void deleteOutbox(String key) {
    tx.requireWritable();
    tx.requireAlone();
    Objects.requireNonNull(key, "key");
    tx.remove(tx.outbox, key);
    tx.add(tx.deletedOutbox, key);
  }

  // ------------------------------------------------------------------ delivery history

  @Override
  public List<Delivery> deliveries(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    List<Delivery> committed = tx.deletedDeliveriesOf.contains(profile) ? List.of()
        : tx.rows.deliveries(profile);
    if (tx.deliveries.isEmpty() && tx.deletedDeliveryIds.isEmpty()) {
      return committed;
    }
    List<Delivery> out = new ArrayList<>();
    for (Delivery d : committed) {
      if (!tx.deliveries.containsKey(d.id()) && !tx.deletedDeliveryIds.contains(d.id())) {
        out.add(d);
      }
    }
    for (Delivery d : tx.deliveries.values()) {
      if (d.profile().equals(profile)) {
        out.add(d);
      }
    }
    out.sort(DELIVERY_ORDER);
    return List.copyOf(out);
  }

  @Override
  public void putDelivery(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    tx.requireWritable();
    tx.write(tx.deliveries, delivery.id(), delivery);
  }

  @Override
  public void deleteDeliveries(ProfileId profile) {
    tx.requireWritable();
    tx.requireAlone();
    Objects.requireNonNull(profile, "profile");
    tx.add(tx.deletedDeliveriesOf, profile);
    List<String> own = new ArrayList<>();
    tx.deliveries.forEach((id, d) -> {
      if (d.profile().equals(profile)) {
        own.add(id);
      }
    });
    for (String id : own) {
      // The line may replace a committed line of another profile, gone with it.
      tx.remove(tx.deliveries, id);
      tx.add(tx.deletedDeliveryIds, id);
    }
  }

}
