package io.cdpkit.core.spi.storage.support;

import io.cdpkit.core.spi.storage.MetadataStorageContractTest;
import io.cdpkit.core.spi.storage.Store;
import org.junit.jupiter.api.DisplayName;

@DisplayName("A store of plain maps on BufferedTransaction meets the MetadataStorage contract")
class MapRowMetadataStorageContractTest extends MetadataStorageContractTest {
  @Override
  protected Store createStore() {
    return new MapRowStore();
  }
}
