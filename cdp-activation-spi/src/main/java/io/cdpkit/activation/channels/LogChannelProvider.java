package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;

/**
 * Logs each message instead of sending it, for dry runs of rules: one INFO line through the
 * channel's logger ({@link ChannelContext#loggerName()}) with the rule, channel, purpose,
 * trigger, idempotency key, attempt, the recipients' types with short keyed hashes
 * ({@code email:#3f9a1c}, never the address) and the payload's keys.
 *
 * <p>Configuration: {@code log-payload}, {@code true} to add the payload's values as JSON
 * (default {@code false}). Payload values often hold personal data: turn it on only where the
 * logs may hold it. Recipients are never logged in plain text.
 *
 * <p>Every message counts as delivered. There is no consent channel by default: the
 * registration must name one (the one of the channel it stands in for).
 *
 * <p>Thread-safe. Its channels are thread-safe too.
 */
public final class LogChannelProvider implements ChannelProvider {
  /** The provider id. */
  public static final String ID = "log";

  /** Does nothing: the work is done in {@link #create}. */
  public LogChannelProvider() {}

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
   * @throws IllegalArgumentException when {@code log-payload} is neither true nor false
   */
  @Override
  public Channel create(ChannelContext context) {
    return new LogChannel(context);
  }

  @Override
  public String toString() {
    return "LogChannelProvider";
  }
}
