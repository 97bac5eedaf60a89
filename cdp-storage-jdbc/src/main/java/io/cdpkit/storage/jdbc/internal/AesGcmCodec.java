package io.cdpkit.storage.jdbc.internal;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.internal.Text;
import io.cdpkit.storage.jdbc.PiiCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.jspecify.annotations.Nullable;

/**
 * Encryption at rest: documents as {@code e1:<keyId>:<base64(nonce || ciphertext || tag)>},
 * AES-256-GCM with a random 96-bit nonce per value and a 128-bit tag; identifier lookup texts as
 * {@code h1:<base64(HMAC-SHA256(indexKey, workspace, type, value))>}.
 *
 * <p>The associated data of each ciphertext is its workspace and column (length-prefixed UTF-8):
 * a ciphertext copied into another column or another workspace fails its tag check. It does
 * not name the row (a link's component changes while its text stays, and the ledger's and the
 * links' keys are numbered by the database on insert), so text moved between rows of one
 * column of one workspace still reads.
 *
 * <p>Errors are {@link StorageException}s (not retryable) naming the column and, where known,
 * the key id; never the data. Cipher, MAC and random instances are kept per thread.
 *
 * <p>Thread-safe.
 */
public final class AesGcmCodec implements PiiCodec {
  /** What every ciphertext starts with. */
  public static final String PREFIX = "e1:";
  /** What every blind index starts with. */
  public static final String INDEX_PREFIX = "h1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] CHECK = "cdpkit blind index key check v1"
      .getBytes(StandardCharsets.UTF_8);

  private final Map<String, SecretKey> keys;
  private final String current;
  private final SecretKey currentKey;
  private final String currentPrefix;
  private final SecretKey indexKey;
  private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(AesGcmCodec::newCipher);
  private final ThreadLocal<Mac> macs;
  private final ThreadLocal<SecureRandom> randoms = ThreadLocal.withInitial(SecureRandom::new);
  private final Base64.Encoder encoder = Base64.getEncoder().withoutPadding();
  private final Base64.Decoder decoder = Base64.getDecoder();

