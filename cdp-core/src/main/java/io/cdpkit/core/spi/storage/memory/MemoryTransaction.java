package io.cdpkit.core.spi.storage.memory;

/**
 * What an in-memory capability ({@link MemoryCapabilityProvider}) sees of the transaction it is
 * used in. Not thread-safe, like the transaction.
 */
public interface MemoryTransaction {
  /** Whether this is a write transaction: in a read transaction a capability's writes throw. */
  boolean writable();

  /**
   * Registers how to undo a change just made to a provider's state. Undo actions run newest
   * first when the transaction throws, or when it rolls back to a savepoint taken before this
   * call; they are dropped when it commits.
   *
   * @throws IllegalStateException in a read transaction
   */
  void undo(Runnable undo);

  /** Runs {@code action} when the transaction ends, whether it committed or not. */
  void onEnd(Runnable action);
}
