package io.cdpkit.activation;

import io.cdpkit.core.traits.EventFilter;
import java.util.Objects;

/**
 * A condition looked at again when a delayed message is about to be sent: "cart abandoned:
 * wait an hour, send only if there is still no order".
 *
 * <p>Immutable.
 */
public final class Recheck {
  private final boolean member;
  private final String segment;
  private final EventFilter filter;

  private Recheck(boolean member, String segment, EventFilter filter) {
    this.member = member;
    this.segment = segment;
    this.filter = filter;
  }

  /**
   * Send only if the profile has no event the filter accepts with an event time at or after
   * the trigger's (an {@code Order Completed} since the cart was abandoned).
   */
  public static Recheck noEventSince(EventFilter filter) {
    Objects.requireNonNull(filter, "filter");
    if (filter.names().isEmpty()) {
      throw new IllegalArgumentException("recheck.noEventSince: the filter must name an event");
    }
    return new Recheck(false, "", filter);
  }

  /** As {@link #noEventSince(EventFilter)} with a filter on event names only. */
  public static Recheck noEventSince(String... names) {
    return noEventSince(EventFilter.named(names));
  }

  /** Send only if the profile is still a member of the segment. */
  public static Recheck stillMember(String segment) {
    Objects.requireNonNull(segment, "segment");
    if (!Trigger.SEGMENT_ID.matcher(segment).matches()) {
      throw new IllegalArgumentException("recheck.segment: '" + segment
          + "' is not a segment id");
    }
    return new Recheck(true, segment, EventFilter.ANY);
  }

  /** Whether this asks for membership (else for the absence of events). */
  public boolean isMembership() {
    return member;
  }

  /** The segment, for a membership recheck; empty otherwise. */
  public String segment() {
    return segment;
  }

  /** The filter, for an event recheck. */
  public EventFilter filter() {
    return filter;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Recheck r && member == r.member && segment.equals(r.segment)
        && filter.equals(r.filter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(member, segment, filter);
  }

  @Override
  public String toString() {
    return member ? "still member of " + segment : "no " + filter + " since the trigger";
  }
}
