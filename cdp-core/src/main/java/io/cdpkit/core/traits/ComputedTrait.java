package io.cdpkit.core.traits;

import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.model.Event;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A trait computed from a profile's events, declared by the host and kept up to date as events
 * arrive: an {@link Aggregation} of a property over the events a filter selects, over all time or
 * a window of days.
 *
 * <pre>{@code
 * ComputedTrait orders90 = ComputedTrait.builder("orders_90d", Aggregation.COUNT)
 *     .filter(EventFilter.named("Order Completed")).window(Window.lastDays(90)).build();
 * ComputedTrait favouriteCategory = ComputedTrait.builder("favourite_category",
 *         Aggregation.MOST_FREQUENT)
 *     .filter(EventFilter.named("Product Viewed", "Product Added")).property("category").build();
 * }</pre>
 *
 * <p>The value is always what recomputing from the profile's events would give, whatever order
 * they came in, across merges and unmerges: the state behind it is a join of per-event
 * contributions ({@link AggregateState}). A windowed value slides by whole UTC days
 * ({@link Window}).
 *
 * <p>Names match {@code [a-z][a-z0-9_]{0,63}}; names starting with {@code _} are reserved for
 * the aggregates that segment conditions need.
 *
 * <p>Immutable.
 *
 * @param name the trait's name
 * @param aggregation what is computed
 * @param property the path of the value; {@code null} for
 *     {@code COUNT}, and for {@code MIN}, {@code MAX}, {@code FIRST}, {@code LAST} of the event
 *     time; for {@code TIMELINE} the path of the session id, or {@code null} for none
 * @param filter which events count
 * @param window the time looked back over
 */
