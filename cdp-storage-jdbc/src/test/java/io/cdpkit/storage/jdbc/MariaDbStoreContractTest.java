package io.cdpkit.storage.jdbc;

import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoreContractTest;
import java.util.IdentityHashMap;
import java.util.Map;

/** The storage contract on MariaDb (127.0.0.1), a fresh database per test. */
class MariaDbStoreContractTest extends StoreContractTest {
  private final Map<Store, TestDatabases.Scratch> scratch = new IdentityHashMap<>();

  @Override
  protected Store createStore() {
    TestDatabases.Scratch s = TestDatabases.mariadb();
    Store store = JdbcStore.create(s.dataSource());
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
