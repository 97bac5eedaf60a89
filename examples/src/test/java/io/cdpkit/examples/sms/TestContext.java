package io.cdpkit.examples.sms;

import io.cdpkit.activation.spi.ChannelContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;

/**
 * A channel context as the engine makes one, for calling the provider directly. Immutable.
 *
 * @param channelName the registration's name
 * @param config its configuration
 * @param clock the clock
 * @param timeout the timeout of one call
 */
record TestContext(String channelName, Map<String, String> config, Clock clock,
    Duration timeout) implements ChannelContext {
  static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");

  TestContext {
    config = Map.copyOf(new TreeMap<>(config));
  }

  /** A context named {@code sms} with this configuration, a fixed clock and a 2 s timeout. */
  static TestContext of(Map<String, String> config) {
    return new TestContext("sms", config, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(2));
  }

  TestContext withTimeout(Duration t) {
    return new TestContext(channelName, config, clock, t);
  }

  @Override
  public String loggerName() {
    return "io.cdpkit.activation.channel." + channelName;
  }
}
