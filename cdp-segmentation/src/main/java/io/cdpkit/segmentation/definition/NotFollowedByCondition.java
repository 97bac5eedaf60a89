package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.segmentation.internal.Rules;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An event not followed by another in time (an abandoned cart): the profile's latest event
 * matching {@link #event()} (within the last {@link #withinDays()} days, when given) is at
 * least {@link #waitFor()} old, and no event matching {@link #followedBy()} happened at or after
 * it.
 *
 * <p>JSON:
 * <pre>{@code
 * {"type": "notFollowedBy", "event": {"events": ["Product Added"]},
 *  "followedBy": {"events": ["Order Completed"]}, "wait": "PT24H", "withinDays": 7}
 * }</pre>
 * {@code event} and {@code followedBy} are filters ({@code events} and an optional
 * {@code where}, as in {@link EventCondition}); {@code wait} an ISO-8601 duration;
 * {@code withinDays} is left out when absent. (The component is {@code waitFor} because a record
 * cannot have a {@code wait()} accessor: {@link Object#wait()} is final.)
 *
 * <p>Immutable.
 *
 * @param event the event that starts the wait; names at least one event
 * @param followedBy the events that end it; names at least one event
 * @param waitFor how old the latest {@code event} must be, from
 *     {@link DefinitionLimits#MIN_WAIT} to {@link DefinitionLimits#MAX_WAIT}
 * @param withinDays only an {@code event} in the last so many days counts (1 to
 *     {@value DefinitionLimits#MAX_WINDOW_DAYS}, and not shorter than {@code wait}); {@code null}
 *     for any time
 */
public record NotFollowedByCondition(EventFilter event, EventFilter followedBy, Duration waitFor,
    @Nullable Integer withinDays) implements Condition {
  /**
   * Checks the filters, the wait and the days.
   *
   * @throws IllegalArgumentException when a filter names no event (or breaks the limits of
   *     {@link EventCondition}), the wait or the days are out of range, or the wait is longer
   *     than {@code withinDays}
   */
  public NotFollowedByCondition {
    Objects.requireNonNull(event, "event");
    Rules.check("event events", Rules.eventNames(event.names()));
    Rules.check("event where", Rules.whereSize(event.conditions().size()));
    Objects.requireNonNull(followedBy, "followedBy");
    Rules.check("followedBy events", Rules.eventNames(followedBy.names()));
    Rules.check("followedBy where", Rules.whereSize(followedBy.conditions().size()));
    Objects.requireNonNull(waitFor, "waitFor");
    Rules.check("wait", Rules.waitDuration(waitFor));
    if (withinDays != null) {
      Rules.check("withinDays", Rules.days(withinDays));
    }
    Rules.check("wait", Rules.waitWithin(waitFor, withinDays));
  }

  /**
   * This condition counting only an {@code event} in the last {@code days} days. JSON: adds
   * {@code "withinDays": days}.
   *
   * @throws IllegalArgumentException when {@code days} is out of range or shorter than the wait
   */
  public NotFollowedByCondition withinDays(int days) {
    return new NotFollowedByCondition(event, followedBy, waitFor, days);
  }
}
