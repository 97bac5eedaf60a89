package io.cdpkit.examples.sms;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;

/**
 * Channels that send SMS through an HTTP gateway: one JSON {@code POST} per message, to the
 * person's phone number.
 *
 * <pre>{@code
 * Activation activation = Activation.builder()
 *     .discoverProviders()                 // finds this provider through META-INF/services
 *     .channel("sms", "sms-gateway", Map.of(
 *         "url", "https://sms.example.com/v1/messages",
 *         "api-key", System.getenv("SMS_API_KEY")))
 *     .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("club"))
 *         .channel("sms").purpose("marketing")
 *         .template(Template.parse("{\"text\": \"Welcome, {{trait.firstName|there}}!\"}"))
 *         .build())
 *     .build();
 * }</pre>
 *
 * <h2>Configuration</h2>
 * <ul>
 *   <li>{@code url} (required): the gateway's endpoint, {@code http} or {@code https}.
 *   <li>{@code api-key} (required): sent as {@code Authorization: Bearer <api-key>}.
 * </ul>
 * The engine's own keys ({@code timeout}, {@code concurrency}, {@code consent-channel}) apply
 * as to every channel. Messages need consent on the {@code sms} consent channel and reach
 * people by their {@code phone} identifier; the rule's template must render a {@code text}.
 *
 * <p>Immutable: it holds nothing, and makes a new channel per registration.
 */
public final class SmsGatewayProvider implements ChannelProvider {
  /** The provider id channels are registered with. */
  public static final String ID = "sms-gateway";

  /** Does nothing: the channel's HTTP client is made in {@link #create}. */
  public SmsGatewayProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  /** {@code sms}: a message needs consent for its purpose on SMS. */
  @Override
  public String consentChannel() {
    return "sms";
  }

  /**
   * A channel for one registration.
   *
   * @throws IllegalArgumentException naming the key when {@code url} or {@code api-key} is
   *     missing or unusable
   */
  @Override
  public Channel create(ChannelContext context) {
    return new SmsGatewayChannel(context);
  }

  @Override
  public String toString() {
    return "SmsGatewayProvider[" + ID + "]";
  }
}
