package io.cdpkit.segmentation.spi.storage;

import io.cdpkit.core.spi.storage.Store;

/**
 * {@link SegmentStorageContractTest} against core's in-memory store, which gets the capability
 * from this module ({@code MemorySegmentStorage}, found with {@link java.util.ServiceLoader}).
 */
class InMemorySegmentStorageContractTest extends SegmentStorageContractTest {
  @Override
  protected Store createStore() {
    return Store.inMemory();
  }
}
