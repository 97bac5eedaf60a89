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

  /** Six hex digits of HMAC-SHA256(value) under this JVM's key. */
  public static String shortHash(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(KEY);
      byte[] h = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
      return String.format("%02x%02x%02x", h[0], h[1], h[2]);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
