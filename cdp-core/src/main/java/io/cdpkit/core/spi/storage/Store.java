package io.cdpkit.core.spi.storage;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.internal.memory.InMemoryStore;
import io.cdpkit.core.model.WorkspaceId;
import java.util.function.Function;

/**
 * Where CDPKit keeps events, the identity graph, profiles and the merge ledger. Every call names a
 * workspace, and a transaction sees and changes only that workspace's data.
 *
 * <p>This interface and {@link ReadTransaction}/{@link WriteTransaction} hold only what the
 * engine itself stores. Everything else a store keeps is a capability, looked up by type
 * ({@link #capability}, {@link ReadTransaction#capability}): the core's
 * {@link MetadataStorage} and {@link PrivacyStorage}, and those modules own (segmentation's
 * memberships, activation's outbox).
 *
 * <p>The in-memory store ({@link #inMemory()}) is the reference implementation; every store must
 * pass the storage contract suites of the capabilities it offers ({@code StoreContractTest},
 * {@code MetadataStorageContractTest} and {@code PrivacyStorageContractTest} in the test-jar of
 * cdp-core, a module's own in its test-jar).
 *
 * <p>Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {
  /**
   * Runs {@code work} in a write transaction and commits it when {@code work} returns. When it
   * throws, nothing it wrote is kept and the exception propagates. A store may run {@code work}
   * more than once (to retry a serialization failure), so it must do nothing but read and write
   * through the transaction.
   *
   * @throws StorageException when the store fails; nothing was written
   */
  <T> T write(WorkspaceId workspace, Function<? super WriteTransaction, ? extends T> work);

  /**
   * Runs {@code work} against a consistent view of the workspace.
   *
   * @throws StorageException when the store fails
   */
  <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work);

  /**
   * A capability of this store that is not tied to a transaction (activation's outbox claims,
   * say): see {@link ReadTransaction#capability} for what a capability is. The default offers
   * none.
   *
   * @return the capability, or empty when this store does not have it
   */
  default <C> java.util.Optional<C> capability(Class<C> type) {
    java.util.Objects.requireNonNull(type, "type");
    return java.util.Optional.empty();
  }

  /** Releases what the store holds. The default does nothing. */
  @Override
  default void close() {}

  /** A new, empty in-memory store: fast, thread-safe, and gone when the JVM ends. */
  static Store inMemory() {
    return new InMemoryStore();
  }
}
