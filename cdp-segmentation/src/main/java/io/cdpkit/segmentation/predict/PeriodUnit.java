package io.cdpkit.segmentation.predict;

import java.time.temporal.ChronoUnit;

/**
 * The unit in which a {@link PurchaseSummary} measures recency and age, and in which a fitted
 * model's rates and horizons are expressed: a model fitted in weeks predicts purchases per week,
 * and {@code expectedPurchases(52, ...)} means the next 52 weeks.
 *
 * <p>Immutable.
 */
public enum PeriodUnit {
  /** Days: one calendar day. */
  DAYS(ChronoUnit.DAYS, 1),
  /** Weeks of seven calendar days (fractions allowed: 10 days are 1.4286 weeks). */
  WEEKS(ChronoUnit.WEEKS, 7);

  private final ChronoUnit chronoUnit;
  private final int days;

  PeriodUnit(ChronoUnit chronoUnit, int days) {
    this.chronoUnit = chronoUnit;
    this.days = days;
  }

  /** The matching {@link ChronoUnit}. */
  public ChronoUnit chronoUnit() {
    return chronoUnit;
  }

  /** Calendar days in one unit. */
  public int days() {
    return days;
  }

  /** A number of calendar days in this unit. */
  public double fromDays(long calendarDays) {
    return (double) calendarDays / days;
  }

  /** The name in the JSON form: {@code days} or {@code weeks}. */
  public String jsonName() {
    return this == DAYS ? "days" : "weeks";
  }

  /**
   * The unit of a JSON name.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static PeriodUnit fromJsonName(String name) {
    return switch (name) {
      case "days" -> DAYS;
      case "weeks" -> WEEKS;
      default -> throw new IllegalArgumentException("unit must be \"days\" or \"weeks\"");
    };
  }
}
