package io.cdpkit.core.internal.memory;

import io.cdpkit.core.spi.storage.MetadataStorageContractTest;
import io.cdpkit.core.spi.storage.Store;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The in-memory store meets the MetadataStorage contract")
class InMemoryMetadataStorageContractTest extends MetadataStorageContractTest {
  @Override
  protected Store createStore() {
    return Store.inMemory();
  }
}
