package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Key rotation while people keep being ingested: afterwards no value is stored under the old
 * key id anywhere, a store holding only the new key reads every profile, and every profile
 * shows the last write made to it (the rotation undid none).
 */
class KeyRotationTest {
  static final Instant T = Instant.parse("2026-05-01T08:00:00Z");
  static final int PEOPLE = 300;

  @TempDir
  Path dir;

  static Encryption keys(String current, String... ids) {
    Encryption.Builder b = Encryption.builder();
    for (String id : ids) {
      b.dataKey(id, EncryptionCodecTest.bytes(id.hashCode(), 32));
    }
    return b.currentKey(current).indexKey(EncryptionCodecTest.bytes(42, 32)).build();
  }

  static Event person(int i, String messageId, String city) {
    return person(i, messageId, city, T.plusSeconds(i));
  }

  static Event person(int i, String messageId, String city, Instant at) {
    return Event.identify().messageId(messageId).userId("C-" + i)
        .trait("email", "person" + i + "@example.com").trait("name", "Person " + i)
        .trait("city", city).timestamp(at).build();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("rotation under concurrent ingestion leaves no old key id and every profile"
      + " readable with the new key alone")
  void rotatesUnderIngestion(String kind) throws Exception {
    TestDatabases.Scratch db = kind.equals("h2") ? null : kind.equals("postgres")
        ? TestDatabases.postgres() : TestDatabases.mariadb();
    try {
      // Written under k1.
      try (JdbcStore store = open(db, keys("k1", "k1"));
          Cdp cdp = Cdp.builder().store(store).build()) {
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < PEOPLE; i++) {
          batch.add(person(i, "a" + i, "Utrecht"));
          batch.add(Event.track("Order Completed").messageId("o" + i).userId("C-" + i)
              .property("order_id", "W-" + i).property("total", 10 + i)
              .property("currency", "EUR").timestamp(T.plusSeconds(i)).build());
        }
        // Merges: every tenth person's loyalty card is seen first on its own.
        for (int i = 0; i < PEOPLE; i += 10) {
          batch.add(Event.track("Scan").messageId("s" + i)
              .identifier(io.cdpkit.core.model.IdentifierType.LOYALTY_CARD, "L" + i)
              .timestamp(T.plusSeconds(i)).build());
          batch.add(Event.identify().messageId("l" + i).userId("C-" + i)
              .identifier(io.cdpkit.core.model.IdentifierType.LOYALTY_CARD, "L" + i)
              .timestamp(T.plusSeconds(i + 1)).build());
        }
        assertThat(cdp.ingest(batch).stored()).isEqualTo(batch.size());
      }
      assertThat(keyIdsInUse(dataSource(db))).containsOnlyKeys("k1");

      // k2 becomes current; rotation runs while a writer keeps ingesting.
      Map<String, Long> done = new ConcurrentHashMap<>();
      List<String> finished = new CopyOnWriteArrayList<>();
      AtomicInteger written = new AtomicInteger();
      Map<Integer, String> lastCity = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      int writtenBefore;
      int writtenDuring;
      Map<String, Long> result;
      try (JdbcStore store = open(db, keys("k2", "k1", "k2"));
          Cdp cdp = Cdp.builder().store(store).build()) {
        Thread writer = new Thread(() -> {
          for (int n = 0; !stop.get(); n++) {
            int i = (n * 7) % (PEOPLE + 50); // existing people and new ones
            cdp.ingest(person(i, "w" + n, "Delft " + n, T.plusSeconds(100_000 + n)));
            lastCity.put(i, "Delft " + n);
            written.incrementAndGet();
          }
        });
        writer.start();
        while (written.get() < 5) {
          Thread.sleep(5);
        }
        writtenBefore = written.get();
        KeyRotation rotation = store.rotateKeysInBackground((table, rows, tableDone) -> {
          done.put(table, rows);
          if (tableDone) {
            finished.add(table);
          }
        });
        result = rotation.await();
        writtenDuring = written.get() - writtenBefore;
        stop.set(true);
        writer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(rotation.isDone()).isTrue();
      }
      assertThat(keyIdsInUse(dataSource(db))).containsOnlyKeys("k2");
      assertThat(writtenDuring).as("events ingested while rotating").isPositive();
      assertThat(finished).containsExactly("cdp_events", "cdp_nodes", "cdp_components",
          "cdp_links", "cdp_profiles", "cdp_profile_orders", "cdp_ledger", "cdp_metadata",
          "cdp_outbox", "cdp_deliveries", "cdp_audit");
      assertThat(result).isEqualTo(done);
      assertThat(result.get("cdp_events")).isGreaterThanOrEqualTo(2L * PEOPLE);
      assertThat(result.get("cdp_nodes")).isGreaterThanOrEqualTo(PEOPLE);
      assertThat(result.get("cdp_ledger")).isPositive();

      // The old key is gone: everything reads with k2 alone.
      try (JdbcStore store = open(db, keys("k2", "k2"));
          Cdp cdp = Cdp.builder().store(store).build()) {
        for (int i = 0; i < PEOPLE; i++) {
          Profile p = cdp.profiles().find(Identifier.email("person" + i + "@example.com"))
              .orElseThrow();
          assertThat(p.traits()).containsEntry("name", "Person " + i)
              .containsEntry("city", lastCity.getOrDefault(i, "Utrecht"));
          assertThat(cdp.profiles().events(p.id())).isNotEmpty();
          if (i % 10 == 0) {
            assertThat(cdp.profiles().ledger(p.id())).isNotEmpty();
            assertThat(cdp.profiles().find(Identifier.loyaltyCard("L" + i)).orElseThrow().id())
                .isEqualTo(p.id());
          }
        }
        // Another rotation finds nothing left to do.
        assertThat(store.rotateKeys(KeyRotation.Listener.NONE).values()).containsOnly(0L);
      }
    } finally {
      if (db != null) {
        TestDatabases.drop(db);
      }
    }
  }

