package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.StorageException;
import io.cdpkit.storage.jdbc.internal.AesGcmCodec;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The AES-GCM codec and the keys that make it: round trips, tampering and moved text detected,
 * unknown key ids named, fresh nonces, deterministic blind indexes, and no key material or data
 * in any text.
 */
class EncryptionCodecTest {
  static byte[] bytes(int seed, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed * 31 + i * 17);
    }
    return b;
  }

  static Encryption keys(String current, String... ids) {
    Encryption.Builder b = Encryption.builder();
    for (String id : ids) {
      b.dataKey(id, bytes(id.hashCode(), 32));
    }
    return b.currentKey(current).indexKey(bytes(99, 32)).build();
  }

  static final AesGcmCodec CODEC = keys("k1", "k1").codec();

  @Provide
  Arbitrary<String> texts() {
    // Whole code points (no lone surrogates, which UTF-8 cannot carry), any plane.
    return Arbitraries.integers().between(0, 0x10FFFF)
        .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
        .list().ofMaxSize(300)
        .map(cps -> {
          StringBuilder b = new StringBuilder();
          cps.forEach(b::appendCodePoint);
          return b.toString();
        });
  }

  @Property(tries = 300)
  @Label("reveal(protect(x)) is x, for any text, workspace and column")
  void roundTrip(@ForAll("texts") String value, @ForAll @AlphaChars @StringLength(max = 20)
      String workspace, @ForAll @NumericChars @StringLength(max = 20) String column) {
    String stored = CODEC.protect(workspace, column, value);
    assertThat(stored).startsWith("e1:k1:");
    assertThat(CODEC.reveal(workspace, column, stored)).isEqualTo(value);
  }

  @Property(tries = 200)
  @Label("changing any one character of the ciphertext is detected")
  void tamperingDetected(@ForAll("texts") String value, @ForAll int where) {
    String stored = CODEC.protect("ws", "cdp_profiles.body", value);
    int from = "e1:k1:".length();
    int at = from + Math.floorMod(where, stored.length() - from);
    char replacement = stored.charAt(at) == 'A' ? 'B' : 'A';
    String altered = stored.substring(0, at) + replacement + stored.substring(at + 1);
    // Some single-character changes keep the bytes (the unused low bits of the last base64
    // character): those must read back unchanged, every other one must fail.
    byte[] a = Base64.getDecoder().decode(stored.substring(from));
    byte[] b;
    try {
      b = Base64.getDecoder().decode(altered.substring(from));
    } catch (IllegalArgumentException e) {
      b = null;
    }
    if (b != null && java.util.Arrays.equals(a, b)) {
      assertThat(CODEC.reveal("ws", "cdp_profiles.body", altered)).isEqualTo(value);
    } else {
      assertThatThrownBy(() -> CODEC.reveal("ws", "cdp_profiles.body", altered))
          .isInstanceOf(StorageException.class).hasMessageContaining("cdp_profiles.body");
    }
  }

  @Test
  @DisplayName("a flipped tag bit fails as an authentication failure naming column and key id")
  void tagChecked() {
    String stored = CODEC.protect("ws", "cdp_profiles.body", "Marguerite");
    byte[] raw = Base64.getDecoder().decode(stored.substring(6));
    raw[raw.length - 1] ^= 1;
    String altered = "e1:k1:" + Base64.getEncoder().withoutPadding().encodeToString(raw);
    assertThatThrownBy(() -> CODEC.reveal("ws", "cdp_profiles.body", altered))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("authentication tag does not match")
        .hasMessageContaining("key id k1").hasMessageNotContaining("Marguerite");
  }

  @Test
  @DisplayName("text moved to another column or workspace does not read")
  void boundToPlace() {
    String stored = CODEC.protect("ws-a", "cdp_profiles.body", "{\"name\":\"Ada\"}");
    assertThatThrownBy(() -> CODEC.reveal("ws-a", "cdp_events.body", stored))
        .isInstanceOf(StorageException.class).hasMessageContaining("cdp_events.body");
    assertThatThrownBy(() -> CODEC.reveal("ws-b", "cdp_profiles.body", stored))
        .isInstanceOf(StorageException.class);
  }

  @Test
  @DisplayName("a value under an unknown key id fails naming the key id, never the data")
  void unknownKeyId() {
    String stored = keys("k0", "k0").codec().protect("ws", "cdp_events.body", "Oyelaran");
    assertThatThrownBy(() -> CODEC.reveal("ws", "cdp_events.body", stored))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("key id k0").hasMessageContaining("cdp_events.body")
        .hasMessageNotContaining("Oyelaran")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
  }

  @Test
  @DisplayName("plain text where ciphertext is expected fails, without quoting it")
  void plaintextRefused() {
    assertThatThrownBy(() -> CODEC.reveal("ws", "cdp_events.body", "{\"email\":\"a@b.c\"}"))
        .isInstanceOf(StorageException.class).hasMessageContaining("not encrypted")
        .hasMessageNotContaining("a@b.c");
  }

  @Test
  @DisplayName("every encryption draws a fresh nonce: 20,000 of one value are all different")
  void noncesUnique() {
    Set<String> nonces = new HashSet<>();
    Set<String> texts = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      String stored = CODEC.protect("ws", "c", "same value");
      texts.add(stored);
      byte[] raw = Base64.getDecoder().decode(stored.substring(6));
      nonces.add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(raw, 12)));
    }
    assertThat(nonces).hasSize(20_000);
    assertThat(texts).hasSize(20_000);
  }

  @Test
  @DisplayName("a store with old and new keys reads both and writes under the current one")
  void oldKeysStillRead() {
    String old = CODEC.protect("ws", "c", "value");
    AesGcmCodec rotated = keys("k2", "k1", "k2").codec();
    assertThat(rotated.reveal("ws", "c", old)).isEqualTo("value");
    String now = rotated.protect("ws", "c", "value");
    assertThat(now).startsWith("e1:k2:");
    assertThat(rotated.isCurrent(now)).isTrue();
    assertThat(rotated.isCurrent(old)).isFalse();
    assertThat(AesGcmCodec.keyIdOf(old)).isEqualTo("k1");
  }

  @Property(tries = 200)
  @Label("blind indexes are deterministic, keyed, and differ by workspace and type")
  void blindIndex(@ForAll @StringLength(min = 1, max = 60) String value) {
    String h = CODEC.protectKey("ws", "email", value);
    assertThat(h).startsWith("h1:").hasSizeLessThanOrEqualTo(512)
        .isEqualTo(keys("k1", "k1").codec().protectKey("ws", "email", value));
    assertThat(h).isNotEqualTo(CODEC.protectKey("ws2", "email", value))
        .isNotEqualTo(CODEC.protectKey("ws", "phone", value));
    AesGcmCodec otherIndex = Encryption.builder().dataKey("k1", bytes("k1".hashCode(), 32))
        .currentKey("k1").indexKey(bytes(98, 32)).build().codec();
    assertThat(otherIndex.protectKey("ws", "email", value)).isNotEqualTo(h);
    assertThat(otherIndex.fingerprint()).isNotEqualTo(CODEC.fingerprint());
  }

  @Test
  @DisplayName("toString names key ids only; keys are checked when given")
  void keysChecked() {
    byte[] secret = bytes(5, 32);
    Encryption e = Encryption.builder().dataKey("k1", secret).currentKey("k1")
        .indexKey(bytes(6, 40)).build();
    String hex = java.util.HexFormat.of().formatHex(secret);
    assertThat(e.toString()).isEqualTo("Encryption[current=k1, keyIds=[k1]]")
        .doesNotContain(hex);
    assertThat(e.codec().toString()).doesNotContain(hex)
        .doesNotContain(Base64.getEncoder().encodeToString(secret));
    assertThatThrownBy(() -> Encryption.builder().dataKey("k1", new byte[16]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> Encryption.builder().dataKey("k:1", secret))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyId");
    assertThatThrownBy(() -> Encryption.builder().dataKey("k1", secret).currentKey("k2")
        .indexKey(bytes(6, 32)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("names no dataKey");
    assertThatThrownBy(() -> Encryption.builder().dataKey("k1", secret).currentKey("k1")
        .indexKey(secret).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("must differ");
    assertThatThrownBy(() -> Encryption.builder().dataKey("k1",
        new SecretKeySpec(bytes(1, 32), "HmacSHA256")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AES");
    assertThatThrownBy(() -> Encryption.builder().dataKey("k1", secret).currentKey("k1")
        .build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("indexKey is required");
  }
}
