package io.cdpkit.core.model;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * The total order CDPKit decides conflicts by: event time, then messageId. It never depends on
 * the order events arrive in.
 *
 * <p>Immutable.
 *
 * @param time the event's time ({@link Event#eventTime()})
 * @param messageId the event's messageId
 */
public record EventKey(Instant time, String messageId) implements Comparable<EventKey> {
  private static final Comparator<EventKey> ORDER =
      Comparator.comparing(EventKey::time).thenComparing(EventKey::messageId);

  public EventKey {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(messageId, "messageId");
  }

  @Override
  public int compareTo(EventKey o) {
    return ORDER.compare(this, o);
  }

  /** Whether this key sorts after {@code o}. */
  public boolean isAfter(EventKey o) {
    return compareTo(o) > 0;
  }
}
