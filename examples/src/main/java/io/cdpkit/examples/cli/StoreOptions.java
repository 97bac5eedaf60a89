package io.cdpkit.examples.cli;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options every command shares: where the data lives and which workspace. Mixed into each
 * command by picocli; not thread-safe.
 */
final class StoreOptions {
  @Option(names = "--db", paramLabel = "DIR",
      description = "Directory of the embedded H2 store, created when missing "
          + "(default: ${DEFAULT-VALUE}).", defaultValue = "cdp-data")
  Path db = Path.of("cdp-data");

  @Option(names = "--jdbc", paramLabel = "URL",
      description = "A PostgreSQL or MariaDB/MySQL database instead of --db, e.g. "
          + "jdbc:postgresql://127.0.0.1:5432/test?user=postgres.")
  @Nullable String jdbc;

  @Option(names = {"-w", "--workspace"}, paramLabel = "ID",
      description = "The workspace (default: ${DEFAULT-VALUE}).", defaultValue = "default")
  String workspace = "default";

  /** The workspace id, checked. */
  WorkspaceId workspaceId() {
    return WorkspaceId.of(workspace);
  }

  /** Opens the store and the engine, with segmentation attached. */
  Opened open() {
    WorkspaceId id = workspaceId();
    Store store = jdbc != null ? JdbcStore.create(new UrlDataSource(jdbc)) : JdbcStore.h2File(db);
    try {
      Segmentation segmentation = Segmentation.builder().build();
      Cdp cdp = Cdp.builder().store(store).extension(segmentation).build();
      return new Opened(store, cdp, cdp.workspace(id), segmentation.segments(id));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** An open store and engine; closing closes both. Not thread-safe. */
  record Opened(Store store, Cdp cdp, Workspace workspace, Segments segments)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        cdp.close();
      } finally {
        store.close();
      }
    }
  }

  /** Where the data lives, for messages (a JDBC URL without its parameters). */
  String where() {
    if (jdbc == null) {
      return db.toString();
    }
    int q = jdbc.indexOf('?');
    return q < 0 ? jdbc : jdbc.substring(0, q);
  }
}
