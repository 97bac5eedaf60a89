package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.core.model.Channels;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Sends push notifications to iOS, iPadOS and macOS apps through the Apple Push Notification
 * service: {@code POST {base-url}/3/device/{token}} over HTTP/2 (the JDK's HttpClient), with
 * token-based authentication.
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code team-id} and {@code key-id} (required): the Apple developer team and the id of
 *       its APNs authentication key, 10 characters each;
 *   <li>{@code private-key} or {@code private-key-file} (one required): the {@code .p8} key as
 *       PEM text ({@code -----BEGIN PRIVATE KEY-----}) or the path of that file;
 *   <li>{@code topic} (required): the app's bundle id, sent as {@code apns-topic};
 *   <li>{@code base-url}: default {@code https://api.push.apple.com}; use
 *       {@code https://api.sandbox.push.apple.com} for development builds of the app;
 *   <li>{@code priority}: {@code apns-priority}, 10 (default, at once), 5 or 1;
 *   <li>{@code time-to-live}: how long APNs keeps a notification for an offline device, an
 *       ISO-8601 duration up to {@code P30D}; default {@code P1D}; {@code PT0S} sends
 *       {@code apns-expiration: 0} (deliver now or never).
 * </ul>
 *
 * <p>Authentication: a JWT ({@code alg ES256}, {@code kid} the key id, {@code iss} the team,
 * {@code iat} now) signed with the key through the JDK's {@code SHA256withECDSA}, its DER
 * signature rewritten as the JOSE {@code r||s} pair; it is made anew every 50 minutes (APNs
 * refuses one older than 60), and at once after APNs answers {@code ExpiredProviderToken}.
 *
 * <p>Recipients are the person's {@code device_id} identifiers that hold an APNs token
 * ({@link PushTokens#apns}), each let through by the consent gate on its own; one request per
 * token. Payload: {@code title} and {@code body} (at least one) become {@code aps.alert};
 * the entries of {@code data} (an object, optional, without {@code aps}) go beside {@code aps};
 * {@code idempotency_key} is added. The {@code apns-id} is derived from the idempotency key
 * and the token, so every attempt of a message to a device carries the same one; APNs' answer
 * {@code apns-id} is the reference.
 *
 * <p>Outcomes: 200 delivered; 410 {@code Unregistered}, 400 {@code BadDeviceToken} and
 * {@code DeviceTokenNotForTopic}: that token fails for good; 403 {@code ExpiredProviderToken}:
 * retryable with a new JWT; other 403s: the message fails for good, with what to check; other
 * 400s ({@code BadTopic}, {@code PayloadTooLarge}, ...): the message fails for good; 429, 500,
 * 503, other 5xx, I/O errors and timeouts: retryable, passing on {@code Retry-After}. Several
 * tokens fold as for {@link FcmPushChannelProvider}.
 *
 * <p>Limits: alert pushes only ({@code apns-push-type: alert}; no background, VoIP or Live
 * Activity pushes, no sound, badge or collapse id); certificate-based authentication is not
 * supported; payloads of at most 4,096 bytes.
 *
 * <p>Thread-safe. Its channels are thread-safe too; one HTTP/2 connection carries the
 * concurrent requests of a channel.
 */
public final class ApnsPushChannelProvider implements ChannelProvider {
  /** The provider id. */
  public static final String ID = "apns";

  private final @Nullable SSLContext ssl;

  /** Does nothing: the work is done in {@link #create}. */
  public ApnsPushChannelProvider() {
    this.ssl = null;
  }

  /** With the TLS context of a test server's certificate. */
  ApnsPushChannelProvider(SSLContext ssl) {
    this.ssl = ssl;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  /** {@code push}. */
  @Override
  public String consentChannel() {
    return Channels.PUSH;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when a required key is missing, or a key is invalid
   *     (the key is not a P-256 PKCS#8 key, the team or key id is not 10 characters, ...)
   */
  @Override
  public Channel create(ChannelContext context) {
    return new ApnsPushChannel(context, ssl);
  }

  @Override
  public String toString() {
    return "ApnsPushChannelProvider";
  }
}
