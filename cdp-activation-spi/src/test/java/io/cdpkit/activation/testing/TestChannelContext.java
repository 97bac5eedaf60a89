package io.cdpkit.activation.testing;

import io.cdpkit.activation.spi.ChannelContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link ChannelContext} for tests: a name, a configuration, a fixed clock at {@link #NOW}
 * (unless another is given) and a 5-second timeout (unless another is given).
 *
 * <pre>{@code
 * Channel channel = new MyChannelProvider().create(
 *     TestChannelContext.of("crm", Map.of("url", "http://127.0.0.1:8080/hook"))
 *         .withTimeout(Duration.ofSeconds(2)));
 * }</pre>
 *
 * <p>Immutable.
 */
public final class TestChannelContext implements ChannelContext {
  /** The instant the default clock stands still at. */
  public static final Instant NOW = Instant.parse("2026-03-01T10:15:00Z");
  /** The default timeout of one delivery. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final String channelName;
  private final Map<String, String> config;
  private final Clock clock;
  private final Duration timeout;

  private TestChannelContext(String channelName, Map<String, String> config, Clock clock,
      Duration timeout) {
    this.channelName = Objects.requireNonNull(channelName, "channelName");
    this.config = Collections.unmodifiableMap(new TreeMap<>(config));
    this.clock = Objects.requireNonNull(clock, "clock");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    this.timeout = timeout;
  }

  /** A context with a fixed UTC clock at {@link #NOW} and the default timeout. */
  public static TestChannelContext of(String channelName, Map<String, String> config) {
    return new TestChannelContext(channelName, config, Clock.fixed(NOW, ZoneOffset.UTC),
        DEFAULT_TIMEOUT);
  }

  /** This context with another configuration. */
  public TestChannelContext withConfig(Map<String, String> config) {
    return new TestChannelContext(channelName, config, clock, timeout);
  }

  /** This context with another clock. */
  public TestChannelContext withClock(Clock clock) {
    return new TestChannelContext(channelName, config, clock, timeout);
  }

  /** This context with another timeout. */
  public TestChannelContext withTimeout(Duration timeout) {
    return new TestChannelContext(channelName, config, clock, timeout);
  }

  @Override
  public String channelName() {
    return channelName;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public Duration timeout() {
    return timeout;
  }

  @Override
  public String loggerName() {
    return "io.cdpkit.activation.channel." + channelName;
  }

  @Override
  public String toString() {
    return "TestChannelContext[" + channelName + ", keys=" + config.keySet() + "]";
  }
}
