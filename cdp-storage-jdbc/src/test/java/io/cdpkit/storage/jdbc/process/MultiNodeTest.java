package io.cdpkit.storage.jdbc.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.SlowSuite;
import io.cdpkit.storage.jdbc.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs ingest overlapping shoppers into one database at the same time (each its share
 * of one stream, and every fifth event all of them); the final profiles must equal those of one
 * in-memory instance that ingested the whole stream once.
 */
@SlowSuite
class MultiNodeTest {
  static final long SEED = 0xBEEFL;
  static final int SHOPPERS = 30;
  static final int EVENTS = 3_000;
  static final int NODES = 3;

  @Test
  @DisplayName("three processes on one PostgreSQL end with the profiles of a single ingest")
  void postgres(@TempDir Path tmp) throws Exception {
    run(tmp, TestDatabases::postgres);
  }

  @Test
  @DisplayName("three processes on one MariaDB end with the profiles of a single ingest")
  void mariadb(@TempDir Path tmp) throws Exception {
    run(tmp, TestDatabases::mariadb);
  }

  @Test
  @DisplayName("three processes opening an empty PostgreSQL database at once all start")
  void postgresStartTogether(@TempDir Path tmp) throws Exception {
    startTogether(tmp, TestDatabases::postgres);
  }

  @Test
  @DisplayName("three processes opening an empty MariaDB database at once all start")
  void mariadbStartTogether(@TempDir Path tmp) throws Exception {
    startTogether(tmp, TestDatabases::mariadb);
  }

  /** Five times: a fresh database, three JVMs connected and waiting, then all open a store. */
  private static void startTogether(Path tmp, Supplier<TestDatabases.Scratch> database)
      throws Exception {
    for (int round = 0; round < 5; round++) {
      TestDatabases.Scratch db = database.get();
      List<Child> children = new ArrayList<>();
      try {
        for (int n = 0; n < NODES; n++) {
          children.add(new Child(tmp.resolve("open-" + round + "-" + n + ".log"), "open",
              db.url(), db.user()));
        }
        for (Child c : children) {
          c.awaitReady();
        }
        for (Child c : children) {
          c.go();
        }
        for (Child c : children) {
          assertThat(c.await(120)).as("round %d exit code; stderr: %s", round, c.stderr())
              .isZero();
        }
      } finally {
        for (Child c : children) {
          c.close();
        }
        TestDatabases.drop(db);
      }
    }
  }

  private static void run(Path tmp, Supplier<TestDatabases.Scratch> database) throws Exception {
    TestDatabases.Scratch db = database.get();
    try {
      // The schema exists before the children start, so they race on data, not on migrations.
      JdbcStore.builder().dataSource(db.dataSource()).build().close();
      List<Child> children = new ArrayList<>();
      try {
        for (int n = 0; n < NODES; n++) {
          children.add(new Child(tmp.resolve("node-" + n + ".log"), "jdbc", db.url(), db.user(),
              Long.toString(SEED), Integer.toString(SHOPPERS), Integer.toString(EVENTS),
              Integer.toString(n), Integer.toString(NODES)));
        }
        for (Child c : children) {
          c.awaitReady();
        }
        for (Child c : children) {
          c.go();
        }
        for (Child c : children) {
          assertThat(c.await(300)).as("exit code; stderr: %s", c.stderr()).isZero();
          assertThat(c.done()).isTrue();
        }
      } finally {
        for (Child c : children) {
          c.close();
        }
      }
      List<Event> stream = Shoppers.stream(SEED, SHOPPERS, EVENTS);
      Set<Identifier> universe = Shoppers.identifiers(SHOPPERS);
      try (JdbcStore store = JdbcStore.builder().dataSource(db.dataSource()).build();
          Cdp cdp = Cdp.builder().store(store).build()) {
        assertThat(ProfileCheck.storedMessageIds(cdp, universe)).hasSize(EVENTS);
        ProfileCheck.sameAsInMemory(cdp, stream, universe);
      }
    } finally {
      TestDatabases.drop(db);
    }
  }
}
