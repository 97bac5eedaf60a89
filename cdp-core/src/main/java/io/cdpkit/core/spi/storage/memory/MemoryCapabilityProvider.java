package io.cdpkit.core.spi.storage.memory;

import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.util.Optional;
import java.util.function.Function;

/**
 * Gives the in-memory store a capability that a module owns (see
 * {@link io.cdpkit.core.spi.storage.ReadTransaction#capability}). The store finds providers with
 * {@link java.util.ServiceLoader} (a {@code META-INF/services} entry of this interface's name)
 * when it is created, keeps one state object per workspace and provider, and asks the provider
 * for the capability over that state when a transaction looks it up.
 *
 * <p>A transaction of the in-memory store holds its workspace's lock (shared for a read, alone
 * for a write), so a provider's state needs no lock of its own for what it does inside
 * transactions. Writes change the state in place and register their undo with
 * {@link MemoryTransaction#undo}, so a transaction that throws, or a rollback to a savepoint,
 * restores exactly what was there.
 *
 * <p>Implementations are thread-safe (they keep no state of their own besides what
 * {@link #newState} returns).
 */
public interface MemoryCapabilityProvider {
  /** A new, empty state for one workspace; the store keeps it as long as the workspace. */
  Object newState();

  /**
   * The capability of this type over one workspace's state, inside a transaction, or empty when
   * this provider does not give that type.
   */
  <C> Optional<C> open(Class<C> type, Object state, MemoryTransaction transaction);

  /**
   * A capability of the store that is not tied to a transaction (one that must not wait for a
   * workspace's writer, say), or empty when this provider does not give that type. The default
   * gives none.
   *
   * @param states a workspace's state of this provider (created when first asked)
   */
  default <C> Optional<C> openStore(Class<C> type, Function<WorkspaceId, Object> states) {
    return Optional.empty();
  }

  /**
   * Writes every record of one workspace's state into {@code target} (a write transaction of
   * another store, empty for the workspace), through this module's capability on it
   * ({@code target.require(...)}), so that the capability there answers every read as it does
   * over {@code state}. Called by {@link WorkspaceCopy} inside a transaction of the workspace
   * (its lock held, shared or alone), only for a state that was created; a state without
   * records writes nothing and asks {@code target} for nothing.
   *
   * @throws io.cdpkit.core.spi.storage.UnsupportedCapabilityException when the state holds
   *     records and {@code target} lacks the capability
   */
  void copy(Object state, WriteTransaction target);
}
