package io.cdpkit.activation.channels;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * How a push token reaches a profile: as a {@code device_id} identifier with a prefix naming
 * the push service, so that the push channels ({@link FcmPushChannelProvider},
 * {@link ApnsPushChannelProvider}) find it and the consent gate judges it per token.
 *
 * <p>Why {@code device_id}: CDPKit binds a consent decision for the consent channel
 * {@code push} to the {@code device_id} identifiers of the event that carries it (see
 * {@code io.cdpkit.core.model.ConsentAddresses}), so a person who allows or refuses pushes in
 * one app on one phone does so for that token only, whatever merges happen. A host-defined
 * type ({@code push_token}) would keep push consent profile-level. Why a prefix: a profile's
 * {@code device_id}s are also advertising and vendor ids, to which nothing can be pushed; a
 * channel sends only to the values of its own service and ignores the others.
 *
 * <ul>
 *   <li>{@link #apns(String)}: {@code apns:} and the hexadecimal device token in lower case
 *       (APNs tokens are hexadecimal; {@code device_id} values are lower-cased by the core).
 *   <li>{@link #fcm(String)}: {@code fcm:} and the token's UTF-8 bytes in lower-case
 *       hexadecimal. FCM registration tokens are case-sensitive, and the core lower-cases
 *       {@code device_id} values, so the token is written in a form that survives that. The
 *       identifier holds at most 512 characters: tokens of up to 254 characters fit.
 * </ul>
 *
 * <p>The app (or the host, on its behalf) sends the identifier with every event that should
 * reach the person through it, and above all with the consent decision:
 *
 * <pre>{@code
 * cdp.ingest(Event.identify().userId("c-42")
 *     .identifier(PushTokens.fcm(registrationToken))
 *     .consent("marketing", "push", true)
 *     .build());
 * }</pre>
 *
 * A token the service reports gone ({@code UNREGISTERED}, {@code Unregistered}) fails that
 * delivery permanently for that token; the host removes it by consent withdrawal or erasure.
 *
 * <p>Immutable; static only.
 */
public final class PushTokens {
  /** The prefix of APNs tokens. */
  public static final String APNS_PREFIX = "apns:";
  /** The prefix of FCM tokens. */
  public static final String FCM_PREFIX = "fcm:";
  /**
   * Longest FCM token {@link #fcm} takes, in characters: two hexadecimal digits a character
   * after {@code fcm:} fill the 512 characters of an identifier.
   */
  public static final int MAX_FCM_TOKEN_LENGTH = 254;
  /** Longest APNs token {@link #apns} takes, in hexadecimal digits. */
  public static final int MAX_APNS_TOKEN_LENGTH = 200;

  private static final HexFormat HEX = HexFormat.of();

  private PushTokens() {}

  /**
   * The identifier of an APNs device token.
   *
   * @param hexToken the token as the app got it: an even number of hexadecimal digits (64
   *     today), upper or lower case, surrounding spaces ignored
   * @throws IllegalArgumentException when it is not that; the message does not quote it
   */
  public static Identifier apns(String hexToken) {
    String t = Objects.requireNonNull(hexToken, "hexToken").strip();
    if (t.isEmpty() || t.length() % 2 != 0 || t.length() > MAX_APNS_TOKEN_LENGTH
        || !t.chars().allMatch(PushTokens::isHexDigit)) {
      throw new IllegalArgumentException("hexToken: must be an even number of hexadecimal"
          + " digits, at most " + MAX_APNS_TOKEN_LENGTH);
    }
    return Identifier.of(IdentifierType.DEVICE_ID,
        APNS_PREFIX + t.toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * The identifier of an FCM registration token.
   *
   * @param token the token as the app got it, 1 to {@value #MAX_FCM_TOKEN_LENGTH} printable
   *     ASCII characters without spaces, surrounding spaces ignored
   * @throws IllegalArgumentException when it is not that; the message does not quote it
   */
  public static Identifier fcm(String token) {
    String t = Objects.requireNonNull(token, "token").strip();
    if (t.isEmpty() || t.length() > MAX_FCM_TOKEN_LENGTH
        || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("token: must be 1 to " + MAX_FCM_TOKEN_LENGTH
          + " printable ASCII characters without spaces");
    }
    return Identifier.of(IdentifierType.DEVICE_ID,
        FCM_PREFIX + HEX.formatHex(t.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The APNs token an identifier holds, when it is one {@link #apns} made. */
  static Optional<String> apnsToken(Identifier id) {
    if (!id.type().equals(IdentifierType.DEVICE_ID) || !id.value().startsWith(APNS_PREFIX)) {
      return Optional.empty();
    }
    String t = id.value().substring(APNS_PREFIX.length());
    if (t.isEmpty() || t.length() % 2 != 0 || !t.chars().allMatch(PushTokens::isHexDigit)) {
      return Optional.empty();
    }
    return Optional.of(t);
  }

  /** The FCM token an identifier holds, when it is one {@link #fcm} made. */
  static Optional<String> fcmToken(Identifier id) {
    if (!id.type().equals(IdentifierType.DEVICE_ID) || !id.value().startsWith(FCM_PREFIX)) {
      return Optional.empty();
    }
    String hex = id.value().substring(FCM_PREFIX.length());
    if (hex.isEmpty() || hex.length() % 2 != 0 || !hex.chars().allMatch(PushTokens::isHexDigit)) {
      return Optional.empty();
    }
    String t = new String(HEX.parseHex(hex.toLowerCase(java.util.Locale.ROOT)),
        StandardCharsets.ISO_8859_1);
    return t.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? Optional.of(t) : Optional.empty();
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
