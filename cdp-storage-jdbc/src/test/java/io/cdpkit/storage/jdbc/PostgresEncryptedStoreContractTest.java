package io.cdpkit.storage.jdbc;

import io.cdpkit.core.spi.storage.Store;

/** The storage contract on Postgres at 127.0.0.1 with encryption at rest. */
class PostgresEncryptedStoreContractTest extends ServerStoreContractTest {
  @Override
  TestDatabases.Scratch newDatabase() {
    return TestDatabases.postgres();
  }

  @Override
  Store open(TestDatabases.Scratch s) {
    return JdbcStore.builder().dataSource(s.dataSource())
        .encryption(EncryptionAtRestTest.keys()).build();
  }
}
