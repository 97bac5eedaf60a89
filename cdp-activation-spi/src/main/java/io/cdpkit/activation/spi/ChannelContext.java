package io.cdpkit.activation.spi;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link ChannelProvider} sees when it creates a channel: its configuration, the clock
 * and a logger name. It does not see the engine, the store or profiles.
 *
 * <p>Immutable.
 */
public interface ChannelContext {
  /** The registered channel's name ({@code newsletter}, {@code crm-webhook}). */
  String channelName();

  /**
   * The configuration the channel was registered with, sorted by key, including the keys the
   * engine reads itself ({@code consent-channel}, {@code concurrency}, {@code timeout}).
   */
  Map<String, String> config();

  /** One configuration value. */
  default Optional<String> config(String key) {
    return Optional.ofNullable(config().get(key));
  }

  /**
   * A required configuration value.
   *
   * @throws IllegalArgumentException naming the key when it is missing or blank
   */
  default String required(String key) {
    String v = config().get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(
          "channel " + channelName() + ": config key '" + key + "' is required");
    }
    return v;
  }

  /** The clock of the {@code Cdp}; use it for timestamps. */
  Clock clock();

  /** The timeout of one {@link Channel#deliver} call, for clients that take one. */
  Duration timeout();

  /** The SLF4J logger name for this channel: {@code io.cdpkit.activation.channel.<name>}. */
  String loggerName();
}
