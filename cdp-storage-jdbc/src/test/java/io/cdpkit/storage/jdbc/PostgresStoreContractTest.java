package io.cdpkit.storage.jdbc;

/** The storage contract on Postgres at 127.0.0.1. */
class PostgresStoreContractTest extends ServerStoreContractTest {
  @Override
  TestDatabases.Scratch newDatabase() {
    return TestDatabases.postgres();
  }
}
