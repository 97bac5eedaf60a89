package io.cdpkit.storage.jdbc;

/** The storage contract on MariaDb at 127.0.0.1. */
class MariaDbStoreContractTest extends ServerStoreContractTest {
  @Override
  TestDatabases.Scratch newDatabase() {
    return TestDatabases.mariadb();
  }
}
