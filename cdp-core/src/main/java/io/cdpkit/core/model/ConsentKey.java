package io.cdpkit.core.model;

import java.util.Objects;

/**
 * A purpose on a channel, the unit consent is recorded for.
 *
 * <p>Immutable.
 *
 * @param purpose the purpose, for example {@code marketing}
 * @param channel the channel, for example {@code email}
 */
public record ConsentKey(String purpose, String channel) implements Comparable<ConsentKey> {
  public ConsentKey {
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(channel, "channel");
  }

  @Override
  public int compareTo(ConsentKey o) {
    int c = purpose.compareTo(o.purpose);
    return c != 0 ? c : channel.compareTo(o.channel);
  }

  @Override
  public String toString() {
    return purpose + "/" + channel;
  }
}
