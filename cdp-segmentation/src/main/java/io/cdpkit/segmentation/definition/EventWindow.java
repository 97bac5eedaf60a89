package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.internal.Rules;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The time window an {@link EventCondition} counts events in: the last so many days before the
 * moment of evaluation, or fixed calendar dates.
 *
 * <p>Every implementation is an immutable record.
 */
public sealed interface EventWindow {
  /**
   * The last {@code days} days before the moment of evaluation. JSON:
   * {@code "within": {"days": 60}}.
   *
   * <p>Immutable.
   *
   * @param days 1 to {@value DefinitionLimits#MAX_WINDOW_DAYS}
   */
  record LastDays(int days) implements EventWindow {
    /**
     * Checks the days.
     *
     * @throws IllegalArgumentException when out of range
     */
    public LastDays {
      Rules.check("days", Rules.days(days));
    }
  }

  /**
   * The UTC calendar dates from {@code from} to {@code to}, both included. JSON:
   * {@code "between": {"from": "2026-01-01", "to": "2026-03-31"}}.
   *
   * <p>Immutable.
   *
   * @param from the first date
   * @param to the last date, not before {@code from}
   */
  record Between(LocalDate from, LocalDate to) implements EventWindow {
    /**
     * Checks the order of the dates.
     *
     * @throws IllegalArgumentException when {@code from} is after {@code to}
     */
    public Between {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Rules.check("between", Rules.dates(from, to));
    }
  }
}
