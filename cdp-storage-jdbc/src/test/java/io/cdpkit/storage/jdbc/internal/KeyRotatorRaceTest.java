package io.cdpkit.storage.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.storage.jdbc.Encryption;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.spec.SecretKeySpec;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The race key rotation must lose: a writer changes a row after a rotation batch read it and
 * before the batch writes. The writer's value stays; the rotation counts the row as lost and
 * its next pass finds nothing left under the old key.
 */
class KeyRotatorRaceTest {
  static final Instant T = Instant.parse("2026-05-01T08:00:00Z");

  @TempDir
  Path dir;

  static byte[] key(int seed) {
    byte[] b = new byte[32];
    for (int i = 0; i < 32; i++) {
      b[i] = (byte) (seed * 31 + i * 17);
    }
    return b;
  }

  static Encryption keys(String current, String... ids) {
    Encryption.Builder b = Encryption.builder();
    for (String id : ids) {
      b.dataKey(id, key(id.hashCode()));
    }
    return b.currentKey(current).indexKey(key(42)).build();
  }

  static Event person(int i, String messageId, String city, Instant at) {
    return Event.identify().messageId(messageId).userId("C-" + i)
        .trait("email", "p" + i + "@example.com").trait("city", city).timestamp(at).build();
  }

  @Test
  @DisplayName("a write between a batch's read and its update survives the rotation")
  void writerWins() {
    try (JdbcStore store = JdbcStore.builder().h2File(dir).journal(false).encryption(keys("k1", "k1")).build();
        Cdp cdp = Cdp.builder().store(store).build()) {
      for (int i = 0; i < 5; i++) {
        cdp.ingest(person(i, "a" + i, "Utrecht", T));
      }
    }
    AesGcmCodec codec = new AesGcmCodec(Map.of("k1", new SecretKeySpec(key("k1".hashCode()),
        "AES"), "k2", new SecretKeySpec(key("k2".hashCode()), "AES")), "k2",
        new SecretKeySpec(key(42), "HmacSHA256"));
    Map<String, Long> result;
    try (JdbcStore store = JdbcStore.builder().h2File(dir).journal(false).encryption(keys("k2", "k1", "k2"))
        .build(); Cdp cdp = Cdp.builder().store(store).build()) {
      JdbcDataSource raw = new JdbcDataSource();
      raw.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("cdpkit"));
      raw.setUser("sa");
      AtomicBoolean once = new AtomicBoolean(true);
      KeyRotator rotator = new KeyRotator(raw, codec, 100, table -> {
        if (table.equals("cdp_profiles") && once.getAndSet(false)) {
          cdp.ingest(person(3, "w1", "Moved", T.plusSeconds(60)));
        }
      });
      result = rotator.run(() -> false, (table, rows, done) -> { });
      // Profile 3 was rewritten by the writer, not by the rotation.
      assertThat(result.get("cdp_profiles")).isEqualTo(4L);

    }
    try (JdbcStore store = JdbcStore.builder().h2File(dir).journal(false).encryption(keys("k2", "k2")).build();
        Cdp cdp = Cdp.builder().store(store).build()) {
      assertThat(cdp.profiles().find(Identifier.email("p3@example.com")).orElseThrow().traits())
          .containsEntry("city", "Moved");
      for (int i = 0; i < 5; i++) {
        assertThat(cdp.profiles().find(Identifier.email("p" + i + "@example.com"))).isPresent();
      }
    }
  }
}