  @Test
  @DisplayName("without the old key, reading what it encrypted fails naming its key id; a"
      + " store without encryption cannot rotate")
  void oldKeyMissing() {
    try (JdbcStore store = open(null, keys("k1", "k1"));
        Cdp cdp = Cdp.builder().store(store).build()) {
      cdp.ingest(person(1, "a1", "Gouda"));
    }
    try (JdbcStore store = open(null, keys("k2", "k2"));
        Cdp cdp = Cdp.builder().store(store).build()) {
      assertThatThrownBy(() -> cdp.profiles().find(Identifier.email("person1@example.com")))
          .isInstanceOf(StorageException.class).hasMessageContaining("key id k1")
          .hasMessageNotContaining("person1");
      assertThatThrownBy(() -> store.rotateKeys(KeyRotation.Listener.NONE))
          .isInstanceOf(StorageException.class).hasMessageContaining("key id k1");
    }
    try (JdbcStore store = JdbcStore.h2InMemory("no-rotation-" + System.nanoTime())) {
      assertThatThrownBy(() -> store.rotateKeys(KeyRotation.Listener.NONE))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("encryption");
    }
  }

  @Test
  @DisplayName("a background rotation stops between batches when asked")
  void stops() throws Exception {
    try (JdbcStore store = open(null, keys("k1", "k1"));
        Cdp cdp = Cdp.builder().store(store).build()) {
      List<Event> batch = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        batch.add(person(i, "a" + i, "Breda"));
      }
      cdp.ingest(batch);
    }
    try (JdbcStore store = open(null, keys("k2", "k1", "k2"))) {
      AtomicBoolean first = new AtomicBoolean(true);
      KeyRotation[] self = new KeyRotation[1];
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
      KeyRotation r = store.rotateKeysInBackground(command -> new Thread(() -> {
        try {
          started.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        command.run();
      }).start(), (table, rows, tableDone) -> {
        if (first.getAndSet(false)) {
          self[0].stop();
        }
      });
      self[0] = r;
      started.countDown();
      Map<String, Long> result = r.await();
      assertThat(r.isStopped()).isTrue();
      assertThat(result).containsOnlyKeys("cdp_events");
      assertThat(result.get("cdp_events")).isEqualTo(JdbcStore.ROTATION_BATCH);
      assertThat(keyIdsInUse(dataSource(null))).containsKeys("k1", "k2");
    }
  }

  private JdbcStore open(TestDatabases.Scratch db, Encryption keys) {
    // H2 in the row layout: this test is about rotating the row tables. The journaled layout's
    // rotation (a snapshot of everything under the current key) is JournaledLayoutTest's.
    JdbcStore.Builder b = db == null ? JdbcStore.builder().h2File(dir).journal(false)
        : JdbcStore.builder().dataSource(db.dataSource());
    return b.encryption(keys).build();
  }

  private DataSource dataSource(TestDatabases.Scratch db) {
    if (db != null) {
      return db.dataSource();
    }
    org.h2.jdbcx.JdbcDataSource raw = new org.h2.jdbcx.JdbcDataSource();
    raw.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("cdpkit"));
    raw.setUser("sa");
    return raw;
  }

  /** Cells per key id of their ciphertext, over every table of the catalog. */
  static Map<String, Long> keyIdsInUse(DataSource ds) throws Exception {
    Map<String, Long> out = new java.util.TreeMap<>();
    EncryptionAtRestTest.scan(ds).values().forEach(cells -> {
      for (String cell : cells) {
        String id = io.cdpkit.storage.jdbc.internal.AesGcmCodec.keyIdOf(cell);
        if (id != null) {
          out.merge(id, 1L, Long::sum);
        }
      }
    });
    return out;
  }
}
