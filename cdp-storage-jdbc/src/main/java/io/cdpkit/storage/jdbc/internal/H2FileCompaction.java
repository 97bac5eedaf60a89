package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.core.StorageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.mvstore.MVStoreTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the embedded H2 database's file after personal data was deleted, so that no byte of
 * it remains in the directory.
 *
 * <p>Why: H2's MVStore never overwrites in place. A deleted row stays in the chunk that held
 * it until H2 reuses that space, and it is kept at least for the retention time; a store
 * closed with {@code SHUTDOWN IMMEDIATELY} (as {@code JdbcStore} closes, see there) keeps
 * every old chunk. So an erased person's values stay readable in {@code cdpkit.mv.db}.
 *
 * <p>How: a write transaction that erases (writes a tombstone) or deletes events also writes
 * the metadata key {@link BufferedTx#COMPACTION_PENDING}, in the same commit. When the store
 * closes, and when it opens (before anything else, so an erasure followed by a crash is
 * covered; at open only when no other store of the JVM has the database open, whose close will
 * do it), the key is looked for; if present: the database is shut down, its live data is
 * copied into a new file ({@link MVStoreTool#compact(String, boolean)}, uncompressed: the
 * latest version of every map, no old chunk, no free space) that atomically replaces the old
 * one, H2's trace file and leftover temporary files in the directory are deleted, and only then
 * the key is deleted (in the new file; the page that held it carries no personal data). A crash
 * during the rewrite leaves the old file and the key: the next open rewrites again.
 *
 * <p>Cost: the rewrite reads and writes the whole file once per close (or open) after an
 * erasure, about as long as copying the file. Between an erasure and the store's close the old
 * bytes are still in the file.
 *
 * <p>Stateless; not for concurrent use on one directory (callers hold the database closed).
 */
public final class H2FileCompaction {
  private static final Logger LOG = LoggerFactory.getLogger(H2FileCompaction.class);

  /** The database's name inside its directory. */
  public static final String NAME = "cdpkit";

  private H2FileCompaction() {}

  /** Whether an open database notes a deletion not yet compacted. */
  public static boolean pending(Connection c) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM"
        + " INFORMATION_SCHEMA.TABLES WHERE UPPER(TABLE_NAME) = 'CDP_METADATA'")) {
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next() || rs.getLong(1) == 0) {
          return false;
        }
      }
    }
    try (PreparedStatement p = c.prepareStatement(
        "SELECT COUNT(*) FROM cdp_metadata WHERE meta_key = ?")) {
      p.setString(1, BufferedTx.COMPACTION_PENDING);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }

  /**
   * At open: when the database in {@code directory} notes a pending compaction (an erasure
   * whose close never came), shuts it down, rewrites it and clears the note. Call before the
   * store opens its pool.
   *
   * @param url the database's JDBC URL
   */
  public static void atOpen(Path directory, String url) {
    boolean pending;
    try (Connection c = connect(url)) {
      // Another store of this JVM has the database open (its close will compact): leave it.
      pending = pending(c) && sessions(c) == 1;
      if (pending) {
        shutdown(c);
      }
    } catch (SQLException e) {
      if ("90020".equals(e.getSQLState())) {
        // H2 locks its file while a process has it open: a second process is refused here.
        throw new StorageException("the H2 store in " + directory + " is open in another"
            + " process; an embedded H2 store serves one process at a time (several nodes"
            + " share PostgreSQL or MariaDB)", false, e);
      }
      throw JdbcStoreEngine.failure("checking the embedded database for a pending compaction",
          e);
    }
    if (pending) {
      LOG.info("CDPKit H2 store: rewriting the file after an erasure noted before a crash");
      rewrite(directory, url);
    }
  }

  /**
   * After the database in {@code directory} was shut down: rewrites its file and clears the
   * note.
   */
  public static void rewrite(Path directory, String url) {
    Path file = directory.resolve(NAME + ".mv.db");
    try {
      MVStoreTool.compact(file.toAbsolutePath().toString(), false);
    } catch (RuntimeException e) {
      // H2's own messages may quote data of the file: keep only the class.
      throw new StorageException("rewriting the embedded database's file failed ("
          + e.getClass().getSimpleName() + ")", false, null);
    }
    deleteLeftovers(directory);
    try (Connection c = connect(url)) {
      try (PreparedStatement p = c.prepareStatement(
          "DELETE FROM cdp_metadata WHERE meta_key = ?")) {
        p.setString(1, BufferedTx.COMPACTION_PENDING);
        p.executeUpdate();
      }
      shutdown(c);
    } catch (SQLException e) {
      throw JdbcStoreEngine.failure("clearing the pending compaction", e);
    }
    LOG.info("CDPKit H2 store: file rewritten after an erasure");
  }

  /** H2's trace file and temporary files: they may hold values of deleted rows. */
  private static void deleteLeftovers(Path directory) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(directory, NAME + ".*")) {
      for (Path p : s) {
        String n = p.getFileName().toString();
        if (n.endsWith(".trace.db") || n.endsWith(".temp.db") || n.endsWith(".tempFile")
            || n.endsWith(".trace.db.old")) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new StorageException("deleting the embedded database's temporary files failed",
          false, e);
    }
  }

  private static Connection connect(String url) throws SQLException {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(url);
    ds.setUser("sa");
    return ds.getConnection();
  }

  private static long sessions(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static void shutdown(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      // See JdbcStore#close for why not a plain SHUTDOWN.
      s.execute("SHUTDOWN IMMEDIATELY");
    }
  }
}
