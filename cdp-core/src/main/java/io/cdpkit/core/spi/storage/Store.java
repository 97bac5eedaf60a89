package io.cdpkit.core.spi.storage;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.internal.memory.InMemoryStore;
import io.cdpkit.core.model.WorkspaceId;
import java.util.function.Function;

/**
 * Where CDPKit keeps events, the identity graph, profiles and the merge ledger. Every call names a
 * workspace, and a transaction sees and changes only that workspace's data.
 *
 * <p>The in-memory store ({@link #inMemory()}) is the reference implementation; every store must
 * pass the storage contract suite ({@code StoreContractTest} in the test-jar of cdp-core).
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

  /** Releases what the store holds. The default does nothing. */
  @Override
  default void close() {}

  /** A new, empty in-memory store: fast, thread-safe, and gone when the JVM ends. */
  static Store inMemory() {
    return new InMemoryStore();
  }
}
