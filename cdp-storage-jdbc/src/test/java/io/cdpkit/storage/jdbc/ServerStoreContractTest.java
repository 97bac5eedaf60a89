package io.cdpkit.storage.jdbc;

import io.cdpkit.core.spi.storage.Store;
import java.util.IdentityHashMap;
import java.util.Map;

/** The storage contract on a database server, a fresh database per test, dropped after it. */
abstract class ServerStoreContractTest extends StoreSuites {
  private final Map<Store, TestDatabases.Scratch> scratch = new IdentityHashMap<>();

  /** A new, empty database on the server. */
  abstract TestDatabases.Scratch newDatabase();

  /** The store on a new database; plain by default. */
  Store open(TestDatabases.Scratch s) {
    return JdbcStore.create(s.dataSource());
  }

  @Override
  protected Store createStore() {
    TestDatabases.Scratch s = newDatabase();
    Store store = open(s);
    scratch.put(store, s);
    return store;
  }

  @Override
  protected void closeStore(Store store) {
    store.close();
    TestDatabases.Scratch s = scratch.remove(store);
    if (s != null) {
      TestDatabases.drop(s);
    }
  }
}
