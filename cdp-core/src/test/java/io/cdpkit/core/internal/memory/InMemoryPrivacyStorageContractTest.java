package io.cdpkit.core.internal.memory;

import io.cdpkit.core.spi.storage.PrivacyStorageContractTest;
import io.cdpkit.core.spi.storage.Store;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The in-memory store meets the PrivacyStorage contract")
class InMemoryPrivacyStorageContractTest extends PrivacyStorageContractTest {
  @Override
  protected Store createStore() {
    return Store.inMemory();
  }
}
