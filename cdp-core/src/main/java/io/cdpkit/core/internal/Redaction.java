package io.cdpkit.core.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short keyed hashes that stand in for personal data in logs and messages. The key is random per
 * JVM and never leaves it, so a hash can be correlated within one process's logs but not
 * reversed by guessing common values. Thread-safe.
 */
public final class Redaction {
  private static final SecretKeySpec KEY;

  static {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    KEY = new SecretKeySpec(k, "HmacSHA256");
  }

  private Redaction() {}

  /**
   * Six hex digits of HMAC-SHA256(value) under this JVM's key: of its UTF-8 bytes, or for text
   * that is not well-formed of its exact UTF-16 code units (so it never throws).
   */
  public static String shortHash(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(KEY);
      byte[] h;
      if (Text.isWellFormed(value)) {
        h = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
      } else {
        // Never throws, never folds an unpaired surrogate into '?': its exact code units,
        // behind a byte that no UTF-8 text starts with.
        mac.update((byte) 0xFF);
        h = mac.doFinal(Text.utf16(value));
      }
      return String.format("%02x%02x%02x", h[0], h[1], h[2]);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