  /** Codes with {@code keys} by id, encrypting under {@code current}. */
  public AesGcmCodec(Map<String, SecretKey> keys, String current, SecretKey indexKey) {
    this.keys = Map.copyOf(keys);
    this.current = current;
    this.currentKey = this.keys.get(current);
    if (currentKey == null) {
      throw new IllegalArgumentException("current: names no key");
    }
    this.currentPrefix = PREFIX + current + ":";
    this.indexKey = indexKey;
    this.macs = ThreadLocal.withInitial(() -> newMac(indexKey));
    macs.get();
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is not available in this JVM", e);
    }
  }

  private static Mac newMac(SecretKey key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise HmacSHA256 with the index key", e);
    }
  }

  /** The id of the key new values are encrypted under. */
  public String currentKeyId() {
    return current;
  }

  /** The ids of the keys this codec reads. */
  public Set<String> keyIds() {
    return keys.keySet();
  }

  /** What every text encrypted under the current key starts with. */
  public String currentPrefix() {
    return currentPrefix;
  }

  /**
   * A short, stable fingerprint of the index key ({@code hmac-sha256:} and 16 bytes in hex of
   * the HMAC of a constant): equal for equal keys, telling nothing of the key.
   */
  public String fingerprint() {
    Mac mac = macs.get();
    byte[] h = mac.doFinal(CHECK);
    return "hmac-sha256:" + HexFormat.of().formatHex(h, 0, 16);
  }

  @Override
  public String protect(String value) {
    return protect("", "", value);
  }

  @Override
  public String reveal(String stored) {
    return reveal("", "", stored);
  }

  @Override
  public String protectKey(String value) {
    return protectKey("", "", value);
  }

  /** Never called: a blind index cannot be reversed ({@link #keysReversible} is false). */
  @Override
  public String revealKey(String stored) {
    throw new UnsupportedOperationException("a blind index cannot be reversed");
  }

  @Override
  public boolean keysReversible() {
    return false;
  }

  @Override
  public String protect(String workspace, String column, String value) {
    byte[] plain = exact(value, column);
    byte[] out;
    try {
      Cipher c = ciphers.get();
      byte[] nonce = new byte[NONCE_BYTES];
      randoms.get().nextBytes(nonce);
      c.init(Cipher.ENCRYPT_MODE, currentKey, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad(workspace, column));
      out = new byte[NONCE_BYTES + c.getOutputSize(plain.length)];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      c.doFinal(plain, 0, plain.length, out, NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new StorageException("cannot encrypt a value of " + name(column) + " under key id "
          + current + " (" + e.getClass().getSimpleName() + ")", false, null);
    }
    return currentPrefix + encoder.encodeToString(out);
  }

  @Override
  public String reveal(String workspace, String column, String stored) {
    String keyId = keyIdOf(stored);
    if (keyId == null) {
      throw new StorageException("a value of " + name(column) + " is not encrypted text (it"
          + " does not start with " + PREFIX + "<keyId>:)", false, null);
    }
    SecretKey key = keys.get(keyId);
    if (key == null) {
      throw new StorageException("cannot decrypt a value of " + name(column) + ": key id "
          + keyId + " is not among the store's keys " + new java.util.TreeSet<>(keys.keySet()),
          false, null);
    }
    byte[] data;
    try {
      data = decoder.decode(stored.substring(PREFIX.length() + keyId.length() + 1));
    } catch (IllegalArgumentException e) {
      throw new StorageException("a value of " + name(column) + " under key id " + keyId
          + " is not valid base64", false, null);
    }
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new StorageException("a value of " + name(column) + " under key id " + keyId
          + " is too short to be a ciphertext", false, null);
    }
    try {
      Cipher c = ciphers.get();
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
      c.updateAAD(aad(workspace, column));
      byte[] plain = c.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new StorageException("cannot decrypt a value of " + name(column) + " under key id "
          + keyId + ": the authentication tag does not match (a wrong key for that id, or"
          + " text altered or moved from another column or workspace)", false, null);
    } catch (GeneralSecurityException e) {
      throw new StorageException("cannot decrypt a value of " + name(column) + " under key id "
          + keyId + " (" + e.getClass().getSimpleName() + ")", false, null);
    }
  }

  @Override
  public String protectKey(String workspace, String type, String value) {
    Mac mac = macs.get();
    byte[] ws = exact(workspace, "workspace");
    byte[] t = exact(type, "id_type");
    byte[] v = exact(value, "id_value");
    ByteBuffer b = ByteBuffer.allocate(12 + ws.length + t.length + v.length);
    b.putInt(ws.length).put(ws).putInt(t.length).put(t).putInt(v.length).put(v);
    return INDEX_PREFIX + encoder.encodeToString(mac.doFinal(b.array()));
  }

  /**
   * The UTF-8 bytes of {@code s}, exactly: an unpaired surrogate is refused rather than written
   * as {@code ?}, which would make two different values encrypt and index alike.
   */
  private static byte[] exact(String s, String column) {
    try {
      return Text.utf8(s);
    } catch (IllegalArgumentException e) {
      throw new StorageException("a value of " + name(column)
          + " holds an unpaired UTF-16 surrogate and cannot be written exactly", false, null);
    }
  }

  /** The key id of encrypted text, or null when it is not encrypted text. */
  public static @Nullable String keyIdOf(String stored) {
    if (!stored.startsWith(PREFIX)) {
      return null;
    }
    int end = stored.indexOf(':', PREFIX.length());
    if (end <= PREFIX.length() || end - PREFIX.length() > 32) {
      return null;
    }
    return stored.substring(PREFIX.length(), end);
  }

  /** Whether {@code stored} is encrypted under the current key. */
  public boolean isCurrent(String stored) {
    return stored.startsWith(currentPrefix);
  }

  private static byte[] aad(String workspace, String column) {
    byte[] ws = workspace.getBytes(StandardCharsets.UTF_8);
    byte[] col = column.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + ws.length + col.length)
        .putInt(ws.length).put(ws).putInt(col.length).put(col).array();
  }

  private static String name(String column) {
    return column.isEmpty() ? "a column" : column;
  }

  @Override
  public String toString() {
    return "AesGcmCodec[current=" + current + ", keyIds=" + new java.util.TreeSet<>(
        keys.keySet()) + "]";
  }
}
