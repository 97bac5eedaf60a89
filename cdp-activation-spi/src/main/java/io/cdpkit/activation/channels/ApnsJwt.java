package io.cdpkit.activation.channels;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The provider authentication token of APNs: a JWT signed with ES256 by the team's
 * {@code .p8} key, {@code {"alg":"ES256","kid":key-id}.{"iss":team-id,"iat":seconds}}. APNs
 * refuses a token older than one hour and one renewed more often than every 20 minutes; this
 * one is made anew when it is {@link #MAX_AGE} old, or after APNs said it expired.
 *
 * <p>Thread-safe: {@link #token()} and {@link #invalidate()} hold this object's lock.
 */
final class ApnsJwt {
  /** The age at which a token is replaced. */
  static final Duration MAX_AGE = Duration.ofMinutes(50);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final String teamId;
  private final String keyId;
  private final PrivateKey key;
  private final Clock clock;
  // guarded by this
  private @Nullable String token;
  // guarded by this
  private Instant issuedAt = Instant.MIN;

  ApnsJwt(String teamId, String keyId, PrivateKey key, Clock clock) {
    this.teamId = Objects.requireNonNull(teamId);
    this.keyId = Objects.requireNonNull(keyId);
    this.key = Objects.requireNonNull(key);
    this.clock = Objects.requireNonNull(clock);
  }

  /** The current token, made anew when there is none or it is {@link #MAX_AGE} old. */
  synchronized String token() throws GeneralSecurityException {
    Instant now = clock.instant();
    if (token == null || !now.isBefore(issuedAt.plus(MAX_AGE)) || now.isBefore(issuedAt)) {
      token = sign(now);
      issuedAt = now;
    }
    return token;
  }

  /** Forgets the token, after APNs called it expired or invalid. */
  synchronized void invalidate(String refused) {
    if (refused.equals(token)) {
      token = null;
    }
  }

  private String sign(Instant now) throws GeneralSecurityException {
    String header = "{\"alg\":\"ES256\",\"kid\":\"" + keyId + "\"}";
    String claims = "{\"iss\":\"" + teamId + "\",\"iat\":" + now.getEpochSecond() + "}";
    String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(derToJose(s.sign(), 32));
  }

  /**
   * The JOSE form (RFC 7518, 3.4) of a DER-encoded ECDSA signature: {@code r} and {@code s}
   * as unsigned big-endian numbers of {@code size} bytes each, concatenated. The JDK writes
   * {@code SEQUENCE { INTEGER r, INTEGER s }}, whose integers drop leading zeros and gain a
   * zero byte when their top bit is set.
   *
   * @throws GeneralSecurityException when {@code der} is not such a signature
   */
  static byte[] derToJose(byte[] der, int size) throws GeneralSecurityException {
    int[] pos = {0};
    if (der.length < 8 || der[pos[0]++] != 0x30) {
      throw new GeneralSecurityException("not a DER ECDSA signature");
    }
    int seqLen = length(der, pos);
    if (seqLen != der.length - pos[0]) {
      throw new GeneralSecurityException("DER sequence length does not match");
    }
    byte[] out = new byte[2 * size];
    for (int part = 0; part < 2; part++) {
      if (pos[0] >= der.length || der[pos[0]++] != 0x02) {
        throw new GeneralSecurityException("DER integer expected");
      }
      int len = length(der, pos);
      if (len < 1 || pos[0] + len > der.length) {
        throw new GeneralSecurityException("DER integer length out of range");
      }
      int start = pos[0];
      int n = len;
      while (n > 0 && der[start] == 0) {
        start++;
        n--;
      }
      if (n > size) {
        throw new GeneralSecurityException("DER integer longer than " + size + " bytes");
      }
      System.arraycopy(der, start, out, part * size + size - n, n);
      pos[0] += len;
    }
    if (pos[0] != der.length) {
      throw new GeneralSecurityException("bytes after the DER signature");
    }
    return out;
  }

  private static int length(byte[] der, int[] pos) throws GeneralSecurityException {
    if (pos[0] >= der.length) {
      throw new GeneralSecurityException("DER length missing");
    }
    int b = der[pos[0]++] & 0xff;
    if (b < 0x80) {
      return b;
    }
    if (b != 0x81 || pos[0] >= der.length) {
      throw new GeneralSecurityException("DER length form not expected in a signature");
    }
    return der[pos[0]++] & 0xff;
  }

  /**
   * Reads a {@code .p8} key: PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) of a P-256 key.
   *
   * @throws IllegalArgumentException saying what is wrong, never quoting the key
   */
  static PrivateKey readP8(String pem) {
    String b64 = pem.replace("-----BEGIN PRIVATE KEY-----", "")
        .replace("-----END PRIVATE KEY-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not a PEM-encoded PKCS#8 key");
    }
    PrivateKey k;
    try {
      k = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not a PKCS#8 EC private key (an APNs .p8 key)");
    }
    if (!(k instanceof ECPrivateKey ec) || ec.getParams().getCurve().getField()
        .getFieldSize() != 256) {
      throw new IllegalArgumentException("is not a P-256 key, as APNs needs");
    }
    return k;
  }
}
