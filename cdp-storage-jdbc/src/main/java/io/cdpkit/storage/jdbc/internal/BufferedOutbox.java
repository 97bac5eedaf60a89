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
import org.jspecify.annotations.Nullable;

/**
 * Activation's capability ({@link OutboxStorage}) over a {@link BufferedTx}: outbox entries and
 * delivery lines, buffered in that transaction's maps ({@code BufferedMap}s, undone with it)
 * and written by its {@link BufferedTx#flush}. As there, neither is taken from or kept in the
 * cache: claims change outbox rows outside the workspace's lock, so their committed state is
 * always read from the database. Deleting an entry or a profile's deliveries is for a writer
 * alone in the workspace ({@link BufferedTx.NeedsAlone}).
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
      if (!tx.outbox.wrote(k)) {
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
      OutboxEntry e = tx.outbox.wrote(k)
          ? tx.outbox.get(k).map(OutboxWrite::entry).orElse(null) : read.get(k);
      if (e != null) {
        out.put(k, e);
      }
    }
    return out;
  }

  @Override
  public Optional<OutboxEntry> outbox(String key) {
    Objects.requireNonNull(key, "key");
    return tx.outbox.get(key).map(OutboxWrite::entry);
  }

  @Override
  public List<OutboxEntry> outbox(OutboxEntry.Status status, @Nullable String afterKey,
      int limit) {
    Objects.requireNonNull(status, "status");
    List<OutboxWrite> page = tx.outbox.page(limit,
        Comparator.comparing(w -> w.entry().key()), w -> w.entry().key(),
        w -> w.entry().status() == status
            && (afterKey == null || w.entry().key().compareTo(afterKey) > 0),
        (last, n) -> tx.rows.outboxPage(status, last != null ? last.entry().key() : afterKey, n)
            .stream().map(e -> new OutboxWrite(e, false, false)).toList());
    return page.stream().map(OutboxWrite::entry).toList();
  }

  @Override
  public List<OutboxEntry> outboxOfProfile(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    TreeMap<String, OutboxEntry> out = new TreeMap<>();
    for (OutboxEntry e : tx.rows.outboxOfProfile(profile)) {
      tx.outboxSeen.add(e.key());
      if (!tx.outbox.wrote(e.key())) {
        out.put(e.key(), e);
      }
    }
    tx.outbox.writes().values().forEach(w -> w.map(OutboxWrite::entry)
        .filter(e -> e.profile().equals(profile)).ifPresent(e -> out.put(e.key(), e)));
    return List.copyOf(out.values());
  }

  @Override
  public boolean insertOutbox(OutboxEntry entry) {
    Objects.requireNonNull(entry, "entry");
    tx.requireWritable();
    boolean wrote = tx.outbox.wrote(entry.key());
    if (wrote ? tx.outbox.get(entry.key()).isPresent() : tx.rows.outboxExists(entry.key())) {
      return false;
    }
    tx.outbox.put(entry.key(), new OutboxWrite(entry, true, wrote));
    return true;
  }

  /** Writes the entry with the commit, unchecked: a key that exists fails the commit. */
  @Override
  public void addOutbox(OutboxEntry entry) {
    Objects.requireNonNull(entry, "entry");
    tx.requireWritable();
    boolean wrote = tx.outbox.wrote(entry.key());
    if (wrote ? tx.outbox.get(entry.key()).isPresent() : tx.outboxSeen.contains(entry.key())) {
      throw new IllegalStateException("the outbox already has an entry with this key");
    }
    tx.outbox.put(entry.key(), new OutboxWrite(entry, true, wrote));
  }

  @Override
  public void updateOutbox(OutboxEntry entry) {
    Objects.requireNonNull(entry, "entry");
    tx.requireWritable();
    OutboxWrite w = null;
    if (tx.outbox.wrote(entry.key())) {
      w = tx.outbox.get(entry.key()).orElse(null);
      if (w == null) {
        throw new IllegalArgumentException(
            "updateOutbox: the workspace has no outbox entry with this key");
      }
    } else if (!tx.outboxSeen.contains(entry.key()) && !tx.rows.outboxExists(entry.key())) {
      throw new IllegalArgumentException(
          "updateOutbox: the workspace has no outbox entry with this key");
    }
    tx.outbox.put(entry.key(), w == null ? new OutboxWrite(entry, false, false)
        : new OutboxWrite(entry, w.inserted(), w.replaces()));
  }

  @Override
  public void deleteOutbox(String key) {
    tx.requireWritable();
    tx.requireAlone();
    Objects.requireNonNull(key, "key");
    tx.outbox.delete(key);
  }

  // ------------------------------------------------------------------ delivery history

  @Override
  public List<Delivery> deliveries(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    List<Delivery> committed = tx.deletedDeliveriesOf.contains(profile) ? List.of()
        : tx.rows.deliveries(profile);
    if (tx.deliveries.isEmpty()) {
      return committed;
    }
    List<Delivery> out = new ArrayList<>(
        tx.deliveries.overlay(committed, Delivery::id, d -> d.profile().equals(profile)));
    out.sort(DELIVERY_ORDER);
    return List.copyOf(out);
  }

  @Override
  public void putDelivery(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    tx.deliveries.put(delivery.id(), delivery);
  }

  @Override
  public void deleteDeliveries(ProfileId profile) {
    tx.requireWritable();
    tx.requireAlone();
    Objects.requireNonNull(profile, "profile");
    if (tx.deletedDeliveriesOf.add(profile)) {
      tx.onRollback(() -> tx.deletedDeliveriesOf.remove(profile));
    }
    List<String> own = new ArrayList<>();
    tx.deliveries.writes().forEach((id, d) -> {
      if (d.isPresent() && d.get().profile().equals(profile)) {
        own.add(id);
      }
    });
    // A line may replace a committed line of another profile, gone with it.
    own.forEach(tx.deliveries::delete);
  }
}
