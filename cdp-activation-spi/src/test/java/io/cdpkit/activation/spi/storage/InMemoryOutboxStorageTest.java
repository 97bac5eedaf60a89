package io.cdpkit.activation.spi.storage;

import io.cdpkit.core.spi.storage.Store;

/** The outbox storage contract against {@code Store.inMemory()} (this module's provider). */
class InMemoryOutboxStorageTest extends OutboxStorageContractTest {
  @Override
  protected Store createStore() {
    return Store.inMemory();
  }

  @Override
  protected boolean claimsHoldBackEntriesOfRunningWriters() {
    return true;
  }
}
