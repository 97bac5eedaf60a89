package io.cdpkit.core.spi.extension;

import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.util.List;

/**
 * Sees the {@link Signal}s extensions emit, inside the write transaction that emitted them, so
 * that what it writes commits or rolls back with them.
 *
 * <p>Called synchronously on the emitting thread, during {@link
 * ExtensionContext#signal(WorkspaceId, WriteTransaction, List)}. The rules of {@link
 * ProfileObserver} apply: be fast, only read and write through the transaction (it may be run
 * again), and an exception fails the emitter's transaction.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface SignalObserver {
  /** Sees the signals of one step of a transaction, in the order emitted. */
  void signalled(WorkspaceId workspace, WriteTransaction transaction, List<Signal> signals);
}
