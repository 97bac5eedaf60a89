package io.cdpkit.core.spi.storage.support;

import io.cdpkit.core.spi.storage.StoreContractTest;
import io.cdpkit.core.spi.storage.Store;
import org.junit.jupiter.api.DisplayName;

@DisplayName("A store of plain maps on BufferedTransaction meets the storage contract")
class MapRowStoreContractTest extends StoreContractTest {
  @Override
  protected Store createStore() {
    return new MapRowStore();
  }
}