public record ComputedTrait(String name, Aggregation aggregation, @Nullable PropertyPath property,
    EventFilter filter, Window window) {
  private static final Pattern NAME = Pattern.compile("_?[a-z][a-z0-9_]{0,63}");

  /**
   * Checks the definition.
   *
   * @throws IllegalArgumentException naming the setting that is wrong and why
   */
  public ComputedTrait {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(aggregation, "aggregation");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(window, "window");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("computed trait name must match [a-z][a-z0-9_]{0,63}");
    }
    if (property != null) {
      if (aggregation == Aggregation.COUNT) {
        throw new IllegalArgumentException("computed trait " + name
            + ": COUNT counts events and takes no property");
      }
      if (aggregation == Aggregation.LEDGER) {
        throw new IllegalArgumentException("computed trait " + name
            + ": LEDGER reads the loyalty properties and takes no property");
      }
    } else if (aggregation.needsProperty()) {
      throw new IllegalArgumentException("computed trait " + name + ": " + aggregation
          + " needs a property");
    }
  }

  /**
   * This trait with the {@code Cdp}'s order events in its filter (see {@link EventFilter#ORDERS});
   * this trait itself when its filter does not name them.
   */
  public ComputedTrait withOrderEvents(Set<String> orderEvents) {
    EventFilter f = filter.withOrderEvents(orderEvents);
    return f == filter ? this : new ComputedTrait(name, aggregation, property, f, window);
  }

  /** A builder for a trait of this name and kind. */
  public static Builder builder(String name, Aggregation aggregation) {
    return new Builder(name, aggregation);
  }

  /**
   * What one event contributes, or {@code null} when it does not pass the filter or gives no
   * value.
   *
   * @param e the event
   * @param time its event time
   */
  public @Nullable AggregateState contribution(Event e, Instant time) {
    return contribution(e, time, ProductLookup.NONE);
  }

  /**
   * As {@link #contribution(Event, Instant)}, the filter's and the property's paths joining
   * through {@code catalog}.
   */
  public @Nullable AggregateState contribution(Event e, Instant time, ProductLookup catalog) {
    if (!filter.test(e, catalog)) {
      return null;
    }
    Partial p = partial(e, time, catalog);
    if (p == null) {
      return null;
    }
    return window.isAllTime() ? AggregateState.total(p)
        : AggregateState.day(LocalDate.ofInstant(time, ZoneOffset.UTC).toEpochDay(), p);
  }

  /** The catalog fields this trait reads through {@code $catalog} (filter and property). */
  public Set<String> catalogFields() {
    Set<String> out = new java.util.TreeSet<>(filter.catalogFields());
    if (property != null) {
      property.catalogField().ifPresent(out::add);
    }
    return out;
  }

  private @Nullable Partial partial(Event e, Instant time, ProductLookup catalog) {
    if (aggregation == Aggregation.COUNT) {
      return new Partial.Count(1);
    }
    if (aggregation == Aggregation.LEDGER) {
      Partial.LedgerEntry entry = LoyaltyEvents.entry(e, time);
      return entry == null ? null : Partial.Ledger.of(entry);
    }
    List<Object> values;
    if (aggregation == Aggregation.TIMELINE) {
      values = property == null ? List.of() : scalars(property.values(e, catalog));
    } else if (property == null) {
      values = List.of(time);
    } else {
      values = new ArrayList<>();
      for (Object v : property.values(e, catalog)) {
        if (Values.isScalar(v)) {
          values.add(Values.canonical(v));
        }
      }
      if (values.isEmpty()) {
        return null;
      }
    }
    switch (aggregation) {
      case TIMELINE -> {
        return timelineHit(e, time, values);
      }
      case RECENT -> {
        return recentValues(time, values);
      }
      case SUM, AVERAGE -> {
        BigDecimal sum = BigDecimal.ZERO;
        long n = 0;
        for (Object v : values) {
          BigDecimal d = Values.number(v);
          if (d != null) {
            sum = sum.add(d);
            n++;
          }
        }
        return n == 0 ? null : new Partial.Sum(sum, n);
      }
      case MIN -> {
        Object m = values.get(0);
        for (Object v : values) {
          m = Values.ORDER.compare(v, m) < 0 ? v : m;
        }
        return new Partial.Min(m);
      }
      case MAX -> {
        Object m = values.get(0);
        for (Object v : values) {
          m = Values.ORDER.compare(v, m) > 0 ? v : m;
        }
        return new Partial.Max(m);
      }
      case FIRST -> {
        return new Partial.Point(values.get(0), time, e.messageId(), false);
      }
      case LAST -> {
        return new Partial.Point(values.get(values.size() - 1), time, e.messageId(), true);
      }
      default -> {
        Map<Object, Partial.Seen> m = new HashMap<>();
        for (Object v : values) {
          m.merge(v, new Partial.Seen(1, time, time), Partial.Seen::plus);
        }
        return new Partial.Tally(m);
      }
    }
  }

  private static List<Object> scalars(List<Object> raw) {
    List<Object> out = new ArrayList<>(raw.size());
    for (Object v : raw) {
      if (Values.isScalar(v)) {
        out.add(Values.canonical(v));
      }
    }
    return out;
  }

  /** A TIMELINE contribution: the event's time and first session id, a view or not. */
  private static Partial timelineHit(Event e, Instant time, List<Object> sessions) {
    String session = "";
    for (Object v : sessions) {
      String s = v instanceof Instant i ? i.toString() : v.toString();
      if (!s.isBlank()) {
        session = cut(s.strip(), Partial.Timeline.MAX_SESSION_LENGTH);
        break;
      }
    }
    boolean view = e.type() == io.cdpkit.core.model.EventType.PAGE
        || e.type() == io.cdpkit.core.model.EventType.SCREEN;
    return new Partial.Timeline(List.of(new Partial.Hit(time, session, 1, view ? 1 : 0)));
  }

  /** A RECENT contribution: every value seen at the event's time, strings cut. */
  private static Partial recentValues(Instant time, List<Object> values) {
    Map<Object, Instant> m = new HashMap<>();
    for (Object v : values) {
      m.put(v instanceof String s ? cut(s, Partial.Recent.MAX_VALUE_LENGTH) : v, time);
    }
    return Partial.Recent.latest(m);
  }

  /** The first {@code max} characters, not splitting a surrogate pair. */
  static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end);
  }

  /**
   * Checks an event that passes the filter against the rules of what this trait reads: only
   * {@code LEDGER} has such rules (see {@link LoyaltyTraits}); other kinds skip what they cannot
   * use.
   *
   * @throws io.cdpkit.core.InvalidEventException naming the field that breaks a rule
   */
  public void check(Event e) {
    if (aggregation == Aggregation.LEDGER && filter.test(e)) {
      LoyaltyEvents.check(e);
    }
  }

  /**
   * The value at {@code now} over the trait's window, from its state (absent when the profile
   * had no contribution). COUNT, SUM and DISTINCT_COUNT give 0 and UNIQUE_LIST an empty list when
   * nothing matched; the others are then empty.
   */
  public Optional<Object> value(@Nullable AggregateState state, Instant now) {
    if (state == null) {
      return valueOf(null);
    }
    if (window.isAllTime()) {
      return valueOf(state.range(Long.MIN_VALUE, Long.MAX_VALUE));
    }
    long today = LocalDate.ofInstant(now, ZoneOffset.UTC).toEpochDay();
    return valueOf(state.range(today - window.days() + 1, Long.MAX_VALUE));
  }

  /**
   * The value over the UTC dates {@code from} to {@code to} (inclusive), ignoring the window's
   * length; only for windowed traits, which keep their days.
   *
   * @throws IllegalStateException for an all-time trait
   */
  public Optional<Object> valueBetween(@Nullable AggregateState state, LocalDate from,
      LocalDate to) {
    if (window.isAllTime()) {
      throw new IllegalStateException("computed trait " + name + " keeps no days");
    }
    return valueOf(state == null ? null : state.range(from.toEpochDay(), to.toEpochDay()));
  }

  /**
   * The next instant after {@code now} at which the value can change without new events (the
   * oldest day in the window leaving it), or {@code null} when it cannot.
   */
  public @Nullable Instant nextChange(@Nullable AggregateState state, Instant now) {
    return state == null || window.isAllTime() ? null : state.nextChange(window.days(), now);
  }

  private Optional<Object> valueOf(@Nullable Partial p) {
    switch (aggregation) {
      case COUNT:
        return Optional.of(p == null ? 0L : ((Partial.Count) p).n());
      case SUM:
        return Optional.of(p == null ? BigDecimal.ZERO : ((Partial.Sum) p).sum());
      case AVERAGE: {
        if (p == null) {
          return Optional.empty();
        }
        Partial.Sum s = (Partial.Sum) p;
        return Optional.of(s.sum().divide(BigDecimal.valueOf(s.n()), MathContext.DECIMAL64));
      }
      case MIN:
        return p == null ? Optional.empty() : Optional.of(((Partial.Min) p).value());
      case MAX:
        return p == null ? Optional.empty() : Optional.of(((Partial.Max) p).value());
      case FIRST:
      case LAST:
        return p == null ? Optional.empty() : Optional.of(((Partial.Point) p).value());
      case MOST_FREQUENT: {
        if (p == null) {
          return Optional.empty();
        }
        Object best = null;
        Partial.Seen bs = null;
        for (Map.Entry<Object, Partial.Seen> e : ((Partial.Tally) p).values().entrySet()) {
          Partial.Seen s = e.getValue();
          if (bs == null || s.count() > bs.count()
              || (s.count() == bs.count() && (s.last().isAfter(bs.last())
                  || (s.last().equals(bs.last())
                      && Values.ORDER.compare(e.getKey(), best) < 0)))) {
            best = e.getKey();
            bs = s;
          }
        }
        return Optional.ofNullable(best);
      }
      case LEDGER:
        return Optional.of(p == null ? 0L : (long) ((Partial.Ledger) p).entries().size());
      case DISTINCT_COUNT:
        return Optional.of(p == null ? 0L : (long) ((Partial.Tally) p).values().size());
      case TIMELINE:
        return Optional.of(p == null ? 0L : ((Partial.Timeline) p).events());
      case RECENT:
        return Optional.of(p == null ? List.of() : ((Partial.Recent) p).newestFirst());
      case UNIQUE_LIST: {
        if (p == null) {
          return Optional.of(List.of());
        }
        List<Object> l = new ArrayList<>(((Partial.Tally) p).values().keySet());
        l.sort(Values.ORDER);
        return Optional.of(List.copyOf(l));
      }
      default:
        throw new AssertionError(aggregation);
    }
  }

  /** Builds a {@link ComputedTrait}; each setting may be made once. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final Aggregation aggregation;
    private @Nullable PropertyPath property;
    private @Nullable EventFilter filter;
    private @Nullable Window window;

    private Builder(String name, Aggregation aggregation) {
      this.name = Objects.requireNonNull(name, "name");
      this.aggregation = Objects.requireNonNull(aggregation, "aggregation");
    }

    /** The property path of the value. */
    public Builder property(String path) {
      if (property != null) {
        throw new IllegalStateException("property was already set to " + property);
      }
      this.property = PropertyPath.parse(path);
      return this;
    }

    /** Which events count; default every event but {@code alias}. */
    public Builder filter(EventFilter filter) {
      if (this.filter != null) {
        throw new IllegalStateException("filter was already set");
      }
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /** The window; default all time. */
    public Builder window(Window window) {
      if (this.window != null) {
        throw new IllegalStateException("window was already set to " + this.window);
      }
      this.window = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * The trait.
     *
     * @throws IllegalArgumentException when the settings do not fit together
     */
    public ComputedTrait build() {
      return new ComputedTrait(name, aggregation, property,
          filter == null ? EventFilter.ANY : filter, window == null ? Window.allTime() : window);
    }
  }
}
