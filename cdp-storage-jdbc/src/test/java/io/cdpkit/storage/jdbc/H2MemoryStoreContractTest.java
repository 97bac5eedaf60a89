package io.cdpkit.storage.jdbc;

import io.cdpkit.core.spi.storage.Store;
import java.util.UUID;

/** The storage contract on an in-memory H2 database. */
class H2MemoryStoreContractTest extends StoreSuites {
  @Override
  protected Store createStore() {
    return JdbcStore.h2InMemory("contract-" + UUID.randomUUID());
  }
}
