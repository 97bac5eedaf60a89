package io.cdpkit.activation.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The credentials a {@link Console} accepts: HTTP Basic user and password, a bearer token, or
 * both. An {@code Authorization} header is compared as a SHA-256 digest with
 * {@link MessageDigest#isEqual}, whose time does not depend on where the values first differ,
 * and digests have one length, so neither the content nor the length of the secret leaks
 * through timing.
 *
 * <p>Immutable.
 */
final class Credentials {
  private final byte @Nullable [] basic;
  private final byte @Nullable [] bearer;

  Credentials(@Nullable String user, @Nullable String password, @Nullable String token) {
    this.basic = user == null || password == null ? null
        : sha256("Basic " + Base64.getEncoder().encodeToString(
            (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    this.bearer = token == null ? null : sha256("Bearer " + token);
  }

  boolean basicEnabled() {
    return basic != null;
  }

  /** Whether an {@code Authorization} header value carries an accepted credential. */
  boolean accepts(@Nullable String authorization) {
    if (authorization == null) {
      return false;
    }
    byte[] given = sha256(authorization.strip());
    boolean ok = false;
    // Both are compared whatever the first gives, so the time does not tell which is set.
    if (basic != null) {
      ok |= MessageDigest.isEqual(basic, given);
    }
    if (bearer != null) {
      ok |= MessageDigest.isEqual(bearer, given);
    }
    return ok;
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
