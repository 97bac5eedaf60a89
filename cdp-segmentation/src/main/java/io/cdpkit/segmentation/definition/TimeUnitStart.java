package io.cdpkit.segmentation.definition;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;

/**
 * A calendar unit whose start a {@link RelativeDate} goes back to: the start of the day, of the
 * ISO week (Monday), of the month or of the year, in the relative date's time zone.
 *
 * <p>Immutable.
 */
public enum TimeUnitStart {
  /** Midnight (or the first instant of the day, where midnight falls in a DST gap). */
  DAY("day"),
  /** The start of Monday of the ISO week. */
  WEEK("week"),
  /** The start of the first day of the month. */
  MONTH("month"),
  /** The start of the 1st of January. */
  YEAR("year");

  private final String jsonName;

  TimeUnitStart(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The unit as written in JSON: {@code day}, {@code week}, {@code month}, {@code year}. */
  public String jsonName() {
    return jsonName;
  }

  /** The unit written as {@code name} in JSON. */
  public static Optional<TimeUnitStart> byJsonName(String name) {
    for (TimeUnitStart u : values()) {
      if (u.jsonName.equals(name)) {
        return Optional.of(u);
      }
    }
    return Optional.empty();
  }

  /** The start of the unit holding {@code t}, in {@code zone}. */
  ZonedDateTime startOf(ZonedDateTime t, ZoneId zone) {
    LocalDate d = t.toLocalDate();
    LocalDate first = switch (this) {
      case DAY -> d;
      case WEEK -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> d.withDayOfMonth(1);
      case YEAR -> d.withDayOfYear(1);
    };
    return first.atStartOfDay(zone);
  }
}
