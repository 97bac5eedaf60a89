package io.cdpkit.storage.jdbc;

import io.cdpkit.core.spi.storage.Store;
import java.util.UUID;

/**
 * The storage contract on an in-memory H2 database with encryption at rest: every column
 * holding personal data encrypted, identifiers looked up by blind index.
 */
class H2EncryptedStoreContractTest extends StoreSuites {
  @Override
  protected Store createStore() {
    return JdbcStore.builder().h2InMemory("contract-enc-" + UUID.randomUUID())
        .encryption(EncryptionAtRestTest.keys()).build();
  }
}
