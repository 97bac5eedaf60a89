package io.cdpkit.core.internal.memory;

import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoreContractTest;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The in-memory store meets the storage contract")
class InMemoryStoreContractTest extends StoreContractTest {
  @Override
  protected Store createStore() {
    return Store.inMemory();
  }
}
