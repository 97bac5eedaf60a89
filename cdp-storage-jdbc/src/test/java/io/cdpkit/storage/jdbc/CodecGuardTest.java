package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database is opened only with the codec its data was written with: encryption and its
 * index key are recorded as a fingerprint at the first start.
 */
class CodecGuardTest {
  @TempDir
  Path dir;

  static Encryption keys(int indexSeed) {
    return Encryption.builder().dataKey("k1", EncryptionCodecTest.bytes(1, 32)).currentKey("k1")
        .indexKey(EncryptionCodecTest.bytes(indexSeed, 32)).build();
  }

  private void writeOne(JdbcStore store) {
    try (Cdp cdp = Cdp.builder().store(store).build()) {
      cdp.ingest(Event.identify().messageId("m1").userId("C-1").trait("email", "ada@example.com")
          .timestamp(Instant.parse("2026-01-01T00:00:00Z")).build());
    }
  }

  private JdbcStore open(Encryption keys) {
    JdbcStore.Builder b = JdbcStore.builder().h2File(dir);
    return (keys == null ? b : b.encryption(keys)).build();
  }

  @Test
  @DisplayName("an encrypted database opens again with the same keys and finds its people")
  void sameKeysOpen() {
    try (JdbcStore store = open(keys(7))) {
      writeOne(store);
    }
    try (JdbcStore store = open(keys(7)); Cdp cdp = Cdp.builder().store(store).build()) {
      assertThat(cdp.profiles().find(Identifier.email("ada@example.com"))).isPresent();
    }
  }

  @Test
  @DisplayName("an encrypted database is refused without encryption and with another index"
      + " key, and the message holds no key material")
  void encryptedRefusedOtherwise() {
    try (JdbcStore store = open(keys(7))) {
      writeOne(store);
    }
    assertThatThrownBy(() -> open(null)).isInstanceOf(StorageException.class)
        .hasMessageContaining("written with encryption")
        .hasMessageContaining("open it with its Encryption keys");
    assertThatThrownBy(() -> open(keys(8))).isInstanceOf(StorageException.class)
        .hasMessageContaining("another index key")
        .hasMessageNotContaining(HexFormat.of().formatHex(EncryptionCodecTest.bytes(8, 32)))
        .hasMessageNotContaining(HexFormat.of().formatHex(EncryptionCodecTest.bytes(7, 32)));
    // Refused before anything was written: the right keys still open it.
    try (JdbcStore store = open(keys(7)); Cdp cdp = Cdp.builder().store(store).build()) {
      assertThat(cdp.profiles().find(Identifier.email("ada@example.com"))).isPresent();
    }
  }

  @Test
  @DisplayName("a plain database is refused with encryption, also one written before the"
      + " codec was recorded")
  void plainRefusedWithEncryption() {
    try (JdbcStore store = open(null)) {
      writeOne(store);
    }
    assertThatThrownBy(() -> open(keys(7))).isInstanceOf(StorageException.class)
        .hasMessageContaining("written with no encryption");
    // As a database of the previous schema version: data, but no codec recorded.
    try (JdbcStore store = open(null)) {
      store.write(io.cdpkit.core.model.WorkspaceId.DEFAULT, tx -> null);
    }
    org.h2.jdbcx.JdbcDataSource raw = new org.h2.jdbcx.JdbcDataSource();
    raw.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("cdpkit"));
    raw.setUser("sa");
    try (var c = raw.getConnection(); var s = c.createStatement()) {
      s.execute("DELETE FROM cdp_codec");
      s.execute("SHUTDOWN");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThatThrownBy(() -> open(keys(7))).isInstanceOf(StorageException.class)
        .hasMessageContaining("only be turned on for a new database");
  }

  @Test
  @DisplayName("the builder refuses both a codec and encryption")
  void codecOrEncryption() {
    assertThatThrownBy(() -> JdbcStore.builder().piiCodec(PiiCodec.IDENTITY)
        .encryption(keys(7)).piiCodec(new PiiCodec() {
          @Override
          public String protect(String value) {
            return value;
          }

          @Override
          public String reveal(String stored) {
            return stored;
          }
        })).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("encryption was already set");
  }
}
