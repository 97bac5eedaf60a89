package io.cdpkit.activation.internal.memory;

import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.WorkspaceId;
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
}
