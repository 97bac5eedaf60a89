package io.cdpkit.core.testing;

import io.cdpkit.core.model.Event;
import java.util.ArrayList;
import java.util.List;

/** Helpers for generated events. Stateless. */
public final class TestEvents {
  private TestEvents() {}

  /** The events with messageIds {@code m0}, {@code m1}, ... (a generator cannot make them). */
  public static List<Event> withUniqueIds(List<Event> events) {
    List<Event> out = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      out.add(new Event(e.type(), "m" + i, e.userId(), e.anonymousId(), e.previousId(),
          e.groupId(), e.name(), e.identifiers(), e.properties(), e.traits(), e.context(),
          e.consents(), e.timestamp(), e.originalTimestamp(), e.sentAt(), e.receivedAt(),
          e.extra()));
    }
    return out;
  }
}
