package io.cdpkit.activation.internal.memory;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.memory.MemoryTransaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * {@link OutboxStorage} over one workspace's {@link OutboxState}, inside one transaction of the
 * in-memory store. Writes change the state in place and register their undo with the
 * transaction, so that a transaction that throws, or a rollback to a savepoint, restores the
 * entries, the lines and every index exactly.
 *
 * <p>Each call holds the state's lock only while it runs; an undo takes it again. An outbox
 * write marks its key so that claims skip the entry until the transaction ends; claims never
 * change a marked key, so an undo finds the entry as this transaction left it.
 *
 * <p>Not thread-safe, like the transaction.
 */
final class MemoryOutboxStorage implements OutboxStorage {
  private final OutboxState s;
  private final MemoryTransaction tx;

  MemoryOutboxStorage(OutboxState state, MemoryTransaction transaction) {
    this.s = state;
    this.tx = transaction;
  }

  private void checkWritable() {
    if (!tx.writable()) {
      throw new IllegalStateException(
          "a read transaction cannot write the outbox or the delivery history");
    }
  }

  @Override
  public Optional<OutboxEntry> outbox(String key) {
    Objects.requireNonNull(key, "key");
    synchronized (s.lock) {
      return Optional.ofNullable(s.outbox.get(key));
    }
  }

  @Override
  public List<OutboxEntry> outbox(OutboxEntry.Status status, @Nullable String afterKey,
      int limit) {
    Objects.requireNonNull(status, "status");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    synchronized (s.lock) {
      TreeMap<String, OutboxEntry> m = s.byStatus.get(status);
      Collection<OutboxEntry> tail =
          afterKey == null ? m.values() : m.tailMap(afterKey, false).values();
      List<OutboxEntry> out = new ArrayList<>(Math.min(limit, 256));
      for (OutboxEntry e : tail) {
        if (out.size() == limit) {
          break;
        }
        out.add(e);
      }
      return List.copyOf(out);
    }
  }

  @Override
  public List<OutboxEntry> outboxOfProfile(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    synchronized (s.lock) {
      TreeMap<String, OutboxEntry> mine = s.byProfile.get(profile);
      return mine == null ? List.of() : List.copyOf(mine.values());
    }
  }

  @Override
  public boolean insertOutbox(OutboxEntry entry) {
    Objects.requireNonNull(entry, "entry");
    checkWritable();
    String key = entry.key();
    synchronized (s.lock) {
      if (s.outbox.containsKey(key)) {
        return false;
      }
      s.replace(null, entry);
      s.markWritten(tx, key);
    }
    tx.undo(() -> {
      synchronized (s.lock) {
        s.replace(s.outbox.get(key), null);
      }
    });
    return true;
  }

  @Override
  public void updateOutbox(OutboxEntry entry) {
    Objects.requireNonNull(entry, "entry");
    checkWritable();
    String key = entry.key();
    OutboxEntry old;
    synchronized (s.lock) {
      old = s.outbox.get(key);
      if (old == null) {
        throw new IllegalArgumentException(
            "updateOutbox: the workspace has no outbox entry with this key");
      }
      s.replace(old, entry);
      s.markWritten(tx, key);
    }
    tx.undo(() -> {
      synchronized (s.lock) {
        s.replace(s.outbox.get(key), old);
      }
    });
  }

  @Override
  public void deleteOutbox(String key) {
    Objects.requireNonNull(key, "key");
    checkWritable();
    OutboxEntry old;
    synchronized (s.lock) {
      old = s.outbox.get(key);
      if (old == null) {
        return;
      }
      s.replace(old, null);
      s.markWritten(tx, key);
    }
    tx.undo(() -> {
      synchronized (s.lock) {
        s.replace(s.outbox.get(key), old);
      }
    });
  }

  @Override
  public List<Delivery> deliveries(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    synchronized (s.lock) {
      TreeSet<Delivery> lines = s.deliveriesByProfile.get(profile);
      return lines == null ? List.of() : List.copyOf(lines);
    }
  }

  @Override
  public void putDelivery(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    checkWritable();
    Delivery old;
    synchronized (s.lock) {
      old = s.deliveries.put(delivery.id(), delivery);
      if (old != null) {
        s.unindexDelivery(old);
      }
      s.indexDelivery(delivery);
    }
    tx.undo(() -> {
      synchronized (s.lock) {
        s.unindexDelivery(delivery);
        if (old == null) {
          s.deliveries.remove(delivery.id());
        } else {
          s.deliveries.put(delivery.id(), old);
          s.indexDelivery(old);
        }
      }
    });
  }

  @Override
  public void deleteDeliveries(ProfileId profile) {
    Objects.requireNonNull(profile, "profile");
    checkWritable();
    TreeSet<Delivery> old;
    synchronized (s.lock) {
      old = s.deliveriesByProfile.remove(profile);
      if (old == null) {
        return;
      }
      for (Delivery d : old) {
        s.deliveries.remove(d.id());
      }
    }
    tx.undo(() -> {
      synchronized (s.lock) {
        s.deliveriesByProfile.put(profile, old);
        for (Delivery d : old) {
          s.deliveries.put(d.id(), d);
        }
      }
    });
  }
}
