package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.core.model.Channels;

/**
 * Sends each message as one SMS through an HTTP SMS gateway: one POST per message, the body a
 * form or a JSON object with the recipient, the sender and the text under configurable field
 * names. The defaults fit Twilio's Messages API.
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code url} (required): the gateway's endpoint, http or https, without user info;
 *   <li>{@code from} (required): the sender, an E.164 number or an alphanumeric sender id as
 *       the gateway takes it;
 *   <li>{@code format}: {@code form} ({@code application/x-www-form-urlencoded}, default) or
 *       {@code json};
 *   <li>{@code field.to}, {@code field.from}, {@code field.text}: the field names, default
 *       {@code To}, {@code From}, {@code Body}; with {@code json} a name ending in {@code []}
 *       sends the value as a one-element array ({@code recipients[]});
 *   <li>{@code param.<name>}: a fixed extra field ({@code param.MessagingServiceSid},
 *       {@code param.api_key});
 *   <li>authentication, at most one of: {@code username} and {@code password} (HTTP Basic),
 *       {@code token} (Bearer), or any header with {@code header.<Name>}
 *       ({@code header.Authorization=AccessKey ...});
 *   <li>{@code max-length}: the longest text, in characters (code points), default 1600;
 *   <li>{@code text-key}: the payload key of the text, default {@code text};
 *   <li>{@code reference-field}: a top-level field of the gateway's JSON answer kept as the
 *       delivery's reference; default {@code sid} with {@code form}, none with {@code json}.
 * </ul>
 *
 * <p>Examples. Twilio: {@code url=https://api.twilio.com/2010-04-01/Accounts/AC.../Messages.json},
 * {@code username=AC...}, {@code password=<auth token>}, {@code from=+3197010...}. MessageBird:
 * {@code url=https://rest.messagebird.com/messages}, {@code format=json},
 * {@code field.to=recipients[]}, {@code field.from=originator}, {@code field.text=body},
 * {@code header.Authorization=AccessKey <key>}, {@code reference-field=id}. Vonage:
 * {@code url=https://rest.nexmo.com/sms/json}, {@code format=json}, {@code field.to=to},
 * {@code field.from=from}, {@code field.text=text}, {@code param.api_key},
 * {@code param.api_secret}. (Vonage answers 200 with a per-message status in the body, which
 * this channel does not read: a refused number shows as delivered.)
 *
 * <p>Recipient: the message's first {@code phone} recipient, which the core keeps in E.164
 * ({@code +31612345678}); the consent gate judges each number on its own. The text is the
 * payload's {@code text}; every request carries an {@code Idempotency-Key} header.
 *
 * <p>Length: an SMS holds 160 GSM-7 characters (153 per part of a longer text; {@code ^ { } \
 * [ ] ~ | €} count twice) or, with any other character (emoji, {@code ı}, {@code ş}), 70
 * UCS-2 units (67 per part); gateways split longer texts and bill per part. A text over
 * {@code max-length} fails for good with a reason naming {@code text} and {@code max-length}.
 *
 * <p>Outcomes: 2xx delivered; 408, 429, 5xx, I/O errors and timeouts retryable, passing on
 * {@code Retry-After}; other statuses permanent (redirects are not followed); a missing or
 * non-E.164 recipient, a missing or blank text and a text over the maximum permanent.
 *
 * <p>Thread-safe. Its channels are thread-safe too.
 */
public final class HttpSmsChannelProvider implements ChannelProvider {
  /** The provider id. */
  public static final String ID = "http-sms";

  /** Does nothing: the work is done in {@link #create}. */
  public HttpSmsChannelProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  /** {@code sms}. */
  @Override
  public String consentChannel() {
    return Channels.SMS;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code url} or {@code from} is missing, or a key is
   *     invalid (names the key and the reason)
   */
  @Override
  public Channel create(ChannelContext context) {
    return new HttpSmsChannel(context);
  }

  @Override
  public String toString() {
    return "HttpSmsChannelProvider";
  }
}
