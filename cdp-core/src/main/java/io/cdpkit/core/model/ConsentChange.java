package io.cdpkit.core.model;

import io.cdpkit.core.InvalidEventException;
import java.util.regex.Pattern;

/**
 * A consent decision carried by an event: the person granted or denied {@code purpose} on
 * {@code channel} at the event's time. On the wire it is an element of the message's
 * {@code consent} array: {@code {"purpose": "marketing", "channel": "email", "granted": true}}.
 *
 * <p>Immutable.
 *
 * @param purpose lower-case purpose ({@code marketing}, {@code analytics},
 *     {@code personalisation}, {@code profiling}, {@code third_party_sharing}, or a custom one)
 * @param channel lower-case channel ({@code email}, {@code sms}, {@code push},
 *     {@code direct-mail}, {@code phone}, {@code web}, {@code social}, {@code ads}, or a custom
 *     one)
 * @param granted whether consent was given ({@code false}: denied or withdrawn)
 */
public record ConsentChange(String purpose, String channel, boolean granted) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  public ConsentChange {
    if (purpose == null || !NAME.matcher(purpose).matches()) {
      throw new InvalidEventException("/purpose", "must match [a-z][a-z0-9_-]{0,63}");
    }
    if (channel == null || !NAME.matcher(channel).matches()) {
      throw new InvalidEventException("/channel", "must match [a-z][a-z0-9_-]{0,63}");
    }
  }

  /** The (purpose, channel) pair this decision is about. */
  public ConsentKey key() {
    return new ConsentKey(purpose, channel);
  }
}
