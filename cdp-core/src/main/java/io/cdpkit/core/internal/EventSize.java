package io.cdpkit.core.internal;

import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A cheap upper bound of an event's size as JSON, so the per-event byte limit can be enforced on
 * events built in Java without encoding each one: only events whose bound exceeds the limit are
 * encoded to measure them exactly.
 *
 * <p>The bound counts every string character as 6 bytes (the longest JSON escape,
 * {@code \}{@code uXXXX}), every number as 64 bytes and adds 8 bytes of punctuation per value and
 * key, plus a fixed 1,024 bytes for field names and timestamps.
 */
final class EventSize {
  private static final long FIXED = 1024;

  private EventSize() {}

  static long upperBound(Event e) {
    long n = FIXED;
    n += str(e.messageId()) + str(e.userId()) + str(e.anonymousId()) + str(e.previousId())
        + str(e.groupId()) + str(e.name());
    for (Identifier i : e.identifiers()) {
      n += 48 + str(i.type().id()) + str(i.value());
    }
    for (ConsentChange c : e.consents()) {
      // basis, instants and the evidence's keys: 256; then the evidence's strings
      n += 320 + str(c.purpose()) + str(c.channel()) + str(c.source()) + str(c.policyVersion());
      if (c.proof() != null) {
        n += str(c.proof().formId()) + str(c.proof().reference());
      }
    }
    n += map(e.properties()) + map(e.traits()) + map(e.extra());
    EventContext c = e.context();
    n += str(c.channel()) + str(c.storeId()) + str(c.source()) + str(c.locale()) + str(c.ip())
        + str(c.userAgent()) + str(c.libraryName()) + str(c.libraryVersion());
    n += map(c.device()) + map(c.campaign()) + map(c.traits()) + map(c.other());
    return n;
  }

  /** The bound of a map without entries; each entry adds its key's and value's. */
  static final long EMPTY_MAP = 2;
  /** The bound of a list without items; each item adds its value's. */
  static final long LIST = 8;

  static long str(@Nullable String s) {
    return s == null ? 0 : 8 + 6L * s.length();
  }

  /**
   * The bound of a map. A map the door copied ({@link JsonValues}) carries its bound, counted
   * as it was copied, so an event's maps are not walked again here.
   */
  static long map(Map<String, @Nullable Object> m) {
    long cached = JsonValues.sizeBound(m);
    if (cached >= 0) {
      return cached;
    }
    long n = EMPTY_MAP;
    for (Map.Entry<String, @Nullable Object> e : m.entrySet()) {
      n += str(e.getKey()) + value(e.getValue());
    }
    return n;
  }

  /** The bound of one value: a string, a map, a list or a scalar. */
  @SuppressWarnings("unchecked")
  static long value(@Nullable Object v) {
    if (v instanceof String s) {
      return str(s);
    }
    if (v instanceof Map<?, ?> m) {
      return 8 + map((Map<String, @Nullable Object>) m);
    }
    if (v instanceof List<?> l) {
      long cached = JsonValues.sizeBound(l);
      if (cached >= 0) {
        return cached;
      }
      long n = LIST;
      for (Object o : l) {
        n += value(o);
      }
      return n;
    }
    return 64;
  }
}
