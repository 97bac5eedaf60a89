package io.cdpkit.core.internal;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Keyed hashes of identifiers for erasure tombstones and the audit log, and whether a workspace
 * has any tombstone at all (so that ingestion skips the look-up where nobody was ever erased).
 *
 * <p>The hash is HMAC-SHA256 over the identifier's type id, a NUL, and its normalised value
 * (UTF-8, encoded strictly: see {@link Text#utf8}), as 64 lower-case hex digits. The key is the host's ({@code Cdp.builder().privacyKey(...)}); without
 * one, a random key per workspace is created at the first erasure and kept in the store's
 * metadata under {@value #KEY_METADATA}. That key sits next to the data it protects: whoever
 * reads the store can test guessed identifiers against the tombstones, which a key kept outside
 * the store prevents.
 *
 * <p>Whether a workspace has tombstones is remembered per workspace: once known to have some,
 * for good; while known to have none, asked of the store again at most every
 * {@value #RECHECK_NANOS} ns, so an erasure made by another node is seen within a second.
 *
 * <p>Thread-safe.
 */
public final class Tombstones {
  /** Metadata key of a workspace's generated key (base64). */
  static final String KEY_METADATA = "core.privacy.key";
  /** Metadata key present once a workspace has a tombstone. */
  static final String ERASED_METADATA = "core.privacy.erased";
  /** How long "no tombstones" is believed, in nanoseconds. */
  static final long RECHECK_NANOS = 1_000_000_000L;

  private final byte @Nullable [] hostKey;
  private final Map<WorkspaceId, SecretKeySpec> keys = new ConcurrentHashMap<>();
  /** Per workspace: {@code Long.MAX_VALUE} when it has tombstones, else when "none" was read. */
  private final Map<WorkspaceId, Long> seen = new ConcurrentHashMap<>();

  public Tombstones(byte @Nullable [] hostKey) {
    this.hostKey = hostKey == null ? null : hostKey.clone();
  }

  /** Whether the host gave a key. */
  public boolean hostKeyed() {
    return hostKey != null;
  }

  /**
   * Whether the workspace may have tombstones; reads the store's metadata at most once a
   * second while it has none.
   */
  boolean mayHave(WorkspaceId ws, ReadTransaction tx) {
    Long at = seen.get(ws);
    long now = System.nanoTime();
    if (at != null && (at == Long.MAX_VALUE || now - at < RECHECK_NANOS)) {
      return at == Long.MAX_VALUE;
    }
    // A store without metadata keeps no tombstones either.
    boolean any = tx.capability(MetadataStorage.class)
        .map(m -> !m.metadata(ERASED_METADATA).isEmpty())
        .orElse(false);
    seen.put(ws, any ? Long.MAX_VALUE : now);
    return any;
  }

  /** Notes, inside the erasing transaction, that the workspace has tombstones from now on. */
  void erasing(WorkspaceId ws, WriteTransaction tx) {
    MetadataStorage metadata = tx.require(MetadataStorage.class);
    if (metadata.metadata(ERASED_METADATA).isEmpty()) {
      metadata.putMetadata(ERASED_METADATA, "true");
    }
  }

  /** After the erasing transaction committed. */
  void erased(WorkspaceId ws) {
    seen.put(ws, Long.MAX_VALUE);
  }

  /**
   * The keyed hash of a normalised identifier; creates the workspace's key when there is none
   * and {@code tx} can write.
   *
   * @throws IllegalStateException when the workspace has no key and {@code tx} cannot write
   * @throws IllegalArgumentException when the value holds an unpaired surrogate (the door
   *     refuses such values; the value is encoded exactly, never with {@code ?} for what UTF-8
   *     cannot hold)
   */
  String hash(WorkspaceId ws, ReadTransaction tx, Identifier id) {
    SecretKeySpec key = key(ws, tx);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(Text.utf8(id.type().id()));
      mac.update((byte) 0);
      return HexFormat.of().formatHex(mac.doFinal(Text.utf8(id.value())));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private SecretKeySpec key(WorkspaceId ws, ReadTransaction tx) {
    SecretKeySpec k = keys.get(ws);
    if (k != null) {
      return k;
    }
    byte[] raw = hostKey;
    if (raw == null) {
      MetadataStorage metadata = tx.require(MetadataStorage.class);
      String stored = metadata.metadata(KEY_METADATA).get(KEY_METADATA);
      if (stored != null) {
        raw = Base64.getDecoder().decode(stored);
      } else if (tx instanceof WriteTransaction) {
        raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        metadata.putMetadata(KEY_METADATA, Base64.getEncoder().encodeToString(raw));
        // Not cached: the transaction may still roll back.
        return new SecretKeySpec(raw, "HmacSHA256");
      } else {
        throw new IllegalStateException("workspace has no privacy key yet");
      }
    }
    k = new SecretKeySpec(raw, "HmacSHA256");
    keys.put(ws, k);
    return k;
  }
}
