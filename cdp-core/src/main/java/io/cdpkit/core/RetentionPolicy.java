package io.cdpkit.core;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How long events are kept, for {@link Privacy#purge}: a period per event name (a
 * {@code track}'s event name, or a page's or screen's name), per event type, and a default.
 * An event's period is the one of its name if set, else of its type, else the default; with
 * none of those it is kept for good. An event is expired when its own time
 * ({@link Event#eventTime()}) is more than its period before the purge's start.
 *
 * <p>Events that carry consent decisions are never expired: they are the evidence of the
 * person's consent, kept as long as the profile.
 *
 * <pre>{@code
 * RetentionPolicy p = RetentionPolicy.builder()
 *     .event("Product Viewed", Duration.ofDays(90))
 *     .type(EventType.PAGE, Duration.ofDays(30))
 *     .otherwise(Duration.ofDays(3 * 365))
 *     .build();
 * }</pre>
 *
 * <p>Immutable.
 */
public final class RetentionPolicy {
  private final Map<String, Duration> names;
  private final Map<EventType, Duration> types;
  private final @Nullable Duration otherwise;

  private RetentionPolicy(Builder b) {
    this.names = Map.copyOf(b.names);
    this.types = Map.copyOf(b.types);
    this.otherwise = b.otherwise;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The periods per event name. */
  public Map<String, Duration> byName() {
    return names;
  }

  /** The periods per event type. */
  public Map<EventType, Duration> byType() {
    return types;
  }

  /** The period of events that no name or type period covers. */
  public Optional<Duration> otherwise() {
    return Optional.ofNullable(otherwise);
  }

  /** The period that applies to an event, if any (consent evidence aside). */
  public Optional<Duration> periodOf(Event event) {
    Objects.requireNonNull(event, "event");
    Duration d = event.name() == null ? null : names.get(event.name());
    if (d == null) {
      d = types.get(event.type());
    }
    return Optional.ofNullable(d != null ? d : otherwise);
  }

  /**
   * Whether a purge starting at {@code now} deletes this event: it has a period, its time is
   * more than that period before {@code now}, and it carries no consent decision.
   */
  public boolean expired(Event event, Instant now) {
    Objects.requireNonNull(now, "now");
    if (!event.consents().isEmpty()) {
      return false;
    }
    Optional<Duration> d = periodOf(event);
    return d.isPresent() && event.eventTime().isBefore(now.minus(d.get()));
  }

  @Override
  public String toString() {
    return "RetentionPolicy{byName=" + names + ", byType=" + types + ", otherwise=" + otherwise
        + "}";
  }

  /** Builds a {@link RetentionPolicy}; each name, type and the default may be set once. */
  public static final class Builder {
    private final Map<String, Duration> names = new LinkedHashMap<>();
    private final Map<EventType, Duration> types = new EnumMap<>(EventType.class);
    private @Nullable Duration otherwise;

    private Builder() {}

    /**
     * Keeps events of this name (a track event's name, a page's or screen's name) this long.
     *
     * @throws IllegalArgumentException when the name is blank or the period is not positive
     * @throws IllegalStateException when this name already has a period
     */
    public Builder event(String name, Duration period) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      check("period of event " + name, period);
      Duration old = names.putIfAbsent(name, period);
      if (old != null) {
        throw new IllegalStateException("period of event " + name + " was already set to " + old);
      }
      return this;
    }

    /**
     * Keeps events of this type this long, unless their name has a period of its own.
     *
     * @throws IllegalArgumentException when the period is not positive
     * @throws IllegalStateException when this type already has a period
     */
    public Builder type(EventType type, Duration period) {
      Objects.requireNonNull(type, "type");
      check("period of type " + type.wireName(), period);
      Duration old = types.putIfAbsent(type, period);
      if (old != null) {
        throw new IllegalStateException(
            "period of type " + type.wireName() + " was already set to " + old);
      }
      return this;
    }

    /**
     * Keeps events that no name or type period covers this long (default: for good).
     *
     * @throws IllegalArgumentException when the period is not positive
     * @throws IllegalStateException when the default was already set
     */
    public Builder otherwise(Duration period) {
      check("default period", period);
      if (otherwise != null) {
        throw new IllegalStateException("default period was already set to " + otherwise);
      }
      otherwise = period;
      return this;
    }

    private static void check(String what, Duration period) {
      Objects.requireNonNull(period, "period");
      if (period.isZero() || period.isNegative()) {
        throw new IllegalArgumentException(what + " must be positive, was " + period);
      }
    }

    /**
     * The policy.
     *
     * @throws IllegalStateException when no period was set at all
     */
    public RetentionPolicy build() {
      if (names.isEmpty() && types.isEmpty() && otherwise == null) {
        throw new IllegalStateException("a retention policy needs at least one period");
      }
      return new RetentionPolicy(this);
    }
  }
}
