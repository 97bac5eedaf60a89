package io.cdpkit.activation;

import io.cdpkit.core.traits.EventFilter;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * When a {@link Rule} fires: a profile entering or leaving a segment, an event with a name and
 * property conditions, or a schedule over a segment's members.
 *
 * <p>Immutable.
 */
public final class Trigger {
  static final Pattern SEGMENT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /** The kinds of trigger. */
  public enum Kind {
    /** A profile entered a segment. */
    SEGMENT_ENTERED,
    /** A profile left a segment. */
    SEGMENT_EXITED,
    /** An event matching a filter was ingested. */
    EVENT,
    /** A schedule came due: once for every member of a segment. */
    SCHEDULE
  }

  private final Kind kind;
  private final @Nullable String segment;
  private final @Nullable EventFilter filter;
  private final @Nullable Duration every;
  private final @Nullable LocalTime at;

  private Trigger(Kind kind, @Nullable String segment, @Nullable EventFilter filter,
      @Nullable Duration every, @Nullable LocalTime at) {
    this.kind = kind;
    this.segment = segment;
    this.filter = filter;
    this.every = every;
    this.at = at;
  }

  /** When a profile enters the segment. */
  public static Trigger segmentEntered(String segment) {
    return new Trigger(Kind.SEGMENT_ENTERED, segment(segment), null, null, null);
  }

  /** When a profile leaves the segment (it was merged away, or stopped meeting it). */
  public static Trigger segmentExited(String segment) {
    return new Trigger(Kind.SEGMENT_EXITED, segment(segment), null, null, null);
  }

  /**
   * When an event the filter accepts is ingested for a profile. The filter must name at least
   * one event.
   */
  public static Trigger event(EventFilter filter) {
    Objects.requireNonNull(filter, "filter");
    if (filter.names().isEmpty()) {
      throw new IllegalArgumentException("trigger.event: the filter must name an event");
    }
    return new Trigger(Kind.EVENT, null, filter, null, null);
  }

  /** When an event with one of these names is ingested. */
  public static Trigger event(String... names) {
    return event(EventFilter.named(names));
  }

  /**
   * Every day at {@code time} (UTC), once for each member of the segment at that instant.
   */
  public static Trigger daily(String segment, LocalTime time) {
    return new Trigger(Kind.SCHEDULE, segment(segment), null, Duration.ofDays(1),
        Objects.requireNonNull(time, "time"));
  }

  /**
   * Every {@code period} (at least one minute), counted from the epoch, once for each member
   * of the segment at that instant.
   */
  public static Trigger every(String segment, Duration period) {
    Objects.requireNonNull(period, "period");
    if (period.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException("trigger.every: the period must be at least 1 minute");
    }
    return new Trigger(Kind.SCHEDULE, segment(segment), null, period, null);
  }

  private static String segment(String segment) {
    Objects.requireNonNull(segment, "segment");
    if (!SEGMENT_ID.matcher(segment).matches()) {
      throw new IllegalArgumentException("trigger.segment: '" + segment
          + "' is not a segment id ([a-z0-9][a-z0-9_-]{0,63})");
    }
    return segment;
  }

  public Kind kind() {
    return kind;
  }

  /** The segment, for segment and schedule triggers. */
  public @Nullable String segment() {
    return segment;
  }

  /** The event filter, for event triggers. */
  public @Nullable EventFilter filter() {
    return filter;
  }

  /** The schedule's period, for schedule triggers. */
  public @Nullable Duration period() {
    return every;
  }

  /** The time of day of a daily schedule. */
  public @Nullable LocalTime timeOfDay() {
    return at;
  }

  /**
   * The latest tick of a schedule at or before {@code now}: ticks fall every period from the
   * epoch, shifted by the time of day of a daily schedule.
   *
   * @throws IllegalStateException when this is not a schedule
   */
  public java.time.Instant lastTick(java.time.Instant now) {
    if (every == null) {
      throw new IllegalStateException("not a schedule");
    }
    long period = every.toMillis();
    long offset = at == null ? 0 : at.toNanoOfDay() / 1_000_000;
    long k = Math.floorDiv(now.toEpochMilli() - offset, period);
    return java.time.Instant.ofEpochMilli(k * period + offset);
  }

  /** What {@link io.cdpkit.activation.spi.Message#trigger()} says for this trigger. */
  public String label() {
    switch (kind) {
      case SEGMENT_ENTERED:
        return "segment.entered:" + segment;
      case SEGMENT_EXITED:
        return "segment.exited:" + segment;
      case SCHEDULE:
        return "schedule:" + segment;
      default:
        return "event:" + String.join(",", new java.util.TreeSet<>(filter.names()));
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Trigger t && kind == t.kind && Objects.equals(segment, t.segment)
        && Objects.equals(filter, t.filter) && Objects.equals(every, t.every)
        && Objects.equals(at, t.at);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, segment, filter, every, at);
  }

  @Override
  public String toString() {
    if (kind == Kind.EVENT) {
      return "event " + filter;
    }
    if (kind == Kind.SCHEDULE) {
      return "schedule " + segment + " every " + every + (at == null ? "" : " at " + at);
    }
    return label();
  }
}
