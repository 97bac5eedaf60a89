package io.cdpkit.examples.cli;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options every command shares: where the data lives and which workspace. Mixed into each
 * command by picocli; not thread-safe.
 */
final class StoreOptions {
  @Option(names = "--db", paramLabel = "DIR",
      description = "Directory of the embedded H2 store, created when missing "
          + "(default: ${DEFAULT-VALUE}).", defaultValue = "target/cdp-data")
  Path db = Path.of("target", "cdp-data");

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

  /** The file in an H2 directory that one command at a time holds locked. */
  static final String LOCK_FILE = "cli.lock";

  /**
   * Opens the store and the engine, with segmentation attached. An H2 directory is first
   * locked ({@value #LOCK_FILE}) so that a second command on it fails at once instead of
   * writing beside the first.
   *
   * @throws CliException when another command holds the directory
   */
  Opened open() throws IOException {
    WorkspaceId id = workspaceId();
    FileChannel lockFile = null;
    FileLock lock = null;
    if (jdbc == null) {
      Files.createDirectories(db);
      lockFile = FileChannel.open(db.resolve(LOCK_FILE), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      try {
        lock = lockFile.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        lockFile.close();
        throw new CliException("another command is using the store in " + db
            + "; wait for it to finish");
      }
    }
    Store store = null;
    try {
      store = jdbc != null ? JdbcStore.create(new UrlDataSource(jdbc)) : JdbcStore.h2File(db);
      // History on: the console's chart reads it, and the tool is the store's only writer.
      Segmentation segmentation = Segmentation.builder().segmentHistory(true).build();
      Cdp cdp = Cdp.builder().store(store).extension(segmentation).build();
      return new Opened(store, cdp, cdp.workspace(id), segmentation, segmentation.segments(id),
          lockFile);
    } catch (RuntimeException e) {
      if (store != null) {
        store.close();
      }
      if (lockFile != null) {
        lockFile.close();
      }
      throw e;
    }
  }

  /** An open store and engine; closing closes both and releases the lock. Not thread-safe. */
  record Opened(Store store, Cdp cdp, Workspace workspace, Segmentation segmentation,
      Segments segments, @Nullable FileChannel lock) implements AutoCloseable {
    @Override
    public void close() {
      try {
        cdp.close();
      } finally {
        try {
          store.close();
        } finally {
          if (lock != null) {
            try {
              lock.close();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        }
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
