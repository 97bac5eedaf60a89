package io.cdpkit.activation.internal.memory;

import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.util.ArrayList;
import java.util.List;
import io.cdpkit.core.spi.storage.memory.MemoryCapabilityProvider;
import io.cdpkit.core.spi.storage.memory.MemoryTransaction;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Gives the in-memory store activation's capabilities: {@link OutboxStorage} in transactions
 * and {@link OutboxClaims} on the store. Registered in {@code META-INF/services}, so a host that
 * has this module on its class path gets them from {@code Store.inMemory()}.
 *
 * <p>Thread-safe; it keeps no state of its own (each workspace's is an {@link OutboxState}).
 */
public final class MemoryOutboxProvider implements MemoryCapabilityProvider {
  @Override
  public Object newState() {
    return new OutboxState();
  }

  @Override
  public <C> Optional<C> open(Class<C> type, Object state, MemoryTransaction transaction) {
    Objects.requireNonNull(type, "type");
    if (type != OutboxStorage.class) {
      return Optional.empty();
    }
    return Optional.of(type.cast(new MemoryOutboxStorage((OutboxState) state,
        Objects.requireNonNull(transaction, "transaction"))));
  }

  @Override
  public <C> Optional<C> openStore(Class<C> type, Function<WorkspaceId, Object> states) {
    Objects.requireNonNull(type, "type");
    if (type != OutboxClaims.class) {
      return Optional.empty();
    }
    return Optional.of(type.cast(new MemoryOutboxClaims(
        Objects.requireNonNull(states, "states"))));
  }

  /**
   * Writes the outbox entries (each as it is at this instant: claims change entries without the
   * workspace's lock, so they are taken under the state's own lock first) and the delivery
   * lines through {@code target}'s {@link OutboxStorage}; asks for nothing when the state holds
   * neither.
   */
  @Override
  public void copy(Object state, WriteTransaction target) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(target, "target");
    if (!(state instanceof OutboxState s)) {
      throw new IllegalArgumentException("state of another provider: " + state.getClass());
    }
    List<OutboxEntry> entries;
    List<Delivery> deliveries;
    synchronized (s.lock) {
      entries = new ArrayList<>(s.outbox.size());
      for (OutboxEntry.Status status : OutboxEntry.Status.values()) {
        entries.addAll(s.byStatus.get(status).values());
      }
      deliveries = new ArrayList<>(s.deliveries.values());
    }
    if (entries.isEmpty() && deliveries.isEmpty()) {
      return;
    }
    OutboxStorage out = target.require(OutboxStorage.class);
    for (OutboxEntry e : entries) {
      if (!out.insertOutbox(e)) {
        throw new IllegalArgumentException("target must hold no outbox entry of the workspace,"
            + " but already held the key of one copied");
      }
    }
    for (Delivery d : deliveries) {
      out.putDelivery(d);
    }
  }
}
