package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.segmentation.internal.Rules;
import java.util.Objects;

/**
 * At least, at most or exactly {@code n} events matching a filter within a time window: "at
 * least one {@code Order Completed} with a dress in size M in the last 60 days", "no order in the
 * last 90 days" ({@code EXACTLY 0}).
 *
 * <p>JSON:
 * <pre>{@code
 * {"type": "event", "events": ["Order Completed"],
 *  "where": [{"path": "products", "any": [{"path": "category", "op": "=", "value": "dresses"}]}],
 *  "count": {"op": ">=", "value": 1}, "within": {"days": 60}}
 * }</pre>
 * {@code events} are the filter's names (sorted when written); {@code where} its property
 * conditions, {@code {"path", "op", "value"/"values"}} or {@code {"path", "any": [...]}}, left out
 * when empty; {@code count} defaults to {@code {"op": ">=", "value": 1}} when reading and is
 * always written; exactly one of {@code within} and {@code between} gives the
 * {@link EventWindow}.
 *
 * <p>A path may join an event's objects with the workspace's product catalog through
 * {@code $catalog} and one product field: {@code products[].$catalog.brand} (the brand of each
 * order line's product), {@code $catalog.category} inside an {@code any} over
 * {@code products}, {@code $catalog.created_at} of a {@code Product Viewed}; see
 * {@link io.cdpkit.core.traits.PropertyPath} and {@link io.cdpkit.core.catalog.Catalog}. A
 * change to a catalog field the condition reads recomputes the workspace's profiles, and
 * members enter and leave then (cause {@code recompute}). {@link SegmentValidator} refuses a
 * catalog path that could never match.
 *
 * <p>Immutable.
 *
 * @param filter which events count; names at least one event
 * @param count how the number of events compares with {@code n}
 * @param n the number compared with, not negative
 * @param window the time window
 */
public record EventCondition(EventFilter filter, CountOperator count, long n, EventWindow window)
    implements Condition {
  /**
   * Checks the filter and {@code n}.
   *
   * @throws IllegalArgumentException when the filter names no event, more than
   *     {@value DefinitionLimits#MAX_EVENT_NAMES} or too long a name, has more than
   *     {@value DefinitionLimits#MAX_WHERE} property conditions, or {@code n} is negative
   */
  public EventCondition {
    Objects.requireNonNull(filter, "filter");
    Rules.check("events", Rules.eventNames(filter.names()));
    Rules.check("where", Rules.whereSize(filter.conditions().size()));
    Objects.requireNonNull(count, "count");
    Rules.check("n", Rules.count(n));
    Objects.requireNonNull(window, "window");
  }
}
