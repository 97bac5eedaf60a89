package io.cdpkit.core.model;

import java.util.Locale;
import java.util.Optional;

/** The kinds of message in the Segment Spec. Immutable. */
public enum EventType {
  IDENTIFY,
  TRACK,
  PAGE,
  SCREEN,
  GROUP,
  ALIAS;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The name as it appears in the {@code type} field of a message ({@code "track"}). */
  public String wireName() {
    return wireName;
  }

  /** The type named by a message's {@code type} field, case-insensitively. */
  private static final EventType[] ALL = values();

  public static Optional<EventType> fromWireName(String name) {
    for (EventType t : ALL) {
      if (t.wireName().equalsIgnoreCase(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
