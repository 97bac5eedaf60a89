package io.cdpkit.storage.jdbc;

import io.cdpkit.core.spi.storage.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The storage contract on an H2 file database in the row layout (no journal). */
class H2FileStoreContractTest extends StoreSuites {
  private final Map<Store, Path> dirs = new IdentityHashMap<>();

  /** How the store is built on its directory. */
  protected JdbcStore.Builder builder(Path dir) {
    return JdbcStore.builder().h2File(dir).journal(false);
  }

  @Override
  protected Store createStore() {
    try {
      Path dir = Files.createTempDirectory("cdpkit-h2-");
      Store s = builder(dir).build();
      dirs.put(s, dir);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void closeStore(Store store) {
    store.close();
    Path dir = dirs.remove(store);
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
