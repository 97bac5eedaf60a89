package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An event as stored: the event as received, its ordering key, its normalised identifiers in
 * priority order (blocked ones removed), and its anchor, the highest-priority identifier, which
 * decides the profile the event belongs to. An event without usable identifiers has no anchor
 * and belongs to no profile.
 *
 * <p>Immutable.
 *
 * @param event the event as received (with {@code receivedAt} set)
 * @param key its event time and messageId
 * @param identifiers its normalised identifiers, highest priority first
 * @param anchor the first of {@code identifiers}, or {@code null} when there are none
 */
public record StoredEvent(Event event, EventKey key, List<Identifier> identifiers,
    @Nullable Identifier anchor) {
  public StoredEvent {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(key, "key");
    identifiers = List.copyOf(identifiers);
    if (!Objects.equals(anchor, identifiers.isEmpty() ? null : identifiers.get(0))) {
      throw new IllegalArgumentException("anchor must be the first identifier");
    }
  }

  public String messageId() {
    return event.messageId();
  }

  /**
   * The name the event is counted under: a {@code track}'s event name, else its type's wire name
   * ({@code identify}, {@code page}, ...).
   */
  public String countedName() {
    return countedName(event);
  }

  /** See {@link #countedName()}. */
  public static String countedName(Event event) {
    return event.type() == EventType.TRACK && event.name() != null
        ? event.name() : event.type().wireName();
  }
}
