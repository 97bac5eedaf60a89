package io.cdpkit.storage.jdbc;

import io.cdpkit.storage.jdbc.internal.AesGcmCodec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The host's keys for encryption at rest of the JDBC store: AES-256 data keys by key id, the id
 * of the one new values are encrypted under, and a separate HMAC-SHA256 key for the blind
 * indexes of identifiers.
 *
 * <pre>{@code
 * Encryption keys = Encryption.builder()
 *     .dataKey("2026-01", keyBytesFromVault)     // 32 bytes
 *     .dataKey("2026-06", newerKeyBytes)
 *     .currentKey("2026-06")                     // new writes; "2026-01" still reads
 *     .indexKey(indexKeyBytes)                   // 32 bytes or more; never rotates
 *     .build();
 * JdbcStore store = JdbcStore.builder().h2File(dir).encryption(keys).build();
 * }</pre>
 *
 * <p>Each document column holding personal data is stored as {@code e1:<keyId>:<base64 of
 * nonce, ciphertext and tag>}, AES-GCM with a random 96-bit nonce and a 128-bit tag, bound to
 * its workspace and column; each identifier looked up by equality is stored as a keyed hash
 * ({@code h1:<base64 of HMAC-SHA256>}) of its workspace, type and value. Key ids are 1 to 32
 * characters of letters, digits, {@code .}, {@code _} and {@code -}; they are stored with the
 * data and are not secret. The key material is not: it appears in no {@code toString}, log or
 * exception.
 *
 * <p>Limits: the index key cannot be rotated (every lookup text would change); a key id once
 * used must keep its key until {@link JdbcStore#rotateKeys} has moved every value off it; one
 * data key should encrypt fewer than 2<sup>32</sup> values (random nonces), so rotate well
 * before that.
 *
 * <p>Immutable; thread-safe.
 */
public final class Encryption {
  /** Bytes of an AES-256 data key. */
  public static final int DATA_KEY_BYTES = 32;
  /** The fewest bytes an index key may have. */
  public static final int MIN_INDEX_KEY_BYTES = 32;

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");

  private final Map<String, SecretKey> dataKeys;
  private final String currentKeyId;
  private final SecretKey indexKey;

  private Encryption(Builder b) {
    this.dataKeys = Map.copyOf(b.dataKeys);
    this.currentKeyId = Objects.requireNonNull(b.current);
    this.indexKey = Objects.requireNonNull(b.indexKey);
  }

  /** A builder; at least one data key, the current key id and the index key are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The id of the key new values are encrypted under. */
  public String currentKeyId() {
    return currentKeyId;
  }

  /** The ids of every data key, the current one included. */
  public Set<String> keyIds() {
    return dataKeys.keySet();
  }

  /** The codec the store uses. */
  AesGcmCodec codec() {
    return new AesGcmCodec(dataKeys, currentKeyId, indexKey);
  }

  /** The key ids, never the keys. */
  @Override
  public String toString() {
    return "Encryption[current=" + currentKeyId + ", keyIds=" + new java.util.TreeSet<>(
        dataKeys.keySet()) + "]";
  }

  /** Configures an {@link Encryption}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, SecretKey> dataKeys = new LinkedHashMap<>();
    private @Nullable String current;
    private @Nullable SecretKey indexKey;

    private Builder() {}

    /**
     * An AES-256 data key under {@code keyId}; the bytes are copied.
     *
     * @throws IllegalArgumentException when the key id is malformed or already given, or the key
     *     is not {@value Encryption#DATA_KEY_BYTES} bytes
     */
    public Builder dataKey(String keyId, byte[] key) {
      Objects.requireNonNull(key, "key");
      if (key.length != DATA_KEY_BYTES) {
        throw new IllegalArgumentException("dataKey: must be " + DATA_KEY_BYTES
            + " bytes (AES-256), was " + key.length);
      }
      byte[] copy = key.clone();
      try {
        return dataKey(keyId, new SecretKeySpec(copy, "AES"));
      } finally {
        Arrays.fill(copy, (byte) 0);
      }
    }

    /**
     * An AES-256 data key under {@code keyId}. A key whose material cannot be read
     * ({@code getEncoded()} null, as from a hardware module) is taken as it is.
     *
     * @throws IllegalArgumentException when the key id is malformed or already given, or the
     *     key is not an AES key of {@value Encryption#DATA_KEY_BYTES} bytes
     */
    public Builder dataKey(String keyId, SecretKey key) {
      checkKeyId(keyId);
      Objects.requireNonNull(key, "key");
      if (!"AES".equalsIgnoreCase(key.getAlgorithm())) {
        throw new IllegalArgumentException("dataKey: must be an AES key, was "
            + key.getAlgorithm());
      }
      byte[] encoded = key.getEncoded();
      if (encoded != null) {
        int length = encoded.length;
        Arrays.fill(encoded, (byte) 0);
        if (length != DATA_KEY_BYTES) {
          throw new IllegalArgumentException("dataKey: must be " + DATA_KEY_BYTES
              + " bytes (AES-256), was " + length);
        }
        if (!(key instanceof SecretKeySpec)) {
          // Copied into a spec of our own: the host may destroy its key object.
          byte[] again = key.getEncoded();
          key = new SecretKeySpec(again, "AES");
          Arrays.fill(again, (byte) 0);
        }
      }
      if (dataKeys.containsKey(keyId)) {
        throw new IllegalArgumentException("dataKey: key id " + keyId + " was already given");
      }
      dataKeys.put(keyId, key);
      return this;
    }

    /** The id of the data key new values are encrypted under; one of the data keys. */
    public Builder currentKey(String keyId) {
      checkKeyId(keyId);
      if (current != null) {
        throw new IllegalStateException("currentKey was already set to " + current);
      }
      this.current = keyId;
      return this;
    }

    /**
     * The HMAC-SHA256 key of the blind indexes, at least
     * {@value Encryption#MIN_INDEX_KEY_BYTES} bytes; copied. It must differ from every data
     * key and cannot be rotated.
     */
    public Builder indexKey(byte[] key) {
      Objects.requireNonNull(key, "key");
      if (key.length < MIN_INDEX_KEY_BYTES) {
        throw new IllegalArgumentException("indexKey: must be at least " + MIN_INDEX_KEY_BYTES
            + " bytes, was " + key.length);
      }
      return indexKey(new SecretKeySpec(key.clone(), "HmacSHA256"));
    }

    /** The HMAC-SHA256 key of the blind indexes; see {@link #indexKey(byte[])}. */
    public Builder indexKey(SecretKey key) {
      Objects.requireNonNull(key, "key");
      if (indexKey != null) {
        throw new IllegalStateException("indexKey was already set");
      }
      byte[] encoded = key.getEncoded();
      if (encoded != null) {
        int length = encoded.length;
        Arrays.fill(encoded, (byte) 0);
        if (length < MIN_INDEX_KEY_BYTES) {
          throw new IllegalArgumentException("indexKey: must be at least " + MIN_INDEX_KEY_BYTES
              + " bytes, was " + length);
        }
      }
      this.indexKey = key;
      return this;
    }

    /**
     * The keys.
     *
     * @throws IllegalStateException when no data key, no current key id or no index key was
     *     given, or the current key id names no data key, or the index key equals a data key
     */
    public Encryption build() {
      if (dataKeys.isEmpty()) {
        throw new IllegalStateException("at least one dataKey is required");
      }
      if (current == null) {
        throw new IllegalStateException("currentKey is required");
      }
      if (!dataKeys.containsKey(current)) {
        throw new IllegalStateException("currentKey " + current + " names no dataKey (have "
            + new java.util.TreeSet<>(dataKeys.keySet()) + ")");
      }
      if (indexKey == null) {
        throw new IllegalStateException("indexKey is required");
      }
      byte[] index = indexKey.getEncoded();
      if (index != null) {
        for (Map.Entry<String, SecretKey> e : dataKeys.entrySet()) {
          byte[] data = e.getValue().getEncoded();
          boolean same = data != null && java.security.MessageDigest.isEqual(data, index);
          if (data != null) {
            Arrays.fill(data, (byte) 0);
          }
          if (same) {
            Arrays.fill(index, (byte) 0);
            throw new IllegalStateException("indexKey must differ from dataKey "
                + e.getKey());
          }
        }
        Arrays.fill(index, (byte) 0);
      }
      return new Encryption(this);
    }

    private static void checkKeyId(String keyId) {
      Objects.requireNonNull(keyId, "keyId");
      if (!KEY_ID.matcher(keyId).matches()) {
        throw new IllegalArgumentException("keyId: must be 1 to 32 letters, digits, '.', '_'"
            + " or '-'");
      }
    }
  }
}
