package io.cdpkit.activation.channels;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The signature the {@link WebhookChannelProvider webhook channel} puts on every request, for
 * receivers to check that a request comes from the holder of the shared secret, was not changed
 * on the way, and is not an old request played again.
 *
 * <p>The header {@value #HEADER} reads {@code t=<unix seconds>,v1=<hex>}, where the hex is
 * HMAC-SHA256 with the UTF-8 bytes of the secret as key over the bytes of {@code <t>.<body>}:
 * the timestamp as decimal digits, a full stop, then the exact request body. A receiver reads
 * the raw body (before any JSON parsing), then:
 *
 * <pre>{@code
 * boolean ok = WebhookSignature.verify(secret, request.header("CDPKit-Signature"), rawBody,
 *     Instant.now(), Duration.ofMinutes(5));
 * if (!ok) {
 *   return 401;
 * }
 * }</pre>
 *
 * <p>{@link #verify} accepts more than one {@code v1} element (a sender in the middle of a
 * secret rotation may sign with both), ignores elements it does not know (a later {@code v2}),
 * compares in constant time, and rejects a timestamp further than the tolerance from now in
 * either direction. The timestamp bounds how long a captured request can be replayed;
 * receivers that must never act twice also deduplicate on the {@code Idempotency-Key} header.
 *
 * <p>Thread-safe: stateless.
 */
public final class WebhookSignature {
  /** The name of the request header that carries the signature. */
  public static final String HEADER = "CDPKit-Signature";

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private WebhookSignature() {}

  /**
   * The header value for a body sent at {@code timestamp} (whole seconds; the fraction is
   * dropped).
   *
   * @throws IllegalArgumentException when the secret is empty
   */
  public static String sign(String secret, Instant timestamp, byte[] body) {
    long t = timestamp.getEpochSecond();
    return "t=" + t + ",v1=" + hex(mac(secret, t, body));
  }

  /** As {@link #sign(String, Instant, byte[])}, for a body given as text (sent as UTF-8). */
  public static String sign(String secret, Instant timestamp, String body) {
    return sign(secret, timestamp, body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether {@code header} is a valid signature of {@code body} under {@code secret}, made no
   * further than {@code tolerance} from {@code now}. A missing, malformed or stale header is
   * simply not valid.
   *
   * @param secret the shared secret
   * @param header the value of the {@value #HEADER} header; {@code null} when it was absent
   * @param body the raw request body, byte for byte as received
   * @param now the receiver's current time
   * @param tolerance how far the timestamp may lie from {@code now}, before or after
   * @throws IllegalArgumentException when the secret is empty or the tolerance negative
   */
  public static boolean verify(String secret, @Nullable String header,
      byte[] body, Instant now, Duration tolerance) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(now, "now");
    if (tolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must not be negative");
    }
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    if (header == null) {
      return false;
    }
    Long t = null;
    List<byte[]> candidates = new ArrayList<>(2);
    for (String element : header.split(",", -1)) {
      int eq = element.indexOf('=');
      if (eq < 0) {
        return false;
      }
      String key = element.substring(0, eq).strip();
      String value = element.substring(eq + 1).strip();
      if (key.equals("t")) {
        if (t != null || !isDigits(value, 1, 18)) {
          return false;
        }
        t = Long.parseLong(value);
      } else if (key.equals("v1")) {
        byte[] sig = unhex(value);
        if (sig != null) {
          candidates.add(sig);
        }
      }
    }
    if (t == null || candidates.isEmpty()) {
      return false;
    }
    Duration skew = Duration.between(Instant.ofEpochSecond(t), now).abs();
    if (skew.compareTo(tolerance) > 0) {
      return false;
    }
    byte[] expected = mac(secret, t, body);
    boolean match = false;
    for (byte[] candidate : candidates) {
      // Every candidate is compared, in constant time, so timing tells nothing.
      match |= MessageDigest.isEqual(expected, candidate);
    }
    return match;
  }

  /** As {@link #verify(String, String, byte[], Instant, Duration)}, for a UTF-8 text body. */
  public static boolean verify(String secret, @Nullable String header,
      String body, Instant now, Duration tolerance) {
    return verify(secret, header, body.getBytes(StandardCharsets.UTF_8), now, tolerance);
  }

  private static byte[] mac(String secret, long t, byte[] body) {
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static boolean isDigits(String s, int min, int max) {
    if (s.length() < min || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  private static byte @Nullable [] unhex(String s) {
    if (s.length() != 64) {
      return null;
    }
    byte[] out = new byte[32];
    for (int i = 0; i < 32; i++) {
      int hi = Character.digit(s.charAt(2 * i), 16);
      int lo = Character.digit(s.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }
}
