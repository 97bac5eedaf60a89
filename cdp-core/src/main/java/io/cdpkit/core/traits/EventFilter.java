package io.cdpkit.core.traits;

import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which events an aggregation counts: those with one of the given names (a track's event name,
 * else the type's: {@code identify}, {@code page}, ...; no names means every event but
 * {@code alias}) that meet every property condition.
 *
 * <pre>{@code
 * EventFilter dresses = EventFilter.named("Order Completed")
 *     .and(PropertyCondition.any("products",
 *         PropertyCondition.of("category", Operator.EQ, "dresses")));
 * }</pre>
 *
 * <p>{@link #ORDERS} names the events the {@code Cdp} books as orders
 * ({@code Cdp.Builder.orderEvent}, default {@code Order Completed}), so that a trait over orders
 * follows the one order configuration: the name {@value #ORDER_EVENTS} stands for them and is
 * replaced by them when the {@code Cdp} is built ({@link #withOrderEvents}); until then (a pack
 * used outside a {@code Cdp}) it matches no event. The name is reserved: an event of that name
 * is never counted.
 *
 * <p>Immutable.
 *
 * @param names event names, sorted; empty for any
 * @param conditions property conditions that must all hold
 */
public record EventFilter(Set<String> names, List<PropertyCondition> conditions) {
  /** Every event (but {@code alias}). */
  public static final EventFilter ANY = new EventFilter(Set.of(), List.of());

  /** The name that stands for the {@code Cdp}'s order events: {@value}. */
  public static final String ORDER_EVENTS = "$orders";

  /** The events the {@code Cdp} books as orders (see the class description). */
  public static final EventFilter ORDERS = new EventFilter(Set.of(ORDER_EVENTS), List.of());

  public EventFilter {
    for (String n : Objects.requireNonNull(names, "names")) {
      if (n == null || n.isBlank()) {
        throw new IllegalArgumentException("an event name is blank");
      }
    }
    names = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(names));
    conditions = List.copyOf(conditions);
  }

  /** Events with one of these names. */
  public static EventFilter named(String... names) {
    return new EventFilter(Set.of(names), List.of());
  }

  /**
   * This filter with {@value #ORDER_EVENTS} replaced by the given order events; this filter
   * itself when it does not name them.
   *
   * @throws IllegalArgumentException when {@code orderEvents} is empty or names
   *     {@value #ORDER_EVENTS}
   */
  public EventFilter withOrderEvents(Set<String> orderEvents) {
    if (orderEvents.isEmpty() || orderEvents.contains(ORDER_EVENTS)) {
      throw new IllegalArgumentException("order events must name at least one event and not "
          + ORDER_EVENTS + ", were " + orderEvents);
    }
    if (!names.contains(ORDER_EVENTS)) {
      return this;
    }
    Set<String> resolved = new TreeSet<>(names);
    resolved.remove(ORDER_EVENTS);
    resolved.addAll(orderEvents);
    return new EventFilter(resolved, conditions);
  }

  /** Whether it names {@value #ORDER_EVENTS}, which {@link #withOrderEvents} replaces. */
  public boolean namesOrderEvents() {
    return names.contains(ORDER_EVENTS);
  }

  /** This filter with one more property condition. */
  public EventFilter and(PropertyCondition condition) {
    List<PropertyCondition> cs = new java.util.ArrayList<>(conditions);
    cs.add(Objects.requireNonNull(condition, "condition"));
    return new EventFilter(names, cs);
  }

  /**
   * The filter as text, names quoted, so that two filters have the same text only when they are
   * equal: {@code events ["Order Completed"] where [total > 5]}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("events [");
    int i = 0;
    for (String n : names) {
      sb.append(i++ == 0 ? "" : ", ").append('"')
          .append(n.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return sb.append("] where ").append(conditions).toString();
  }

  /** Whether the event passes, without a catalog. */
  public boolean test(Event e) {
    return test(e, ProductLookup.NONE);
  }

  /** The catalog fields the conditions read through {@code $catalog}. */
  public Set<String> catalogFields() {
    Set<String> out = new TreeSet<>();
    for (PropertyCondition c : conditions) {
      out.addAll(c.catalogFields());
    }
    return out;
  }

  /** Whether the event passes, property paths joining through {@code catalog}. */
  public boolean test(Event e, ProductLookup catalog) {
    if (e.type() == io.cdpkit.core.model.EventType.ALIAS) {
      return false;
    }
    if (!names.isEmpty()) {
      String name = StoredEvent.countedName(e);
      if (!names.contains(name) || name.equals(ORDER_EVENTS)) {
        return false;
      }
    }
    for (PropertyCondition c : conditions) {
      if (!c.test(e, catalog)) {
        return false;
      }
    }
    return true;
  }
}
