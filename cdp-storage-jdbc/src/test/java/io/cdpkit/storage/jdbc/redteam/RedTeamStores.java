package io.cdpkit.storage.jdbc.redteam;

import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The stores the red-team suite attacks: the in-memory reference store, the embedded H2 file
 * store (the default configuration, no encryption), PostgreSQL and MariaDB. A PostgreSQL or
 * MariaDB test is skipped without a reachable server on a laptop and fails under
 * {@code CI=true} (see {@link TestDatabases}).
 *
 * <p>Use as a {@code @ParameterizedTest} with {@code @MethodSource(
 * "io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")}, then {@link #open(String)} in a
 * try-with-resources block. Not thread-safe.
 */
public final class RedTeamStores implements AutoCloseable {
  /** The store kinds every red-team test runs on. */
  public static Stream<String> kinds() {
    return Stream.of("memory", "h2file", "postgres", "mariadb");
  }

  private final String kind;
  private final TestDatabases.Scratch db;
  private final Path dir;

  private RedTeamStores(String kind, TestDatabases.Scratch db, Path dir) {
    this.kind = kind;
    this.db = db;
    this.dir = dir;
  }

  /** A fresh, empty place to keep stores of this kind; {@link #close()} removes it. */
  public static RedTeamStores open(String kind) {
    try {
      return switch (kind) {
        case "memory" -> new RedTeamStores(kind, null, null);
        case "h2file", "h2rows" ->
            new RedTeamStores(kind, null, Files.createTempDirectory("cdp-redteam"));
        case "postgres" -> new RedTeamStores(kind, TestDatabases.postgres(), null);
        case "mariadb" -> new RedTeamStores(kind, TestDatabases.mariadb(), null);
        default -> throw new IllegalArgumentException("unknown store kind " + kind);
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String kind() {
    return kind;
  }

  /**
   * A store on this place's data. For the database kinds and H2 file, a second call after the
   * first store was closed opens the same data again (a restart); the in-memory kind gives a
   * new, empty store each time. {@code h2file} is the journaled layout (one instance per
   * directory at a time), {@code h2rows} the row layout (instances side by side, as nodes).
   */
  public Store store() {
    return switch (kind) {
      case "memory" -> Store.inMemory();
      case "h2file" -> JdbcStore.h2File(dir);
      case "h2rows" -> JdbcStore.builder().h2File(dir).journal(false).build();
      default -> JdbcStore.create(db.dataSource());
    };
  }

  /** The H2 file store's directory, or {@code null} for the other kinds. */
  public Path h2Directory() {
    return dir;
  }

  /** The scratch database of PostgreSQL or MariaDB, or {@code null} for the other kinds. */
  public TestDatabases.Scratch database() {
    return db;
  }

  @Override
  public void close() {
    if (db != null) {
      TestDatabases.drop(db);
    }
    if (dir != null) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
