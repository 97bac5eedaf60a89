package io.cdpkit.core.spi.storage.support;

import io.cdpkit.core.spi.storage.PrivacyStorageContractTest;
import io.cdpkit.core.spi.storage.Store;
import org.junit.jupiter.api.DisplayName;

@DisplayName("A store of plain maps on BufferedTransaction meets the PrivacyStorage contract")
class MapRowPrivacyStorageContractTest extends PrivacyStorageContractTest {
  @Override
  protected Store createStore() {
    return new MapRowStore();
  }
}
