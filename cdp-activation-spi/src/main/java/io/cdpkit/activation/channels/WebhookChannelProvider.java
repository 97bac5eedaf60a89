package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;

/**
 * Posts each message as JSON to an HTTP endpoint, signed with a shared secret (see
 * {@link WebhookSignature}).
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code url} (required): an absolute {@code http} or {@code https} URL, without user
 *       information;
 *   <li>{@code secret} (required): the shared HMAC secret, at least 16 characters;
 *   <li>{@code header.<Name>}: an extra request header, such as {@code header.Authorization};
 *       restricted headers ({@code Host}, {@code Connection}, {@code Content-Length},
 *       {@code Expect}, {@code Upgrade}) and the ones this channel sets cannot be given;
 *   <li>{@code reference-header}: a response header whose value is kept as the delivery's
 *       reference (the receiver's id for it);
 *   <li>{@code addresses}: the identifier types that reach a person through the receiver,
 *       most preferred first ({@code phone} for an SMS gateway); the engine then sends only to
 *       profiles with one and puts them in {@code recipients}. None by default.
 * </ul>
 *
 * <p>The body is {@code {idempotencyKey, workspace, profile, rule, channel, purpose, trigger,
 * attempt, decidedAt, recipients: [{type, value}], payload}}, with the headers
 * {@code Content-Type: application/json}, {@code Idempotency-Key} and {@code CDPKit-Signature}.
 * A 2xx answer is delivered; 408, 429 and 5xx are retryable (a {@code Retry-After} in seconds
 * or as a date is passed on); any other status is permanent; redirects are not followed (a 3xx
 * is permanent); I/O errors and timeouts are retryable. Both the connect timeout and the
 * request timeout are the registration's timeout.
 *
 * <p>There is no consent channel by default: a webhook may feed anything from a CRM to an SMS
 * gateway, so its registration must name one.
 *
 * <p>Thread-safe. Its channels are thread-safe too.
 */
public final class WebhookChannelProvider implements ChannelProvider {
  /** The provider id. */
  public static final String ID = "webhook";

  /** Does nothing: the work is done in {@link #create}. */
  public WebhookChannelProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code url} or {@code secret} is missing or invalid,
   *     or a {@code header.*} key names a header that cannot be sent
   */
  @Override
  public Channel create(ChannelContext context) {
    return new WebhookChannel(context);
  }

  @Override
  public String toString() {
    return "WebhookChannelProvider";
  }
}
